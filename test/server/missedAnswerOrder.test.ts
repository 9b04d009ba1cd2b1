/**
 * Many devices: an answer kept for a device with no room goes after what waits for it in the store (the
 * invitation it answers, say). Found by the second review of 2026-12-05: it went first, the laptop heard
 * "accept inv-1" before "invite inv-1", dropped the accept (nothing rang yet) and rang for an invitation
 * already answered, for ever with no timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

const WINDOW = 256;

describe('review: missed answer order', () => {
  it('the invitation waits in the store behind a full window; the phone accepts; the laptop gets the invite before the accept', async () => {
    server = await testServer({ multiDevice: true });
    const url = server.handle.url;
    const device = async (name: string) => {
      const client = await RawClient.open(url);
      expect(await client.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), device: name })).toMatchObject({ type: 'loggedIn' });
      return client;
    };
    const alice = await RawClient.login(url, 'alice');
    const phone = await device('phone');
    const laptop = await device('laptop');
    for (const [sender, n] of [['trudy', 150], ['mallory', WINDOW - 150]] as const) {
      const s = await RawClient.login(url, sender);
      for (let i = 0; i < n; i++) s.send({ type: 'sendC2C', rid: 100 + i, to: 'bob', payload: `${sender} ${i}`, onlineUserOnly: false });
      await s.request({ type: 'ping' });
    }
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 151}`, 'the laptop window full');
    await phone.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 151}`, 'the phone window full');
    // The phone confirms (it has room); the laptop does not.
    phone.send({ type: 'received', upTo: Number(phone.ofType('message').at(-1)?.seq) });
    await phone.request({ type: 'ping' });
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 0 } });
    await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
    expect(laptop.ofType('message').map((f) => f.payload)).not.toContain('invite inv-1');
    expect(await phone.request({ type: 'sendC2C', to: 'alice', payload: 'accept inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept at Alice');
    laptop.send({ type: 'received', upTo: Number(laptop.ofType('message').at(-1)?.seq) });
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invite on the laptop');
    await laptop.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept on the laptop').catch(() => undefined);
    const order = laptop.ofType('message').map((f) => ({ p: f.payload, seq: f.seq })).filter((m) => m.p === 'invite inv-1' || m.p === 'accept inv-1');
    expect(order.map((m) => m.p)).toEqual(['invite inv-1', 'accept inv-1']);
  });
});
