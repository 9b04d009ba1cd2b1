/**
 * Crash audit (2026-12-06), the client's side: what a hostile or failing server can do to a Node
 * app using `embeddedBackend({ url, WebSocket })` with `ws`. Under Node 20 an unhandled rejection or
 * an unheard 'error' ends the app's process; each test records what reaches the process.
 *
 * The client's time is injected (`hostileNet.ts`): its timeouts, keepalive and reconnect delays, and
 * the fake server's own delays, run on one simulated clock that moves only once the real sockets are
 * quiet; every other wait ends on a socket's event.
 */
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { type SimulatedClock, drain } from '../../src/testing';
import { watchEachTest } from '../support/processWatch';
import { type AuditServer, type FakeConn, countedWebSocket, fakeServer as startFake, outcome, quietClock, rawServer as startRaw, through, until } from '../support/hostileNet';

/** A logout these servers never answer waits for its request's timeout (simulated): 1 s, not 30 s. */
const REQUEST_TIMEOUT_MS = 1000;

describe('crash audit: a hostile server cannot end the client app', () => {
  const reached = watchEachTest();
  const closers: (() => Promise<unknown> | void)[] = [];
  let sockets: ReturnType<typeof countedWebSocket>;
  /** What must hold before simulated time moves: the sockets of the server started last are quiet. */
  let quiet: () => boolean;
  let clock: SimulatedClock;
  beforeEach(() => {
    sockets = countedWebSocket();
    quiet = () => true;
    clock = quietClock(() => quiet());
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await until('every client socket closed', sockets.allClosed);
    await drain();
  });

  function started<T extends AuditServer>(server: T): T {
    quiet = server.quiet;
    closers.push(() => server.close());
    return server;
  }
  const rawServer = async (onSocket: (socket: Socket) => void) => started(await startRaw(sockets, onSocket));
  const fakeServer = async (after: (conn: FakeConn, frame: Record<string, unknown>) => void) => started(await startFake(sockets, after));

  function client(port: number, more: Record<string, unknown> = {}): TRTCCalling {
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${port}/ws`, WebSocket: sockets.WebSocket, clock, onListenerError: () => undefined, requestTimeoutMs: REQUEST_TIMEOUT_MS, ...more });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => through(clock, calling.destroy()).catch(() => undefined));
    return calling;
  }

  /** What the real waits were for: `ms` of (simulated) time, the sockets quiet before and after. */
  const settle = async (ms: number) => {
    await clock.advance(ms);
    await drain();
  };

  it('nothing listens at login()', async () => {
    const { port } = await rawServer(() => undefined);
    for (const close of closers.splice(0)) await close();
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await settle(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['503', 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'],
    ['404', 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n'],
    ['garbage', 'garbage\r\n\r\n'],
  ])('the handshake answered %s', async (_, answer) => {
    const { port } = await rawServer((socket) => socket.once('data', () => socket.end(answer)));
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('the handshake reset', async () => {
    const { port } = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('the handshake never answered (login timeout), then destroy()', async () => {
    const raw = await rawServer(() => undefined);
    const calling = client(raw.port, { loginTimeoutMs: 200 });
    const login = outcome(calling.login({ userID: 'alice', userSig: 'sig' }));
    await until('the handshake to reach the server', () => raw.waiting() === 1);
    await clock.advance(200);
    expect(await login).toMatch(/^rejected/);
    await through(clock, calling.destroy());
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('destroy() while the handshake waits', async () => {
    const raw = await rawServer(() => undefined);
    const calling = client(raw.port);
    const login = outcome(calling.login({ userID: 'alice', userSig: 'sig' }));
    await until('the handshake to reach the server', () => raw.waiting() === 1);
    await through(clock, calling.destroy());
    expect(await login).toMatch(/^rejected/);
    await settle(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['garbage text', (c: FakeConn) => c.send('{not json')],
    ['binary', (c: FakeConn) => c.send(Buffer.from([1, 2, 3]))],
    ['an unknown frame', (c: FakeConn) => c.send(JSON.stringify({ type: 'what' }))],
    ['an error push', (c: FakeConn) => c.send(JSON.stringify({ type: 'error', code: 'internal', message: 'x' }))],
    ['an odd close code', (c: FakeConn) => c.close(4999, 'odd')],
    ['close 1011', (c: FakeConn) => c.close(1011)],
    ['a reset', (c: FakeConn) => c.reset()],
    ['an invalid frame', (c: FakeConn) => c.raw(Buffer.from([0x8f, 0x00]))],
    ['invalid UTF-8', (c: FakeConn) => c.raw(Buffer.from([0x81, 0x02, 0xff, 0xfe]))],
  ])('once logged in, the server sends %s', async (_, act) => {
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login') clock.setTimeout(() => act(c), 20);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await settle(200);
    await through(clock, calling.destroy());
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('the server resets during call(): the call fails, no promise rejects unheard', async () => {
    const { port } = await fakeServer((c, frame) => {
      if (frame.type !== 'login') c.reset();
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    expect(await through(clock, outcome(calling.call({ userID: 'bob', type: 1 })))).toMatch(/^rejected/);
    await settle(200);
    await through(clock, calling.destroy());
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('the server never answers during call(), hangup() and destroy() (request timeouts)', async () => {
    const { port } = await fakeServer(() => undefined);
    const calling = client(port, { requestTimeoutMs: 100, keepalive: { intervalMs: 50, timeoutMs: 50 } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    const call = outcome(calling.call({ userID: 'bob', type: 1 }));
    await clock.advance(20);
    const hangup = outcome(calling.hangup());
    await clock.advance(300);
    const destroyed = outcome(calling.destroy());
    await through(clock, Promise.all([call, hangup, destroyed]));
    await settle(200);
    expect(reached).toEqual([]);
  });

  it('destroy() while reconnecting, and logout() racing the keepalive', async () => {
    let n = 0;
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login' && n++ === 0) clock.setTimeout(() => c.close(1011), 20);
      else if (frame.type === 'login') clock.setTimeout(() => c.reset(), 5);
    });
    // A logout this server never answers waits for its request's timeout (resent at each reconnection): 300 ms, not 30 s.
    const calling = client(port, { requestTimeoutMs: 300, keepalive: { intervalMs: 30, timeoutMs: 30 }, reconnect: { nextRetryDelayInMs: () => 10 } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await clock.advance(100);
    // The logout goes out on a socket logged in (the next reconnection's), is never answered, and is resent at each
    // reconnection; 5 ms later that socket has been reset: destroy() while reconnecting.
    const loggedIn = () => sockets.sockets.at(-1)?.ws.readyState === WebSocket.OPEN;
    while (!loggedIn()) await clock.advance(5);
    const out = outcome(calling.logout());
    await clock.advance(5);
    expect(loggedIn()).toBe(false);
    await through(clock, calling.destroy());
    await through(clock, out);
    await settle(200);
    expect(reached).toEqual([]);
  });

  it('a cluster: the first URL resets, the second answers 503, the third logs in; then destroy()', async () => {
    const reset = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const refused = await rawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n')));
    const good = await fakeServer(() => undefined);
    const url = [reset, refused, good].map((s) => `ws://127.0.0.1:${s.port}/ws`);
    const backend = embeddedBackend({ url, WebSocket: sockets.WebSocket, clock, onListenerError: () => undefined, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => through(clock, calling.destroy()).catch(() => undefined));
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await settle(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['an oversized frame header', (c: FakeConn) => c.raw(Buffer.from([0x81, 127, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]))],
    ['a kick', (c: FakeConn) => c.send(JSON.stringify({ type: 'kicked', reason: 'multipleAccount' }))],
    ['a close 1008', (c: FakeConn) => c.close(1008, 'policy')],
    ['a close 4001', (c: FakeConn) => c.close(4001)],
  ])('right after the login, %s (reconnecting at once)', async (_, act) => {
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login') act(c);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => 5 } });
    await outcome(calling.login({ userID: 'alice', userSig: 'sig' }));
    await settle(300);
    // destroy() lands as the next reconnection dials (its socket still connecting), if one comes within the policy's 5 ms.
    let destroyed: Promise<string> | null = null;
    sockets.hooks.onDial = () => void (destroyed ??= outcome(calling.destroy()));
    await settle(5);
    sockets.hooks.onDial = null;
    await through(clock, destroyed ?? outcome(calling.destroy()));
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('the socket closes right after its upgrade, before the login is answered; also on each retry', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.send('{"type":"pong"}');
      ws.close(1001);
    });
    closers.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    // Quiet once no socket dials, closes or stays open (this server closes each one).
    quiet = () => sockets.sockets.every((s) => s.ws.readyState === WebSocket.CLOSED);
    const calling = client((wss.address() as AddressInfo).port);
    expect(await outcome(calling.login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await settle(100);
    expect(reached).toEqual([]);
  });

  it('a reconnect policy that throws: the connection gives up (its error told), nothing reaches the process', async () => {
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login') clock.setTimeout(() => c.close(1011), 20);
    });
    const told: unknown[] = [];
    const policy = { nextRetryDelayInMs: () => { throw new Error('app bug in the policy'); } };
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${port}/ws`, WebSocket: sockets.WebSocket, clock, onListenerError: (e) => void told.push(e), reconnect: policy });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => through(clock, calling.destroy()).catch(() => undefined));
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await settle(200);
    expect(reached).toEqual([]);
    expect(told.map(String)).toContain('Error: app bug in the policy');
    expect(backend.connection.ready).toBe(false);
  });

  it.each([
    ['throws', () => { throw new Error('app bug in onListenerError'); }],
    ['rejects', async () => { throw new Error('app bug in onListenerError'); }],
  ])('an onListenerError that %s, told of a garbage frame: nothing reaches the process', async (_, onListenerError) => {
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login') clock.setTimeout(() => c.send('{not json'), 20);
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args[args.length - 1]);
    try {
      const calling = client(port, { onListenerError });
      await calling.login({ userID: 'alice', userSig: 'sig' });
      await settle(100);
    } finally {
      console.error = original;
    }
    expect(reached).toEqual([]);
    expect(errors.map(String)).toContain('Error: app bug in onListenerError');
  });

  it('once logged in, a burst of well-formed frames nobody asked for (room notices, relays, answers to no request, junk and repeated messages, presence, a second loggedIn): nothing reaches the process', async () => {
    const frames = (rid: number) => [
      { type: 'userEntered', roomID: 7, userID: 'bob', audio: true, video: false },
      { type: 'memberState', roomID: 7, userID: 'bob', audio: false, video: true },
      { type: 'userLeft', roomID: 7, userID: 'bob' },
      { type: 'relayed', roomID: 7, from: 'bob', data: '{"x":' },
      { type: 'relayed', roomID: 7, from: 'bob', data: 'junk', held: 1, early: true },
      { type: 'ack', rid: 999 },
      { type: 'pong', rid: 998, serverTime: -1 },
      { type: 'roomInfo', rid: 997, roomID: 7, members: [] },
      { type: 'groupInfo', rid: 996, groupID: 'g', members: ['bob'] },
      { type: 'error', rid: 995, code: 'internal', message: 'x' },
      { type: 'message', id: 'm1', seq: 1, from: 'bob', payload: 'junk', sentAt: 0 },
      { type: 'message', id: 'm1', seq: 1, from: 'bob', payload: 'junk', sentAt: 0 },
      { type: 'message', id: 'm2', seq: 2, from: 'bob', groupID: 'g', payload: '{"businessID":1,"data":"{}"}', sentAt: 1e15, call: { inviteID: 'i', roomID: 7 } },
      { type: 'presence', snapshot: false, online: ['bob'], offline: ['carol'] },
      { type: 'loggedIn', rid, userID: 'mallory', session: 's2', resumed: true, room: { roomID: 7, members: [] }, serverTime: Number.MAX_VALUE },
    ];
    const { port } = await fakeServer((c, frame) => {
      if (frame.type === 'login') clock.setTimeout(() => { for (const f of frames(frame.rid as number)) c.send(JSON.stringify(f)); }, 20);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await settle(200);
    await through(clock, outcome(calling.call({ userID: 'bob', type: 1 })));
    await through(clock, outcome(calling.destroy()));
    await settle(100);
    expect(reached).toEqual([]);
  });
});
