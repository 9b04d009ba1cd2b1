/**
 * Many devices: an answer one device of Bob's sends is handed live to his other devices, so that they
 * stop ringing; one with no room for it (its window of unconfirmed copies full, or its socket backed
 * up: a slow link under a stream of messages) gets it kept, and handed once it has room, after the
 * stored copies that came before it and before those that came after. Found on 2026-12-05:
 * - by the multi-device adversary: such a device was handed nothing and kept nothing, and rang until
 *   the invitation's timeout (for ever for one without);
 * - by the second review: kept answers then went before the stored invitation they answer (the laptop
 *   dropped the accept, nothing rang yet, and rang for an answered invitation);
 * - by the third: then only after the whole backlog, never behind a stream of later messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';

const WINDOW = 256; // the server's default maxUnconfirmed

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

/** Alice, and Bob on his phone and his laptop (which confirms nothing until a test says so). */
async function bobOnTwoDevices() {
  server = await testServer({ multiDevice: true });
  const url = server.handle.url;
  const alice = await RawClient.login(url, 'alice');
  const phone = await RawClient.login(url, 'bob', { device: 'phone' });
  const laptop = await RawClient.login(url, 'bob', { device: 'laptop' });
  return { url, alice, phone, laptop };
}

/** Each sender sends Bob its count of messages (each within its own burst of 200 frames). */
async function flood(url: string, senders: readonly (readonly [string, number])[]): Promise<void> {
  for (const [sender, n] of senders) {
    const s = await RawClient.login(url, sender);
    for (let i = 0; i < n; i++) s.send({ type: 'sendC2C', rid: 100 + i, to: 'bob', payload: `${sender} ${i}`, onlineUserOnly: false });
    await s.request({ type: 'ping' });
  }
}

const invite = (alice: RawClient) =>
  alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 0 } });

/** The phone accepts Alice's invitation; Alice has it. */
async function phoneAccepts(phone: RawClient, alice: RawClient): Promise<void> {
  expect(await phone.request({ type: 'sendC2C', to: 'alice', payload: 'accept inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } })).toMatchObject({ type: 'ack' });
  await alice.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept at Alice');
}

const confirmAll = (client: RawClient) => client.send({ type: 'received', upTo: Number(client.ofType('message').at(-1)?.seq) });

describe('many devices: an answer to a device with no room', () => {
  it("the laptop's window is full when the phone accepts: the ACCEPT comes to it once it confirms what it holds", async () => {
    const { url, alice, phone, laptop } = await bobOnTwoDevices();
    await invite(alice);
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the laptop');
    await flood(url, [['trudy', 150], ['mallory', WINDOW - 150]]);
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, 'the window full (the invitation and 255 messages)');
    // The phone accepts: the laptop has no room for its copy.
    await phoneAccepts(phone, alice);
    expect(laptop.ofType('message').map((f) => f.payload)).not.toContain('accept inv-1');
    // The laptop confirms what it holds: the ACCEPT comes (before: never).
    confirmAll(laptop);
    await laptop.next((f) => f.type === 'message' && f.payload === 'accept inv-1', "the phone's ACCEPT on the laptop");
  });

  it('the invitation waits in the store behind a full window; the phone accepts; the laptop gets the invite before the accept', async () => {
    const { url, alice, phone, laptop } = await bobOnTwoDevices();
    await flood(url, [['trudy', 150], ['mallory', WINDOW - 150]]);
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 151}`, 'the laptop window full');
    await phone.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 151}`, 'the phone window full');
    // The phone confirms (it has room); the laptop does not.
    confirmAll(phone);
    await phone.request({ type: 'ping' });
    await invite(alice);
    await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
    expect(laptop.ofType('message').map((f) => f.payload)).not.toContain('invite inv-1');
    await phoneAccepts(phone, alice);
    confirmAll(laptop);
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invite on the laptop');
    await laptop.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept on the laptop').catch(() => undefined);
    const order = laptop.ofType('message').map((f) => f.payload).filter((p) => p === 'invite inv-1' || p === 'accept inv-1');
    expect(order).toEqual(['invite inv-1', 'accept inv-1']);
  });

  it('the laptop confirms 16 at a time while 16 more come each time: the ACCEPT reaches it', async () => {
    const { url, alice, phone, laptop } = await bobOnTwoDevices();
    await invite(alice);
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the laptop');
    await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
    // The laptop's window full, and 61 more waiting for it in the store.
    await flood(url, [['trudy', 150], ['mallory', WINDOW - 150], ['eve', 60]]);
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, 'the laptop window full');
    await phone.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, 'the phone window full');
    confirmAll(phone);
    await phone.sync();
    await phoneAccepts(phone, alice);
    await laptop.sync();
    expect(laptop.ofType('message').map((f) => f.payload)).not.toContain('accept inv-1');
    const late = await RawClient.login(url, 'late');
    for (let round = 0; round < 6; round++) {
      const held = laptop.ofType('message').map((f) => Number(f.seq)).sort((a, b) => a - b);
      laptop.send({ type: 'received', upTo: held[16 * (round + 1) - 1] });
      for (let i = 0; i < 16; i++) late.send({ type: 'sendC2C', rid: 1000 + round * 16 + i, to: 'bob', payload: `late ${round * 16 + i}`, onlineUserOnly: false });
      await late.sync();
      await laptop.sync();
    }
    const got = laptop.ofType('message').map((f) => String(f.payload));
    // Messages sent after the ACCEPT were handed to the laptop; so was the ACCEPT.
    expect({ lateHanded: got.filter((p) => p.startsWith('late ')).length > 0, gotAccept: got.includes('accept inv-1') }).toEqual({ lateHanded: true, gotAccept: true });
  });
});
