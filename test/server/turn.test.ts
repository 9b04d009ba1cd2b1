/**
 * TURN credentials (`turn` / `--turn-urls`): each login gets its own, time-limited as the TURN REST
 * API has them (coturn's `--use-auth-secret`), and a ping asking for `turn` gets fresh ones; a
 * server without TURN servers says nothing of them. The browser tier (turn.e2e.test.ts) proves
 * that a real coturn takes them.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../../server/cli';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

const TURN = { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'], secret: 'shared with coturn', ttlSeconds: 600 };

/** What coturn computes for a REST API username: base64(HMAC-SHA1(secret, username)). */
const coturnPassword = (secret: string, username: string) => createHmac('sha1', secret).update(username).digest('base64');

describe('TURN credentials', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('loggedIn carries the TURN servers with credentials for this user, expiring ttl seconds after the login; a ping asking for turn gets fresh ones', async () => {
    server = await testServer({ turn: TURN });
    const start = server.clock.now();
    const alice = await RawClient.login(server.handle.url, 'alice');
    const loggedIn = alice.frames.find((f) => f.type === 'loggedIn');
    const expiry = Math.floor(start / 1000) + 600;
    expect(loggedIn?.turn).toEqual({
      iceServers: [{ urls: TURN.urls, username: `${expiry}:alice`, credential: coturnPassword(TURN.secret, `${expiry}:alice`) }],
      ttl: 600,
    });

    await server.clock.advance(50_000); // (within the idle timeout)
    const pong = await alice.request({ type: 'ping', turn: true });
    const later = `${expiry + 50}:alice`;
    expect(pong).toMatchObject({ type: 'pong', turn: { iceServers: [{ urls: TURN.urls, username: later, credential: coturnPassword(TURN.secret, later) }], ttl: 600 } });
    // Not asked: not minted (the keepalive's every ping would otherwise carry them).
    expect((await alice.request({ type: 'ping' })).turn).toBeUndefined();
    alice.terminate();
  });

  it('credentials expire no later than the userSig the session holds (a session ends with it), also when renewed; a fresh userSig lets them live their ttl again', async () => {
    server = await testServer({ turn: TURN });
    const before = Math.floor(Date.now() / 1000);
    const alice = await RawClient.open(server.handle.url);
    const loggedIn = await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice', 300) });
    const after = Math.floor(Date.now() / 1000);
    const expiryOf = (grant: unknown) => Number((grant as { iceServers: Array<{ username: string }> }).iceServers[0]?.username.split(':')[0]);
    const nowSeconds = () => Math.floor(server!.clock.now() / 1000);
    const expiry = expiryOf(loggedIn.turn);
    expect(expiry).toBeGreaterThanOrEqual(before + 300);
    expect(expiry).toBeLessThanOrEqual(after + 300);
    expect(loggedIn.turn).toMatchObject({ ttl: expiry - nowSeconds() });

    await server.clock.advance(50_000);
    const renewed = await alice.request({ type: 'ping', turn: true });
    expect(expiryOf(renewed.turn)).toBe(expiry);
    expect(renewed.turn).toMatchObject({ ttl: expiry - nowSeconds() });

    const again = await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice', 86_400) });
    expect(again.turn).toMatchObject({ ttl: 600, iceServers: [{ username: `${nowSeconds() + 600}:alice` }] });
    alice.terminate();
  });

  it('a connection not logged in asking for turn gets a pong without it; a server without TURN servers never names them', async () => {
    server = await testServer({ turn: TURN });
    const stranger = await RawClient.open(server.handle.url);
    const pong = await stranger.request({ type: 'ping', turn: true });
    expect(pong.type).toBe('pong');
    expect(pong.turn).toBeUndefined();
    stranger.terminate();
    await server.dispose();

    server = await testServer();
    const bob = await RawClient.login(server.handle.url, 'bob');
    expect(bob.frames.find((f) => f.type === 'loggedIn')?.turn).toBeUndefined();
    expect((await bob.request({ type: 'ping', turn: true })).turn).toBeUndefined();
    bob.terminate();
  });

  it.each([
    [{ urls: [], secret: 's' }, 'turn.urls must list 1 to 8 TURN/STUN URIs'],
    [{ urls: ['http://turn.example.com'], secret: 's' }, 'turn.urls: "http://turn.example.com" is not a turn:, turns:, stun: or stuns: URI'],
    [{ urls: ['stun:stun.example.com:3478'], secret: 's' }, 'turn.urls must name a TURN server (turn: or turns:), not only STUN'],
    [{ urls: ['turn:turn.example.com'], secret: '' }, 'turn.secret is required (the secret the TURN server was given)'],
    [{ urls: ['turn:turn.example.com'], secret: 's', ttlSeconds: 30 }, 'turn.ttlSeconds must be a whole number of seconds from 60 to 604800'],
  ])('startServer refuses turn %j', async (turn, message) => {
    await expect(testServer({ turn })).rejects.toThrow(message);
  });

  // Each of these Chromium refuses (new RTCPeerConnection throws a SyntaxError), so every call of every user
  // would fail at its first peer connection, relay needed or not: refused at start instead.
  it.each(['turn:turn.example.com?transport=tls', 'turn:turn.example.com:99999', 'turn:turn.example.com:abc', 'stun:stun.example.com?transport=udp', 'turn:user@turn.example.com', 'turn::3478', 'turn:turn.example.com?transport=udp&x=1'])(
    'startServer refuses %s, which a browser refuses',
    async (url) => {
      await expect(testServer({ turn: { urls: [url], secret: 's' } })).rejects.toThrow(`turn.urls: ${JSON.stringify(url)} is not a turn:, turns:, stun: or stuns: URI`);
    },
  );

  it('startServer takes what browsers take: a port, an IPv6 address, ?transport=udp or tcp', async () => {
    const urls = ['turn:[2001:db8::1]:3478?transport=tcp', 'turns:turn.example.com:5349?transport=tcp', 'turn:192.0.2.1', 'stun:stun.example.com:3478'];
    server = await testServer({ turn: { urls, secret: 's' } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    expect(alice.frames.find((f) => f.type === 'loggedIn')?.turn).toMatchObject({ iceServers: [{ urls }] });
    alice.terminate();
  });
});

describe('TURN flags', () => {
  const base = ['--demo-signing'];
  it('--turn-urls, --turn-secret and --turn-ttl (or their variables) become the turn option', () => {
    const parsed = parseCli([...base, '--turn-urls', 'turn:a.example:3478,turns:a.example:5349', '--turn-ttl', '3600'], { HC_TURN_SECRET: 'x' });
    expect(parsed.ok && parsed.options.turn).toEqual({ urls: ['turn:a.example:3478', 'turns:a.example:5349'], secret: 'x', ttlSeconds: 3600 });
    const fromEnv = parseCli(base, { HC_TURN_URLS: 'turn:a.example', HC_TURN_SECRET: 'x' });
    expect(fromEnv.ok && fromEnv.options.turn).toEqual({ urls: ['turn:a.example'], secret: 'x', ttlSeconds: 86_400 });
    const none = parseCli(base, {});
    expect(none.ok && none.options.turn).toBeUndefined();
  });

  it.each([
    [['--turn-urls', 'turn:a.example'], '--turn-urls and --turn-secret go together'],
    [['--turn-secret', 'x'], '--turn-urls and --turn-secret go together'],
    [['--turn-ttl', '600'], '--turn-ttl is the lifetime of TURN credentials: give --turn-urls and --turn-secret too'],
    [['--turn-urls', 'turn:a.example, turn:b.example', '--turn-secret', 'x'], '--turn-urls: " turn:b.example" is not a turn:, turns:, stun: or stuns: URI'],
    [['--turn-urls', 'turn:a.example', '--turn-secret', 'x', '--turn-ttl', '59'], '--turn-ttl must be a whole number from 60 to 604800'],
  ])('%j is refused: %s', (flags, message) => {
    const parsed = parseCli([...base, ...flags], {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.text).toContain(message);
  });
});
