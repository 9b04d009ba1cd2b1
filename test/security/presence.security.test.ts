/**
 * Attack: presence amplification (`--presence`). A user flapping login/logout made the server
 * send a frame to every subscriber per flap, and every subscribe returned a full snapshot. Now a
 * user's changes within `presenceBatchMs` (1 s) of its last told one are batched to the window's
 * end (a flap inside it costs nothing), and snapshots are rate-limited per user.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type TestServer } from '../server/support';

const presence = (c: RawClient) => c.ofType('presence').map(({ snapshot, online, offline }) => ({ snapshot, online, offline }));

describe('presence cannot be used to amplify', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (userID: string) => {
    const client = await RawClient.login(server.handle.url, userID);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });

  it('Mallory logs in and out 50 times in a second: each of 20 subscribers gets two frames (online, then offline at the window\'s end), not 100', async () => {
    server = await testServer({ presence: true });
    const watchers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(`w${i}`)));
    for (const w of watchers) expect(await w.request({ type: 'presenceSubscribe' })).toMatchObject({ type: 'ack' });
    const mallory = await RawClient.open(server.handle.url);
    clients.push(mallory);
    const userSig = tencentUserSig('mallory');
    for (let i = 0; i < 50; i++) {
      expect(await mallory.request({ type: 'login', userID: 'mallory', userSig })).toMatchObject({ type: 'loggedIn' });
      expect(await mallory.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    }
    for (const w of watchers) await w.sync();
    await server.clock.advance(1000);
    for (const w of watchers) await w.sync();
    for (const w of watchers) {
      expect(presence(w).slice(1)).toEqual([
        { snapshot: false, online: ['mallory'], offline: [] },
        { snapshot: false, online: [], offline: ['mallory'] },
      ]);
    }
    await server.clock.advance(5000); // a flap within one window is told as nothing at all
    await mallory.request({ type: 'login', userID: 'mallory', userSig });
    await mallory.request({ type: 'logout' });
    await mallory.request({ type: 'login', userID: 'mallory', userSig });
    await server.clock.advance(1000);
    for (const w of watchers) await w.sync();
    expect(presence(watchers[0] as RawClient).slice(-2)).toEqual([
      { snapshot: false, online: [], offline: ['mallory'] },
      { snapshot: false, online: ['mallory'], offline: [] },
    ]);
  });

  it('snapshots are rate-limited per user: 5 at once, then rateLimited, then one a second', async () => {
    server = await testServer({ presence: true });
    await Promise.all(Array.from({ length: 30 }, (_, i) => login(`u${i}`)));
    const mallory = await login('mallory');
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) answers.push(String((await mallory.request({ type: 'presenceSubscribe' })).code ?? 'ack'));
    expect(answers).toEqual(['ack', 'ack', 'ack', 'ack', 'ack', 'rateLimited', 'rateLimited', 'rateLimited']);
    expect(mallory.ofType('presence').filter((f) => f.snapshot)).toHaveLength(5);
    await server.clock.advance(1000);
    expect((await mallory.request({ type: 'presenceSubscribe' })).type).toBe('ack');
    expect(server.handle.metrics().limits).toMatchObject({ presenceSnapshots: 3 });
  });
});
