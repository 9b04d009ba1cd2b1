/**
 * Crash audit (2026-12-06), the client's side, mid-call: a real server behind a TCP proxy that
 * resets every connection, then refuses (503) or resets each new one, while the app calls,
 * accepts, hangs up, logs out and destroys. Nothing may reach the process (Node 20 ends it).
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { watchEachTest, watchProcess } from '../support/processWatch';
import { SDKAPPID, tencentUserSig } from '../support/embeddedWorld';
import { testServer, type TestServer } from '../server/support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Mode = 'pipe' | 'reset' | '503' | 'silent';

async function proxy(target: number) {
  let mode: Mode = 'pipe';
  const pairs = new Set<Socket>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    pairs.add(client);
    client.on('close', () => pairs.delete(client));
    if (mode === 'reset') return void client.once('data', () => client.resetAndDestroy());
    if (mode === '503') return void client.once('data', () => client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
    if (mode === 'silent') return;
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
    cut: () => {
      for (const s of pairs) s.resetAndDestroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of pairs) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('crash audit: a server lost mid-call cannot end the client app', () => {
  const reached = watchEachTest();
  let server: TestServer;
  let net: Awaited<ReturnType<typeof proxy>>;
  const clients: TRTCCalling[] = [];
  beforeEach(async () => {
    server = await testServer();
    net = await proxy(server.handle.port);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.destroy().catch(() => undefined);
    await net.close();
    await server.dispose();
    await sleep(50);
  });

  async function user(userID: string, more: Record<string, unknown> = {}) {
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${net.port}/ws`, WebSocket, onListenerError: () => undefined, keepalive: { intervalMs: 100, timeoutMs: 100 }, requestTimeoutMs: 300, ...more });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    clients.push(calling);
    const invited: unknown[] = [];
    calling.on('onInvited', (e: unknown) => void invited.push(e));
    await calling.login({ userID, userSig: tencentUserSig(userID) });
    return { calling, invited };
  }
  const settled = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => `rejected ${(e as { code?: unknown }).code}`);
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await sleep(10);
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
    await until(() => bob.invited.length > 0);
    expect(bob.invited.length).toBe(1);
    const accepted = settled(bob.calling.accept());
    await call;
    await accepted;
    net.set(mode);
    net.cut();
    await sleep(50);
    const calls = [alice, bob].map(({ calling }) => settled(then === 'hangup' ? calling.hangup() : then === 'logout' ? calling.logout() : calling.destroy()));
    await sleep(700);
    await Promise.all(calls);
    for (const { calling } of [alice, bob]) await settled(calling.destroy());
    await sleep(200);
    expect(reached).toEqual([]);
  });

  it.each<Mode>(['reset', 'silent', '503'])('connections %s: logout() then login() again while it reconnects, then destroy() with both pending', async (mode) => {
    const alice = await user('alice');
    net.set(mode);
    net.cut();
    await sleep(30);
    const out = settled(alice.calling.logout());
    const back = settled(alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice') }));
    const other = settled(alice.calling.call({ userID: 'bob', type: 1 }));
    await sleep(150);
    const destroyed = settled(alice.calling.destroy());
    await Promise.all([out, back, other, destroyed]);
    await sleep(300);
    expect(reached).toEqual([]);
  });

  it('a login the server refuses (bad userSig), and calls made while logged out: each promise rejects typed, no other one unheard', async () => {
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${net.port}/ws`, WebSocket });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    clients.push(calling);
    expect(await settled(calling.login({ userID: 'alice', userSig: 'not a userSig' }))).toMatch(/^rejected \d+/);
    expect(await settled(calling.call({ userID: 'bob', type: 1 }))).toMatch(/^rejected/);
    expect(await settled(calling.hangup())).toBe('resolved');
    expect(await settled(calling.logout())).toMatch(/^(resolved|rejected)/);
    await sleep(200);
    expect(reached).toEqual([]);
  });

  it('the connection reset as call() and accept() go out, back after a while', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const call = settled(alice.calling.call({ userID: 'bob', type: 1 }));
    await until(() => bob.invited.length > 0);
    net.set('reset');
    net.cut();
    const accepted = settled(bob.calling.accept());
    const second = settled(alice.calling.call({ userID: 'carol', type: 1 }));
    await sleep(400);
    net.set('pipe');
    await sleep(1500);
    await Promise.all([call, accepted, second]);
    const hang = [alice, bob].map(({ calling }) => settled(calling.hangup()));
    await Promise.all(hang);
    await sleep(200);
    expect(reached).toEqual([]);
  });
});

describe('crash audit: an app option that throws cannot end the client app', () => {
  it("offline junk delivered with the login, the app's onDropped throws: nothing reaches the process", async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const { RawClient } = await import('../server/support');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    for (const payload of ['junk 1', 'junk 2']) await mallory.request({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const backend = embeddedBackend({ url: server.handle.url, WebSocket, onListenerError: (e) => void errors.push(e) });
      const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, onDropped: () => { throw new Error('app bug in onDropped'); } });
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await sleep(200);
      await bob.destroy();
      await sleep(50);
    } finally {
      console.error = original;
      stop();
      mallory.close?.();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(errors.map((e) => String(Array.isArray(e) ? e[1] : e))).toContain('Error: app bug in onDropped'); // the app's error still shows
  });
});

describe('crash audit: an async subscribe() listener that rejects cannot end the client app', () => {
  it('its rejection is handled and told as a throwing one is; nothing reaches the process', async () => {
    const { reached, stop } = watchProcess();
    const server = await testServer();
    const told: unknown[] = [];
    let bob: TRTCCalling | null = null;
    try {
      const backend = embeddedBackend({ url: server.handle.url, WebSocket });
      bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
      bob.on('onError', (e: unknown) => void told.push(e));
      bob.subscribe(async () => {
        throw new Error('app bug in an async subscriber');
      });
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await sleep(100);
    } finally {
      await bob?.destroy();
      await sleep(50);
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
    const backend = embeddedBackend({ url: server.handle.url, WebSocket, onListenerError: (e) => void told.push(e) });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      let calls = 0;
      backend.presence.subscribe(async () => {
        if (++calls > 0) throw new Error('app bug in an async presence listener'); // also the first call, made by subscribe() itself
      });
      await sleep(300);
    } finally {
      await bob.destroy();
      await sleep(50);
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
    const backend = embeddedBackend({ url: server.handle.url, WebSocket, onListenerError: (e) => void errors.push(e) });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, onDropped: async () => { throw new Error('app bug in onDropped'); } });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'junk 2', onlineUserOnly: false });
      await sleep(200);
    } finally {
      await bob.destroy();
      await sleep(50);
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
    const backend = embeddedBackend({ url: server.handle.url, WebSocket });
    const bob = new TRTCCalling({ SDKAppID: SDKAPPID, backend, inspect: async () => { throw new Error('app bug in the inspector'); } });
    try {
      await bob.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      await sleep(100);
    } finally {
      await bob.destroy();
      await sleep(50);
      console.error = original;
      stop();
      await server.dispose();
    }
    expect(reached).toEqual([]);
    expect(errors.map(String)).toEqual(['Error: app bug in the inspector']);
  });
});
