/**
 * The client's TURN credentials from a server with TURN servers (`turn` / `--turn-urls`): the login
 * brings a set, and once half its lifetime is spent the keepalive's next ping asks for a fresh one,
 * so that a page logged in for days still relays its calls. A login to a server without TURN
 * servers drops the set of the login before. The browser tier (turn.e2e.test.ts) shows a call
 * relayed by a real coturn with them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../adapters/clock';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

const TURN = { urls: ['turn:turn.example.com:3478'], secret: 'shared with coturn', ttlSeconds: 120 };

describe('TURN credentials on the client', () => {
  let world: EmbeddedWorld | undefined;
  afterEach(async () => {
    await world?.dispose();
    world = undefined;
  });

  const expiryOf = (servers: ReadonlyArray<RTCIceServer>) => servers.map((s) => Number(String(s.username).split(':')[0]));

  it('the login brings them; the first ping once half their lifetime is spent asks for fresh ones, the pings before it do not', async () => {
    world = makeEmbeddedWorld({ server: { turn: TURN } });
    const backend = world.backend({ keepalive: { intervalMs: 20_000, timeoutMs: 10_000 } });
    const start = world.clock.now();
    await backend.im.login('alice', world.userSig('alice'));
    await world.settle();
    const first = Math.floor(start / 1000) + 120;
    expect(backend.connection.iceServers.map((s) => ({ ...s }))).toEqual([{ urls: TURN.urls, username: `${first}:alice`, credential: expect.any(String) }]);

    // Pings at 20 s and 40 s: the credentials have 80 s and more left, nobody asks.
    await world.advance(45_000);
    expect(expiryOf(backend.connection.iceServers)).toEqual([first]);
    // The ping at 60 s (half of 120 s spent) asks, and its pong brings a set expiring 120 s after it.
    await world.advance(20_000);
    expect(expiryOf(backend.connection.iceServers)).toEqual([first + 60]);
    // The next renewal is due 60 s after that one, not at every ping.
    await world.advance(40_000);
    expect(expiryOf(backend.connection.iceServers)).toEqual([first + 60]);
    await world.advance(20_000);
    expect(expiryOf(backend.connection.iceServers)).toEqual([first + 120]);
  });

  it('logged out: the user\'s credentials are not kept (another user of the page, or the app, finds none); a server without TURN servers gives none', async () => {
    world = makeEmbeddedWorld({ server: { turn: TURN } });
    const backend = world.backend();
    await backend.im.login('alice', world.userSig('alice'));
    await world.settle();
    expect(backend.connection.iceServers).toHaveLength(1);
    await backend.im.logout();
    await world.settle();
    expect(backend.connection.iceServers).toEqual([]);
    await world.restartServer({ turn: undefined });
    await backend.im.login('alice', world.userSig('alice'));
    await world.settle();
    expect(backend.connection.iceServers).toEqual([]);
  });

  it('the page\'s clock set back an hour after the login: the renewal still comes once half their lifetime is spent (before: an hour late, the set expired 30 min before)', async () => {
    world = makeEmbeddedWorld({ server: { turn: { ...TURN, ttlSeconds: 3600 } } });
    // The page's wall clock, which the user (or NTP) may move; its timers still run in real time.
    let skew = 0;
    const clock: Clock = { now: () => world!.clock.now() + skew, setTimeout: (fn, ms) => world!.clock.setTimeout(fn, ms), clearTimeout: (id) => world!.clock.clearTimeout(id) };
    const backend = world.backend({ clock, keepalive: { intervalMs: 20_000, timeoutMs: 10_000 } });
    const first = Math.floor(world.clock.now() / 1000) + 3600;
    await backend.im.login('alice', world.userSig('alice'));
    await world.settle();
    await world.advance(10 * 60_000);
    skew = -3_600_000;
    // Half of the hour is spent 30 min after the login: the first ping after it asks.
    await world.advance(21 * 60_000);
    expect(expiryOf(backend.connection.iceServers)).toEqual([first + 1800]);
  });
});
