/**
 * Many devices: an answer kept for a device with no room goes after the stored copies that came before it,
 * not after the whole backlog. Found by the third review of 2026-12-05: it waited until the device's whole
 * store backlog was paged, messages stored after the answer too. A laptop behind a stream of messages (a slow
 * link: it confirms a page at a time while more keep coming) never gets the phone's ACCEPT, and rings on
 * (for ever, the invitation has no timeout).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

const WINDOW = 256;

describe('a kept answer behind a stream', () => {
  it('the laptop confirms 16 at a time while 16 more come each time: the ACCEPT reaches it', async () => {
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
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite inv-1', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 42, invitees: ['bob'], timeout: 0 } });
    await laptop.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the laptop');
    await phone.next((f) => f.type === 'message' && f.payload === 'invite inv-1', 'the invitation on the phone');
    // The laptop's window full, and 61 more waiting for it in the store.
    for (const [sender, n] of [['trudy', 150], ['mallory', WINDOW - 150], ['eve', 60]] as const) {
      const s = await RawClient.login(url, sender);
      for (let i = 0; i < n; i++) s.send({ type: 'sendC2C', rid: 100 + i, to: 'bob', payload: `${sender} ${i}`, onlineUserOnly: false });
      await s.request({ type: 'ping' });
    }
    await laptop.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, 'the laptop window full');
    await phone.next((f) => f.type === 'message' && f.payload === `mallory ${WINDOW - 152}`, 'the phone window full');
    phone.send({ type: 'received', upTo: Number(phone.ofType('message').at(-1)?.seq) });
    await phone.sync();
    expect(await phone.request({ type: 'sendC2C', to: 'alice', payload: 'accept inv-1', onlineUserOnly: false, answer: { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' } })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'accept inv-1', 'the accept at Alice');
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
    // Messages sent after the ACCEPT were handed to the laptop; the ACCEPT was not.
    expect({ lateHanded: got.filter((p) => p.startsWith('late ')).length > 0, gotAccept: got.includes('accept inv-1') }).toEqual({ lateHanded: true, gotAccept: true });
  });
});
