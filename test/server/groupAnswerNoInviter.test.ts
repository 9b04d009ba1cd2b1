/**
 * Found by the review of ba7c508 (2026-12-05): the answer ledger keys an invitation by inviter and inviteID; an answer that
 * does not name its inviter (every client before this change) is given one only when it is C2C
 * (server/dispatch.ts `call(frame, to)`). A group call's answers go to the IM group: one without
 * `inviter` is filed under inviter '' and matches nothing the server filed for the invitation. Bob's
 * laptop (a client before the change) declines Alice's group call; his phone may then still enter
 * the room (before that commit: refused, his user had answered), and its accept reached Alice after
 * the decline. An answer under no inviter now counts for any inviter's invitation of that inviteID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

describe('a group answer without inviter (a client before the change), many devices', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });
  async function device(deviceID: string): Promise<RawClient> {
    const client = await RawClient.open((server as TestServer).handle.url);
    const reply = await client.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: deviceID });
    expect(reply.type).toBe('loggedIn');
    return client;
  }

  it("Alice group-calls Bob through 'board'; his laptop declines (no inviter in its answer) -> his phone cannot enter her room, and its late accept does not reach her", async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const phone = await device('phone');
    const laptop = await device('laptop');
    expect(await alice.request({ type: 'groupCreate', groupID: 'board', members: ['bob'], joinRule: 'open' })).toMatchObject({ type: 'groupInfo' });
    expect(await phone.request({ type: 'groupJoin', groupID: 'board' })).not.toMatchObject({ type: 'error' });
    const call = { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 60 };
    expect(await alice.request({ type: 'sendGroup', groupID: 'board', payload: 'alice invites', onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
    await laptop.next((f) => f.type === 'message' && f.payload === 'alice invites');
    // The laptop (a client before ba7c508) declines: its answer names no inviter.
    expect(await laptop.request({ type: 'sendGroup', groupID: 'board', payload: 'bob rejects', onlineUserOnly: false, answer: { inviteID: 'inv-1', kind: 'reject' } })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'bob rejects');
    const entered = await phone.request({ type: 'roomEnter', roomID: 42, audio: true, video: false });
    // The phone (a client of now) accepts anyway: its answer names the inviter.
    await phone.request({ type: 'sendGroup', groupID: 'board', payload: 'bob accepts', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } });
    await phone.request({ type: 'sendC2C', to: 'alice', payload: 'done', onlineUserOnly: false });
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect({ phoneEntered: entered.type, aliceGot: alice.ofType('message').map((m) => m.payload) }).toEqual({ phoneEntered: 'error', aliceGot: ['bob rejects', 'done'] });
  });
});
