/**
 * Many devices, the inviteID attack (deviceInviteIDs.security.test.ts) with answers that name no
 * inviter (a group answer of a client from before answers named it): such an answer counts for no
 * invitation, so Mallory's invitation under the inviteID of Alice's cannot settle Alice's. Found by the
 * second review of 2026-12-05: a fallback then matched such answers with any inviter's invitation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';

describe('same inviteID, two inviters, answers naming no inviter', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });
  const device = (deviceID: string) => RawClient.login((server as TestServer).handle.url, 'bob', { device: deviceID });
  const c2c = (client: RawClient, to: string, payload: string, extra: Record<string, unknown> = {}) =>
    client.request({ type: 'sendC2C', to, payload, onlineUserOnly: false, ...extra });

  it("Mallory group-invites Bob under Alice's inviteID; the laptop (old client) times it out in the group, no inviter -> the phone may still enter Alice's room and its accept reaches her", async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const phone = await device('phone');
    expect(await c2c(alice, 'bob', 'alice invites', { call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 60 } })).toMatchObject({ type: 'ack' });
    const laptop = await device('laptop');
    expect(await mallory.request({ type: 'groupCreate', groupID: 'trap', members: ['bob'], joinRule: 'open' })).toMatchObject({ type: 'groupInfo' });
    expect(await laptop.request({ type: 'groupJoin', groupID: 'trap' })).not.toMatchObject({ type: 'error' });
    expect(await mallory.request({ type: 'sendGroup', groupID: 'trap', payload: 'mallory invites', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 4242, invitees: ['bob'], timeout: 2 } })).toMatchObject({ type: 'ack' });
    await laptop.next((f) => f.type === 'message' && f.payload === 'mallory invites').catch((e) => { throw new Error(JSON.stringify(laptop.frames) + JSON.stringify(mallory.frames)); });
    // The laptop (a client before ba7c508) times out Mallory's group call: to the group, no inviter.
    expect(await laptop.request({ type: 'sendGroup', groupID: 'trap', payload: 'bob timeout', onlineUserOnly: false, answer: { inviteID: 'inv-1', kind: 'timeout' } })).toMatchObject({ type: 'ack' });
    await mallory.next((f) => f.type === 'message' && f.payload === 'bob timeout');
    const entered = await phone.request({ type: 'roomEnter', roomID: 42, audio: true, video: false });
    await c2c(phone, 'alice', 'accept inv-1', { answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } });
    await c2c(phone, 'alice', 'done');
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect({ entered: entered.type, aliceGot: alice.ofType('message').map((m) => m.payload) }).toEqual({ entered: 'roomInfo', aliceGot: ['accept inv-1', 'done'] });
  });

  it("Alice group-calls Bob; Mallory C2C-invites him under the same inviteID and his laptop times it out; the phone (old client) enters Alice's room and accepts in the group, no inviter -> the accept reaches Alice", async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const phone = await device('phone');
    expect(await alice.request({ type: 'groupCreate', groupID: 'board', members: ['bob', 'mallory'], joinRule: 'open' })).toMatchObject({ type: 'groupInfo' });
    expect(await phone.request({ type: 'groupJoin', groupID: 'board' })).not.toMatchObject({ type: 'error' });
    expect(await mallory.request({ type: 'groupJoin', groupID: 'board' })).not.toMatchObject({ type: 'error' });
    expect(await alice.request({ type: 'sendGroup', groupID: 'board', payload: 'alice invites', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 60 } })).toMatchObject({ type: 'ack' });
    await phone.next((f) => f.type === 'message' && f.payload === 'alice invites');
    const laptop = await device('laptop');
    expect(await c2c(mallory, 'bob', 'mallory invites', { call: { inviteID: 'inv-1', roomID: 4242, invitees: ['bob'], timeout: 2 } })).toMatchObject({ type: 'ack' });
    await laptop.next((f) => f.type === 'message' && f.payload === 'mallory invites').catch((e) => { throw new Error(JSON.stringify(laptop.frames) + JSON.stringify(mallory.frames)); });
    expect(await c2c(laptop, 'mallory', 'bob timeout', { answer: { inviteID: 'inv-1', inviter: 'mallory', kind: 'timeout' } })).toMatchObject({ type: 'ack' });
    await mallory.next((f) => f.type === 'message' && f.payload === 'bob timeout');
    const entered = await phone.request({ type: 'roomEnter', roomID: 42, audio: true, video: false });
    // The phone, a client before ba7c508: its group answer names no inviter.
    await phone.request({ type: 'sendGroup', groupID: 'board', payload: 'bob accepts', onlineUserOnly: false, answer: { inviteID: 'inv-1', kind: 'accept' } });
    await c2c(phone, 'alice', 'done');
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect({ entered: entered.type, aliceGot: alice.ofType('message').map((m) => m.payload).filter((p) => p !== 'alice invites') }).toEqual({ entered: 'roomInfo', aliceGot: ['bob accepts', 'done'] });
  });
});
