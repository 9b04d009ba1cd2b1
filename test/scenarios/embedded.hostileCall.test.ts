/**
 * Crash audit (2026-12-06), the client's side, mid-call: a real server behind a TCP proxy that
 * resets every connection, then refuses (503) or resets each new one, while the app calls,
 * accepts, hangs up, logs out and destroys. Nothing may reach the process (Node 20 ends it).
 *
 * The clients' time is injected (`hostileNet.ts`): their timeouts, keepalive and reconnect delays run
 * on one simulated clock that moves only once the real sockets are quiet (every frame written handled
 * and read, as the server's tap counts them; no dial under way but those the proxy holds silent).
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { SimulatedClock, drain } from '../../src/testing';
import type { TapEvent } from '../../server/index';
import { watchEachTest, watchProcess } from '../support/processWatch';
import { SDKAPPID, tencentUserSig } from '../support/embeddedWorld';
import { countedWebSocket, outcome as settled, quietClock, through, until } from '../support/hostileNet';
import { testServer, type TestServer } from '../server/support';

type Mode = 'pipe' | 'reset' | '503' | 'silent';

async function proxy(target: number) {
  let mode: Mode = 'pipe';
  const pairs = new Set<Socket>();
  /** Connections taken in silent mode and still open: dials that will never be answered. */
  const held = new Set<Socket>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    pairs.add(client);
    client.on('close', () => void (pairs.delete(client), held.delete(client)));
    if (mode === 'reset') return void client.once('data', () => client.resetAndDestroy());
    if (mode === '503') return void client.once('data', () => client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
    if (mode === 'silent') return void held.add(client);
    const upstream = connect(target, '127.0.0.1');
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    set: (m: Mode) => void (mode = m),
    silent: () => held.size,
    cut: () => {
      for (const s of pairs) s.resetAndDestroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of pairs) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** What the server's tap counts of each connection: frames handled, frames written, closed by the server. */
function tapCounts() {
  const conns = new Map<string, { in: number; out: number; closed: boolean }>();
  const of = (conn: string) => conns.get(conn) ?? conns.set(conn, { in: 0, out: 0, closed: false }).get(conn)!;
  const tap = (event: TapEvent) => {
    if (event.type === 'in') of(event.conn).in++;
    if (event.type === 'out') of(event.conn).out++;
    if (event.type === 'close' && event.by === 'server') of(event.conn).closed = true;
  };
  return { tap, of };
}

describe('crash audit: a server lost mid-call cannot end the client app', () => {
  const reached = watchEachTest();
  let server: TestServer;
  let net: Awaited<ReturnType<typeof proxy>>;
  let sockets: ReturnType<typeof countedWebSocket>;
  let clock: SimulatedClock;
  const clients: TRTCCalling[] = [];
  beforeEach(async () => {
    const counts = tapCounts();
    server = await testServer({ tap: counts.tap });
    net = await proxy(server.handle.port);
    sockets = countedWebSocket();
    const closed = (s: (typeof sockets.sockets)[number]) => s.ws.readyState === WebSocket.CLOSED;
    // Quiet: no dial under way but those the proxy holds silent, no close half done, and on each open socket
    // every frame written handled by the server and every frame it wrote read (the socket closed if it closed it).
    clock = quietClock(
      () =>
        sockets.connecting() <= net.silent() &&
        sockets.noneClosing() &&
        sockets.sockets.every((s) => {
          if (closed(s) || s.ws.readyState === WebSocket.CONNECTING) return true;
          const c = s.conn === null ? undefined : counts.of(s.conn);
          return c !== undefined && !c.closed && c.in >= s.sent && s.received >= c.out;
        }),
    );
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await through(clock, c.destroy()).catch(() => undefined);
    await net.close();
    await server.dispose();
    await until('every client socket closed', sockets.allClosed);
    await drain();
  });

  async function user(userID: string, more: Record<string, unknown> = {}) {
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${net.port}/ws`, WebSocket: sockets.WebSocket, clock, onListenerError: () => undefined, keepalive: { intervalMs: 100, timeoutMs: 100 }, requestTimeoutMs: 300, ...more });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    clients.push(calling);
    const invited: unknown[] = [];
    calling.on('onInvited', (e: unknown) => void invited.push(e));
    await calling.login({ userID, userSig: tencentUserSig(userID) });
    return { calling, invited };
  }
  /** Resets every connection; resolves once each client socket open then has seen it. */
  const cut = () => {
    const open = sockets.sockets.filter((s) => s.ws.readyState !== WebSocket.CLOSED);
    net.cut();
    return until('the cut sockets closed', () => open.every((s) => s.ws.readyState === WebSocket.CLOSED));
  };
  /** What the real waits were for: `ms` of (simulated) time, the sockets quiet before and after. */
  const settle = async (ms: number) => {
    await clock.advance(ms);
    await drain();
  };

  it.each<[Mode, string]>([
    ['503', 'hangup'],
    ['reset', 'hangup'],
    ['silent', 'hangup'],
    ['503', 'logout'],
    ['reset', 'destroy'],
    ['silent', 'destroy'],
  ])('in a call, every connection reset, then each new one %s; the app then calls %s()', async (mode, then) => {
    const alice = await user('alice');
    const bob = await user('bob');
    const call = settled(alice.calling.call({ userID: 'bob', type: 1 }));
    await until('bob invited', () => bob.invited.length > 0);
    expect(bob.invited.length).toBe(1);
    const accepted = settled(bob.calling.accept());
    await through(clock, call);
    await through(clock, accepted);
    net.set(mode);
    await cut();
    await clock.advance(50);
    const calls = [alice, bob].map(({ calling }) => settled(then === 'hangup' ? calling.hangup() : then === 'logout' ? calling.logout() : calling.destroy()));
    await clock.advance(700);
    await through(clock, Promise.all(calls));
    for (const { calling } of [alice, bob]) await through(clock, settled(calling.destroy()));
    await settle(200);
    expect(reached).toEqual([]);
  });

  it.each<Mode>(['reset', 'silent', '503'])('connections %s: logout() then login() again while it reconnects, then destroy() with both pending', async (mode) => {
    const alice = await user('alice');
    net.set(mode);
    await cut();
    await clock.advance(30);
    const out = settled(alice.calling.logout());
    const back = settled(alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice') }));
    const other = settled(alice.calling.call({ userID: 'bob', type: 1 }));
    await clock.advance(150);
    const destroyed = settled(alice.calling.destroy());
    await through(clock, Promise.all([out, back, other, destroyed]));
    await settle(300);
    expect(reached).toEqual([]);
  });

  it('a login the server refuses (bad userSig), and calls made while logged out: each promise rejects typed, no other one unheard', async () => {
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${net.port}/ws`, WebSocket: sockets.WebSocket, clock });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    clients.push(calling);
    expect(await settled(calling.login({ userID: 'alice', userSig: 'not a userSig' }))).toMatch(/^rejected \d+/);
    expect(await settled(calling.call({ userID: 'bob', type: 1 }))).toMatch(/^rejected/);
    expect(await settled(calling.hangup())).toBe('resolved');
    expect(await settled(calling.logout())).toMatch(/^(resolved|rejected)/);
    await settle(200);
    expect(reached).toEqual([]);
  });

  it('the connection reset as call() and accept() go out, back after a while', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const call = settled(alice.calling.call({ userID: 'bob', type: 1 }));
    await until('bob invited', () => bob.invited.length > 0);
    net.set('reset');
    const lost = cut();
    const accepted = settled(bob.calling.accept());
    const second = settled(alice.calling.call({ userID: 'carol', type: 1 }));
    await lost;
    await clock.advance(400);
    net.set('pipe');
    await clock.advance(1500);
    await through(clock, Promise.all([call, accepted, second]));
    const hang = [alice, bob].map(({ calling }) => settled(calling.hangup()));
    await through(clock, Promise.all(hang));
    await settle(200);
    expect(reached).toEqual([]);
  });
});

/**
 * The clients of the describes below on injected time, with their sockets counted: none of their waits is for a
 * timer (a clock nobody moves), each for a socket's event or for what the app's code was told.
 */
function appSide() {
  const sockets = countedWebSocket();
  return { sockets, clock: new SimulatedClock(Date.now()), closed: () => until('every client socket closed', sockets.allClosed).then(drain) };
}

describe('crash audit: an app option that throws cannot end the client app', () => {
  it("offline junk delivered with the login, the app's onDropped throws: nothing reaches the process", async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const { RawClient } = await import('../server/support');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    for (const payload of ['junk 1', 'junk 2']) await mallory.request({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false });
    const errors: unknown[] = [];
    const told = () => errors.map((e) => String(Array.isArray(e) ? e[1] : e));
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const app = appSide();
    try {
      const backend = embeddedBackend({ url: server.handle.url, WebSocket: app.sockets.WebSocket, clock: app.clock, onListenerError: (e) => void errors.push(e) });
      const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, onDropped: () => { throw new Error('app bug in onDropped'); } });
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await until('both junk messages dropped, or something reached the process', () => told().filter((e) => e === 'Error: app bug in onDropped').length >= 2 || reached.length > 0);
      await bob.destroy();
      await app.closed();
    } finally {
      console.error = original;
      stop();
      mallory.close?.();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(told()).toContain('Error: app bug in onDropped'); // the app's error still shows
  });
});

describe('crash audit: an async subscribe() listener that rejects cannot end the client app', () => {
  it('its rejection is handled and told as a throwing one is; nothing reaches the process', async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const told: unknown[] = [];
    let bob: TRTCCalling | null = null;
    const app = appSide();
    try {
      const backend = embeddedBackend({ url: server.handle.url, WebSocket: app.sockets.WebSocket, clock: app.clock });
      bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
      bob.on('onError', (e: unknown) => void told.push(e));
      bob.subscribe(async () => {
        throw new Error('app bug in an async subscriber');
      });
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await until('the rejection told, or something reached the process', () => told.length > 0 || reached.length > 0);
    } finally {
      await bob?.destroy();
      await app.closed();
      stop();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(told.length).toBeGreaterThan(0);
  });
});

describe('crash audit: an async presence listener that rejects cannot end the client app', () => {
  it('its rejection goes to onListenerError, as a throw does; nothing reaches the process', async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer({ presence: true });
    const told: unknown[] = [];
    const app = appSide();
    const backend = embeddedBackend({ url: server.handle.url, WebSocket: app.sockets.WebSocket, clock: app.clock, onListenerError: (e) => void told.push(e) });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      let calls = 0;
      backend.presence.subscribe(async () => {
        if (++calls > 0) throw new Error('app bug in an async presence listener'); // also the first call, made by subscribe() itself
      });
      await until('the rejection told, or something reached the process', () => told.map(String).includes('Error: app bug in an async presence listener') || reached.length > 0);
    } finally {
      await bob.destroy();
      await app.closed();
      stop();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(told.map(String)).toContain('Error: app bug in an async presence listener');
  });
});

describe("crash audit: an async onDropped that rejects cannot end the client app", () => {
  it('junk from another user, as it comes and held during the login: nothing reaches the process, the error shows', async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const { RawClient } = await import('../server/support');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'junk 1', onlineUserOnly: false });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args[args.length - 1]);
    const app = appSide();
    const backend = embeddedBackend({ url: server.handle.url, WebSocket: app.sockets.WebSocket, clock: app.clock, onListenerError: (e) => void errors.push(e) });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, onDropped: async () => { throw new Error('app bug in onDropped'); } });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'junk 2', onlineUserOnly: false });
      await until('both rejections told, or something reached the process', () => errors.map(String).filter((e) => e === 'Error: app bug in onDropped').length >= 2 || reached.length > 0);
    } finally {
      await bob.destroy();
      await app.closed();
      console.error = original;
      stop();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(errors.map(String).filter((e) => e === 'Error: app bug in onDropped')).toHaveLength(2);
  });
});

describe('crash audit: an async inspector that rejects cannot end the client app', () => {
  it('nothing reaches the process; the error is told once on the console', async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args[args.length - 1]);
    const app = appSide();
    const backend = embeddedBackend({ url: server.handle.url, WebSocket: app.sockets.WebSocket, clock: app.clock });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, inspect: async () => { throw new Error('app bug in the inspector'); } });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await until('the rejection told, or something reached the process', () => errors.length > 0 || reached.length > 0);
    } finally {
      await bob.destroy();
      await app.closed();
      console.error = original;
      stop();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(errors.map(String)).toEqual(['Error: app bug in the inspector']);
  });
});
