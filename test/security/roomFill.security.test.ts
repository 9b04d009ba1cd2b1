/**
 * Attack: "an invitee fills the caller's room". Any user a room's grant names may invite more
 * into it (a member adds someone to a call in progress), and the grant admits at most
 * `maxRoomUsers` (100). Found by an adversarial review (2026-12-05): Mallory, invited and never
 * answering, named 98 users who do not exist (`onlineUserOnly`: nothing stored, nothing
 * delivered, nothing paid), and Alice could no longer invite anyone into her own call. Another
 * member's invitation now fills a room to three quarters of its places; the rest are its owner's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OWNERS_SHARE } from '../../server/grants';
import { RawClient, testServer, type TestServer } from '../server/support';
import { c2cInvite } from './support';

let server: TestServer;
afterEach(async () => server?.dispose());

const invite = c2cInvite;

describe('room grants: who fills a room', () => {
  it('Mallory, invited by Alice, names 98 users who receive nothing: refused past three quarters of the room; Alice still invites Bob, who gets it', async () => {
    server = await testServer();
    const alice = await RawClient.login(server.handle.url, 'alice');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const bob = await RawClient.login(server.handle.url, 'bob');
    expect(await alice.request({ type: 'roomClaim', roomID: 7 })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect(await alice.request(invite('mallory', 7, 'a1'))).toMatchObject({ type: 'ack' });
    const answers: string[] = [];
    for (let i = 0; i < 98; i++) {
      const reply = await mallory.request(invite(`ghost${i}`, 7, `m${i}`, true));
      answers.push(reply.type === 'ack' ? 'ack' : String(reply.code));
    }
    const others = 100 - 100 / OWNERS_SHARE;
    // Alice and Mallory, then Mallory's ghosts up to 75 names; the rest refused.
    expect(answers.filter((a) => a === 'ack')).toHaveLength(others - 2);
    expect(new Set(answers.slice(others - 2))).toEqual(new Set(['quotaExceeded']));
    expect(await alice.request(invite('bob', 7, 'a2'))).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message', 'the invitation');
    // Alice may fill the room to its last place herself.
    for (let i = 0; i < 100 - others - 1; i++) expect(await alice.request(invite(`guest${i}`, 7, `g${i}`, true))).toMatchObject({ type: 'ack' });
    expect(await alice.request(invite('one-too-many', 7, 'g-last', true))).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    for (const c of [alice, mallory, bob]) c.terminate();
  });
});
