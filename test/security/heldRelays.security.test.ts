/**
 * Attack: one member spends the room's held relays (64 relays, 64 KiB, for invitees who have not
 * entered: call setup) on an invitee of her own making who never comes, so the caller's offer
 * to a callee still ringing is refused and the callee enters to no offer. Found by an adversarial
 * review (2026-12-05): the budget is now shared fairly among the room's members (heldRelays.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';
import { c2cInvite } from './support';

let server: TestServer;
afterEach(async () => server?.dispose());

const invite = (to: string, roomID: number, inviteID: string) => c2cInvite(to, roomID, inviteID, true);

describe('held relays: one member cannot spend the room\'s whole budget', () => {
  it('Mallory, in Alice\'s call, sends 64 relays to a phantom invitee she named; Alice invites Bob and relays her offer -> held, and Bob gets it when he enters', async () => {
    server = await testServer();
    const alice = await RawClient.login(server.handle.url, 'alice');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const bob = await RawClient.login(server.handle.url, 'bob');
    expect(await alice.request({ type: 'roomClaim', roomID: 9 })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    expect(await alice.request(invite('mallory', 9, 'g1'))).toMatchObject({ type: 'ack' });
    expect(await mallory.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    expect(await mallory.request(invite('ghost', 9, 'm1'))).toMatchObject({ type: 'ack' });
    for (let i = 0; i < 64; i++) expect(await mallory.request({ type: 'relay', roomID: 9, to: 'ghost', data: `junk ${i}` })).toMatchObject({ type: 'ack' });
    expect(await alice.request(invite('bob', 9, 'g2'))).toMatchObject({ type: 'ack' });
    const offer = '{"kind":"sdp","description":{"type":"offer"}}';
    expect(await alice.request({ type: 'relay', roomID: 9, to: 'bob', data: offer })).toMatchObject({ type: 'ack' });
    expect(await bob.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'relayed' && f.from === 'alice' && !f.early).map((f) => f.data)).toEqual([offer]);
    for (const c of [alice, mallory, bob]) c.terminate();
  });
});
