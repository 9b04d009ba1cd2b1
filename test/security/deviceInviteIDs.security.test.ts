/**
 * Many devices (found by an adversarial review, 2026-12-05): the answer rule was keyed by the callee
 * and the inviteID alone, never by the inviter; now by inviter and inviteID, on the server
 * (`AnswerLedger`) and in the call's guards (`timeoutForMe`, `answeredByMyself`).
 * A member of an IM group sees the inviteID of a group call made through it. Mallory, a member of
 * "board", sends Bob an invitation of her own (her own room) carrying the inviteID of Alice's group
 * call. Bob's phone rings for Alice's call (and ignores Mallory's: same inviteID as its live call);
 * his laptop, logged in after the phone took Alice's invitation (it does not ring for it, as
 * documented), rings for Mallory's. When the laptop's ring runs out it answers Mallory's invitation
 * TIMEOUT for Bob: the server's ledger records it as Bob's answer to Alice's invitation, and the
 * phone takes the synced TIMEOUT as its own user's answer to the call it rings for.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import { deviceOf, makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import { ev } from '../support/ev';
import type { Party } from '../support/world';
import { RawClient, testServer, type TestServer } from '../server/support';

const S = 1000;

/** Mallory's own invitation to Bob into her room `roomID`, under `inviteID` (her choice), ringing `timeout` s. */
function malloryInvite(inviteID: string, roomID: number, timeout: number): string {
  return JSON.stringify({
    businessID: 1,
    inviteID,
    inviter: 'mallory',
    actionType: 1,
    inviteeList: ['bob'],
    data: JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, room_id: roomID, data: { cmd: 'audioCall', room_id: roomID, message: '' } }),
    timeout,
    groupID: '',
  });
}

describe('many devices: an invitation of another inviter under the same inviteID', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let phone: Party;
  let mallory: EmbeddedBackend;
  beforeEach(async () => {
    world = makeEmbeddedWorld({ server: { multiDevice: true } });
    alice = await world.user('alice');
    phone = await deviceOf(world, 'bob', 'phone');
    mallory = world.backend();
    await mallory.connection.login('mallory', world.userSig('mallory'));
    await world.createGroup('board', ['alice', 'bob', 'mallory']);
  });
  afterEach(() => world.dispose());

  /** Alice group-calls Bob through "board"; his phone rings; his laptop logs in after (it does not ring); Mallory reads the inviteID. */
  async function aliceRingsThePhone(): Promise<{ inviteID: string; laptop: Party }> {
    const got: string[] = [];
    mallory.im.onMessage((m) => got.push(m.payload));
    await alice.calling.groupCall({ userIDList: ['bob'], type: 1, groupID: 'board', timeout: 60 });
    await world.advance(S);
    expect(phone.take()).toEqual([ev.invited('alice', ['bob'], { isFromGroup: true, callType: 1 })]);
    const seen = got.map((p) => JSON.parse(p) as { inviteID: string; actionType: number }).find((p) => p.actionType === 1);
    if (!seen) throw new Error('Mallory saw no invitation in the group');
    const laptop = await deviceOf(world, 'bob', 'laptop');
    await world.advance(S);
    expect(laptop.take()).toEqual([]);
    return { inviteID: seen.inviteID, laptop };
  }

  async function mallorySends(inviteID: string, timeout: number): Promise<void> {
    const roomID = 77_777;
    await mallory.connection.request({ type: 'sendC2C', to: 'bob', payload: malloryInvite(inviteID, roomID, timeout), onlineUserOnly: false, call: { inviteID, roomID, invitees: ['bob'], timeout } });
  }

  it("Mallory's invitation under the inviteID of Alice's call rings out on Bob's laptop: the phone rings on for Alice, and Bob's accept() on it reaches Alice", async () => {
    const { inviteID, laptop } = await aliceRingsThePhone();
    await mallorySends(inviteID, 2);
    await world.advance(S);
    // The laptop rings for Mallory's call (her own invitation, her own room): that much is her right.
    expect(laptop.take().map((e) => e.name)).toEqual(['onInvited']);
    await world.advance(3 * S); // the laptop's ring runs out: it answers Mallory TIMEOUT
    laptop.take();
    // Alice's invitation still rings on the phone.
    expect(phone.take()).toEqual([]);
    expect(phone.calling.getSnapshot().call?.state).toBe('ringing');
    await phone.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
  });
});

/**
 * The server alone (raw frames, as the honest clients write them): the ledger takes the laptop's
 * TIMEOUT of Mallory's invitation for Bob's answer to Alice's, because both carry inviteID "inv-1".
 */
describe('many devices, the server: the answer ledger ignores who invited', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });
  const send = (client: RawClient, to: string, payload: string, extra: Record<string, unknown> = {}) =>
    client.request({ type: 'sendC2C', to, payload, onlineUserOnly: false, ...extra });
  const device = (deviceID: string) => RawClient.login((server as TestServer).handle.url, 'bob', { device: deviceID });

  it("Mallory invites Bob under the inviteID of Alice's invitation; the laptop answers Mallory's TIMEOUT: the phone may still enter Alice's room, and its ACCEPT reaches Alice", async () => {
    server = await testServer({ multiDevice: true });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const phone = await device('phone');
    await send(alice, 'bob', 'alice invites', { call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 60 } });
    const laptop = await device('laptop');
    // Mallory's own invitation, into her own room, under Alice's inviteID (learnt in their IM group).
    expect(await send(mallory, 'bob', 'mallory invites', { call: { inviteID: 'inv-1', roomID: 4242, invitees: ['bob'], timeout: 2 } })).toMatchObject({ type: 'ack' });
    await laptop.next((f) => f.type === 'message' && f.payload === 'mallory invites');
    // The laptop's ring for Mallory's call runs out: its TIMEOUT goes to Mallory, with its answer.
    expect(await send(laptop, 'mallory', 'timeout of mallory\'s call', { answer: { inviteID: 'inv-1', kind: 'timeout' } })).toMatchObject({ type: 'ack' });
    await mallory.next((f) => f.type === 'message' && f.payload === "timeout of mallory's call");
    // Bob accepts Alice's call on the phone: it enters her room, then answers her.
    const entered = await phone.request({ type: 'roomEnter', roomID: 42, audio: true, video: false });
    expect([entered.type, entered.code]).toEqual(['roomInfo', undefined]);
    await send(phone, 'alice', 'accept inv-1', { answer: { inviteID: 'inv-1', kind: 'accept' } });
    await send(phone, 'alice', 'done');
    await alice.next((f) => f.type === 'message' && f.payload === 'done');
    expect(alice.ofType('message').map((m) => m.payload)).toEqual(['accept inv-1', 'done']);
  });
});
