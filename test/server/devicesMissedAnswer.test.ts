/**
 * Many devices: a device that has no room when another device of its user answers an invitation
 * (its window of unconfirmed copies full, or its socket backed up: a slow link under a stream of
 * messages) gets that answer once it has room, as a device away gets it when it comes back. Before,
 * it was handed nothing and kept for nothing: it rang on until the invitation's timeout (for ever
 * for a group invitation without one). Found by the multi-device adversary of 2026-12-05.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

const WINDOW = 256; // the server's default maxUnconfirmed

describe('many devices: an answer to a device with no room', () => {
  it("the laptop's window is full when the phone accepts: the ACCEPT comes to it once it confirms what it holds", async () => {
    server = await testServer({ multiDevice: true });
    const url = server.handle.url;
    const device = async (name: string) => {
      const client = await RawClient.open(url);
      expect(await client.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: name })).toMatchObject({ type: 'loggedIn' });
      return client;
    };
    const alice = await RawClient.login(url, 'alice');
    const phone = await device('phone');
    const laptop = await device('laptop'); // confirms nothing until told to
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 0 } });
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the laptop');
    // Two senders fill the laptop's window (each within its own burst of 200 frames).
    for (const [sender, n] of [['trudy', 150], ['mallory', WINDOW - 150]] as const) {
      const s = await RawClient.login(url, sender);
      for (let i = 0; i < n; i++) s.send({ type: 'sendC2C', rid: 100 + i, to: 'bob', payload: `${sender} ${i}`, onlineUserOnly: false });
      await s.request({ type: 'ping' });
    }
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, "the window full (the invitation and 255 messages)");
    // The phone accepts: the laptop has no room for its copy.
    expect(await phone.request({ type: 'sendC2C', to: 'alice', payload: 'accept inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept at Alice');
    expect(laptop.ofType('message').map((f) => f.payload)).not.toContain('accept inv-1');
    // The laptop confirms what it holds: the ACCEPT comes (before: never).
    laptop.send({ type: 'received', upTo: Number(laptop.ofType('message').at(-1)?.seq) });
    await laptop.next((f) => f.type === 'message' && f.payload === 'accept inv-1', "the phone's ACCEPT on the laptop");
  });
});
