/**
 * The presence feed (server/presence.ts): off unless asked for; on, logged-in subscribers see
 * who of the same app comes and goes, never themselves, and no one else hears a word.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type Frame, type TestServer } from './support';
import { until } from '../support/until';

const presence = (c: RawClient) => c.ofType('presence').map(({ snapshot, online, offline }) => ({ snapshot, online, offline }));
const snap = (...online: string[]) => ({ snapshot: true, online, offline: [] });
const on = (userID: string) => ({ snapshot: false, online: [userID], offline: [] });
const off = (userID: string) => ({ snapshot: false, online: [], offline: [userID] });

describe('presence feed', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (userID: string) => {
    const c = await RawClient.login(server.handle.url, userID);
    clients.push(c);
    return c;
  };
  const syncAll = async () => {
    for (const c of clients) await c.sync().catch(() => undefined);
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });

  it('off by default: a subscription is refused with presenceOff and nobody hears of anyone', async () => {
    server = await testServer();
    const alice = await login('alice');
    expect(await alice.request({ type: 'presenceSubscribe' })).toMatchObject({ type: 'error', code: 'presenceOff' });
    const bob = await login('bob');
    bob.close();
    await alice.sync();
    expect(alice.frames.map((f) => f.type)).toEqual(['loggedIn', 'error', 'pong']);
    expect(server.handle.metrics().refused).toEqual({ presenceOff: 1 });
  });

  it('on: a snapshot without oneself, then who comes and goes, in order; unsubscribed hears nothing more', async () => {
    server = await testServer({ presence: true });
    const alice = await login('alice');
    expect(await alice.request({ type: 'presenceSubscribe' })).toMatchObject({ type: 'ack' });
    const bob = await login('bob');
    const carol = await login('carol');
    expect(await carol.request({ type: 'presenceSubscribe' })).toMatchObject({ type: 'ack' });
    await bob.request({ type: 'logout' });
    await server.clock.advance(1000); // bob's logout came within the window of his login: told at its end
    await syncAll();
    expect(await alice.request({ type: 'presenceUnsubscribe' })).toMatchObject({ type: 'ack' });
    await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
    carol.terminate();
    await syncAll();

    expect(presence(alice)).toEqual([snap(), on('bob'), on('carol'), off('bob')]);
    expect(presence(carol)).toEqual([snap('alice', 'bob'), off('bob')]);
    expect(presence(bob)).toEqual([]); // never subscribed
  });

  it('a second login of the same user (the first is kicked) is no offline-online flap; a dropped connection is offline at once', async () => {
    server = await testServer({ presence: true, roomGraceMs: 10_000 });
    const alice = await login('alice');
    await alice.request({ type: 'presenceSubscribe' });
    const bob1 = await login('bob');
    const bob2 = await login('bob');
    expect((await bob1.closed).code).toBe(4001);
    await alice.sync();
    expect(presence(alice)).toEqual([snap(), on('bob')]);

    bob2.terminate(); // the session waits out its grace period, but messages to bob are stored now
    await until('one user logged in', () => server.handle.metrics().loggedInUsers === 1);
    await server.clock.advance(1000); // within the window of bob's login: told at its end
    await waitFor(alice, (f) => f.type === 'presence' && (f.offline as string[]).includes('bob'));
    expect(presence(alice)).toEqual([snap(), on('bob'), off('bob')]);
  });

  it('only a logged-in connection may subscribe; a subscription ends with its login', async () => {
    server = await testServer({ presence: true });
    const anon = await RawClient.open(server.handle.url);
    clients.push(anon);
    expect(await anon.request({ type: 'presenceSubscribe' })).toMatchObject({ type: 'error', code: 'notLoggedIn' });
    const alice = await login('alice');
    await alice.request({ type: 'presenceSubscribe' });
    await alice.request({ type: 'logout' });
    await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') });
    await login('bob');
    await syncAll();
    expect(presence(alice)).toEqual([snap()]); // the subscription ended with the logout
    expect(anon.ofType('presence')).toEqual([]);
  });
});

async function waitFor(c: RawClient, match: (f: Frame) => boolean): Promise<void> {
  if (c.frames.some(match)) return;
  await c.next(match, 'a presence frame');
}

