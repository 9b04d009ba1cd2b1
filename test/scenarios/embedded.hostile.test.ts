/**
 * Crash audit (2026-12-06), the client's side: what a hostile or failing server can do to a Node
 * app using `embeddedBackend({ url, WebSocket })` with `ws`. Under Node 20 an unhandled rejection or
 * an unheard 'error' ends the app's process; each test records what reaches the process.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { watchEachTest } from '../support/processWatch';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash audit: a hostile server cannot end the client app', () => {
  const reached = watchEachTest();
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await sleep(50);
  });

  /** A TCP server doing `onSocket` with each connection. */
  async function rawServer(onSocket: (socket: Socket) => void): Promise<number> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
    return (server.address() as AddressInfo).port;
  }

  /** A WebSocket server answering each login with `loggedIn`, then doing `after` with the socket. */
  async function fakeServer(after: (ws: WebSocket, frame: Record<string, unknown>) => void): Promise<number> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type === 'login') {
          ws.send(JSON.stringify({ type: 'loggedIn', rid: frame.rid, userID: frame.userID, session: 's1', resumed: false, room: null, serverTime: Date.now() }));
        }
        after(ws, frame);
      });
    });
    closers.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }));
    return (wss.address() as AddressInfo).port;
  }

  function client(port: number, more: Record<string, unknown> = {}): TRTCCalling {
    // A logout these servers never answer waits for its request's timeout: 1 s, not 30 s.
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, onListenerError: () => undefined, requestTimeoutMs: 1000, ...more });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => calling.destroy().catch(() => undefined));
    return calling;
  }

  const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => `rejected ${(e as { code?: unknown }).code}`);

  it('nothing listens at login()', async () => {
    const port = await rawServer(() => undefined);
    closers.splice(0).forEach((c) => void c());
    await sleep(50);
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['503', 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'],
    ['404', 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n'],
    ['garbage', 'garbage\r\n\r\n'],
  ])('the handshake answered %s', async (_, answer) => {
    const port = await rawServer((socket) => socket.once('data', () => socket.end(answer)));
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('the handshake reset', async () => {
    const port = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    expect(await outcome(client(port).login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('the handshake never answered (login timeout), then destroy()', async () => {
    const port = await rawServer(() => undefined);
    const calling = client(port, { loginTimeoutMs: 200 });
    expect(await outcome(calling.login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await calling.destroy();
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('destroy() while the handshake waits', async () => {
    const port = await rawServer(() => undefined);
    const calling = client(port);
    const login = outcome(calling.login({ userID: 'alice', userSig: 'sig' }));
    await sleep(50);
    await calling.destroy();
    expect(await login).toMatch(/^rejected/);
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['garbage text', (ws: WebSocket) => ws.send('{not json')],
    ['binary', (ws: WebSocket) => ws.send(Buffer.from([1, 2, 3]))],
    ['an unknown frame', (ws: WebSocket) => ws.send(JSON.stringify({ type: 'what' }))],
    ['an error push', (ws: WebSocket) => ws.send(JSON.stringify({ type: 'error', code: 'internal', message: 'x' }))],
    ['an odd close code', (ws: WebSocket) => ws.close(4999, 'odd')],
    ['close 1011', (ws: WebSocket) => ws.close(1011)],
    ['a reset', (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket.resetAndDestroy()],
    ['an invalid frame', (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0x8f, 0x00]))],
    ['invalid UTF-8', (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0x81, 0x02, 0xff, 0xfe]))],
  ])('once logged in, the server sends %s', async (_, act) => {
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login') setTimeout(() => act(ws), 20);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await sleep(200);
    await calling.destroy();
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('the server resets during call(): the call fails, no promise rejects unheard', async () => {
    const port = await fakeServer((ws, frame) => {
      if (frame.type !== 'login') (ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    expect(await outcome(calling.call({ userID: 'bob', type: 1 }))).toMatch(/^rejected/);
    await sleep(200);
    await calling.destroy();
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('the server never answers during call(), hangup() and destroy() (request timeouts)', async () => {
    const port = await fakeServer(() => undefined);
    const calling = client(port, { requestTimeoutMs: 100, keepalive: { intervalMs: 50, timeoutMs: 50 } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    const call = outcome(calling.call({ userID: 'bob', type: 1 }));
    await sleep(20);
    const hangup = outcome(calling.hangup());
    await sleep(300);
    const destroyed = outcome(calling.destroy());
    await call;
    await hangup;
    await destroyed;
    await sleep(200);
    expect(reached).toEqual([]);
  });

  it('destroy() while reconnecting, and logout() racing the keepalive', async () => {
    let n = 0;
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login' && n++ === 0) setTimeout(() => ws.close(1011), 20);
      else if (frame.type === 'login') setTimeout(() => (ws as unknown as { _socket: Socket })._socket.resetAndDestroy(), 5);
    });
    // A logout this server never answers waits for its request's timeout (resent at each reconnection): 300 ms, not 30 s.
    const calling = client(port, { requestTimeoutMs: 300, keepalive: { intervalMs: 30, timeoutMs: 30 }, reconnect: { nextRetryDelayInMs: () => 10 } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await sleep(100);
    const out = outcome(calling.logout());
    await sleep(5);
    await calling.destroy();
    await out;
    await sleep(200);
    expect(reached).toEqual([]);
  });

  it('a cluster: the first URL resets, the second answers 503, the third logs in; then destroy()', async () => {
    const reset = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const refused = await rawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n')));
    const good = await fakeServer(() => undefined);
    const url = [reset, refused, good].map((p) => `ws://127.0.0.1:${p}/ws`);
    const backend = embeddedBackend({ url, WebSocket, onListenerError: () => undefined, requestTimeoutMs: 1000 });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => calling.destroy().catch(() => undefined));
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it.each([
    ['an oversized frame header', (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0x81, 127, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]))],
    ['a kick', (ws: WebSocket) => ws.send(JSON.stringify({ type: 'kicked', reason: 'multipleAccount' }))],
    ['a close 1008', (ws: WebSocket) => ws.close(1008, 'policy')],
    ['a close 4001', (ws: WebSocket) => ws.close(4001)],
  ])('right after the login, %s (reconnecting at once)', async (_, act) => {
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login') act(ws);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => 5 } });
    await outcome(calling.login({ userID: 'alice', userSig: 'sig' }));
    await sleep(300);
    await outcome(calling.destroy());
    await sleep(100);
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
    const calling = client((wss.address() as AddressInfo).port);
    expect(await outcome(calling.login({ userID: 'alice', userSig: 'sig' }))).toMatch(/^rejected/);
    await sleep(100);
    expect(reached).toEqual([]);
  });

  it('a reconnect policy that throws: the connection gives up (its error told), nothing reaches the process', async () => {
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login') setTimeout(() => ws.close(1011), 20);
    });
    const told: unknown[] = [];
    const policy = { nextRetryDelayInMs: () => { throw new Error('app bug in the policy'); } };
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, onListenerError: (e) => void told.push(e), reconnect: policy });
    const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
    closers.push(() => calling.destroy().catch(() => undefined));
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await sleep(200);
    expect(reached).toEqual([]);
    expect(told.map(String)).toContain('Error: app bug in the policy');
    expect(backend.connection.ready).toBe(false);
  });

  it.each([
    ['throws', () => { throw new Error('app bug in onListenerError'); }],
    ['rejects', async () => { throw new Error('app bug in onListenerError'); }],
  ])('an onListenerError that %s, told of a garbage frame: nothing reaches the process', async (_, onListenerError) => {
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login') setTimeout(() => ws.send('{not json'), 20);
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args[args.length - 1]);
    try {
      const calling = client(port, { onListenerError });
      await calling.login({ userID: 'alice', userSig: 'sig' });
      await sleep(100);
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
    const port = await fakeServer((ws, frame) => {
      if (frame.type === 'login') setTimeout(() => { for (const f of frames(frame.rid as number)) ws.send(JSON.stringify(f)); }, 20);
    });
    const calling = client(port, { reconnect: { nextRetryDelayInMs: () => null } });
    await calling.login({ userID: 'alice', userSig: 'sig' });
    await sleep(200);
    await outcome(calling.call({ userID: 'bob', type: 1 }));
    await outcome(calling.destroy());
    await sleep(100);
    expect(reached).toEqual([]);
  });
});
