/**
 * Attack: "other invitations push my answer out" (many devices, review of 2026-12-05). The answer ledger
 * kept a user's newest 32 answers (AnswerLedger.PER_USER), whatever they were to. Dave's group call rings
 * Bob's phone and laptop; the phone declines, and the call goes on with the others (its grant lives while
 * anyone is in the room). Bob's phone is in another call, and answers every further invitation busy by
 * itself (held while his idle laptop rings): Mallory rings Bob 32 times (32 rooms, one account's quota,
 * a frame each), and each busy vote of the phone is an answer the ledger files. The 32nd pushed out the
 * decline, and Bob's laptop entered the room his phone had declined (Dave heard REJECT, then Bob enter).
 * The same with answers Bob gives by hand (32 calls declined in a busy hour), and for a laptop that was
 * away when the decline happened and comes back (its user's answers are recalled from the journal).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

/** AnswerLedger.PER_USER: with the decline, one answer more than it kept (31 pushed out nothing). */
const OTHERS = 32;

async function declinedGroupCall(url: string) {
  const dave = await RawClient.login(url, 'dave');
  const carol = await RawClient.login(url, 'carol');
  const phone = await RawClient.login(url, 'bob', { device: 'phone' });
  expect(await dave.request({ type: 'roomClaim', roomID: 42 })).toMatchObject({ type: 'ack' });
  expect(await dave.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
  const invitees = ['bob', 'carol'];
  for (const [i, to] of invitees.entries()) {
    const call = { inviteID: `inv-${i}`, roomID: 42, invitees, timeout: 30 };
    expect(await dave.request({ type: 'sendC2C', to, payload: `invite ${to}`, onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
  }
  // Carol accepts: the call goes on (and its grant with it) long after Bob's invitation timed out.
  expect(await carol.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
  const answer = { inviteID: 'inv-0', inviter: 'dave', kind: 'reject' };
  expect(await phone.request({ type: 'sendC2C', to: 'dave', payload: 'reject', onlineUserOnly: false, answer })).toMatchObject({ type: 'ack' });
  return { dave, carol, phone };
}

/** `inviter` rings Bob in `OTHERS` rooms of its own; `answer` is what Bob's phone answers each. */
async function ringBob(inviter: RawClient, name: string, phone: RawClient, kind: 'busy' | 'reject', firstRoom: number) {
  for (let i = 0; i < OTHERS; i++) {
    const roomID = firstRoom + i;
    const call = { inviteID: `${name}-${i}`, roomID, invitees: ['bob'], timeout: 30 };
    expect(await inviter.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
    const answer = { inviteID: `${name}-${i}`, inviter: name, kind };
    expect(await phone.request({ type: 'sendC2C', to: name, payload: kind, onlineUserOnly: false, answer })).toMatchObject({ type: 'ack' });
  }
}

describe('the answer ledger against many answers of one user', () => {
  it("Bob's phone declines Dave's group call (room 42, going on with Carol); Mallory rings Bob 32 times, his phone in a call answers busy -> his laptop is still refused deviceInRoom", async () => {
    server = await testServer({ multiDevice: true });
    const url = server.handle.url;
    const { dave, carol, phone } = await declinedGroupCall(url);
    const laptop = await RawClient.login(url, 'bob', { device: 'laptop' });
    const mallory = await RawClient.login(url, 'mallory');
    await ringBob(mallory, 'mallory', phone, 'busy', 1000);
    expect(mallory.ofType('error')).toEqual([]);
    expect(await laptop.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    for (const client of [dave, carol, phone, laptop, mallory]) client.terminate();
  });

  it("Bob's phone declines Dave's group call while his laptop is away, then declines 32 other calls; the laptop comes back -> refused deviceInRoom", async () => {
    server = await testServer({ multiDevice: true });
    const url = server.handle.url;
    const { dave, carol, phone } = await declinedGroupCall(url);
    const callers = await Promise.all(['erin', 'frank'].map((name) => RawClient.login(url, name)));
    await ringBob(callers[0] as RawClient, 'erin', phone, 'reject', 2000);
    phone.terminate();
    await server.clock.advance(15_000); // past the resume grace (--room-grace-ms): Bob has no device left, and his answers are in the journal only
    const laptop = await RawClient.login(url, 'bob', { device: 'laptop' });
    expect(await laptop.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    for (const client of [dave, carol, laptop, ...callers]) client.terminate();
  });
  it("the same after a restart: Mallory's 32 invitations answered busy, the server restarts, Bob's laptop logs in again -> refused deviceInRoom", async () => {
    const s = await testServer({ multiDevice: true });
    server = s;
    const { dave, carol, phone } = await declinedGroupCall(s.handle.url);
    const laptop = await RawClient.login(s.handle.url, 'bob', { device: 'laptop' });
    const mallory = await RawClient.login(s.handle.url, 'mallory');
    await ringBob(mallory, 'mallory', phone, 'busy', 1000);
    await s.handle.close();
    const clients = [dave, carol, phone, laptop, mallory];
    await Promise.all(clients.map((c) => c.closed));
    const url = (await s.restart()).url;
    const again = await RawClient.login(url, 'bob', { device: 'laptop' });
    expect(await again.request({ type: 'roomEnter', roomID: 42, audio: true, video: false })).toMatchObject({ type: 'error', code: 'deviceInRoom' });
    again.terminate();
  });
});
