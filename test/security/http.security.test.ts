/**
 * Attack: one unauthenticated HTTP request with a request target `new URL` cannot parse (`//[`,
 * `//a:99999`, `//%zz`) threw out of the request and upgrade listeners and ended the process,
 * and every call on the server with it. Each is now a plain 400 (or a refused upgrade), and the
 * server goes on answering.
 */
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Limits, type ServerHandle, silentLogger, startServer } from '../../server/index';
import { SDKAPPID, SECRET_KEY } from '../support/embeddedWorld';
import { until } from './support';

/** Sends `request` raw and resolves with the status line of the answer ('' if the socket just closed). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

const BAD_TARGETS = ['//[', '//a:99999', '//0x100000000', '//%zz'];

describe('the HTTP side refuses what it cannot parse, and stays up', () => {
  let dir: string;
  let server: ServerHandle;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-http-'));
    server = await startServer({ port: 0, dbPath: join(dir, 'calling.db'), sdkAppId: SDKAPPID, secretKey: SECRET_KEY, logger: silentLogger });
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(BAD_TARGETS)('GET %s -> 400, and /healthz still answers', async (target) => {
    expect(await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 200 OK');
  });

  it.each(BAD_TARGETS)('a WebSocket upgrade to %s is refused, and /healthz still answers', async (target) => {
    const upgrade = `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    expect(await raw(server.port, upgrade)).toBe('HTTP/1.1 404 Not Found');
    expect(await raw(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 200 OK');
  });
});

/** Opens a TCP socket that sends `head` (maybe nothing) and then waits; resolves once connected. */
function idle(port: number, head = ''): Promise<{ socket: ReturnType<typeof connect>; closed: () => boolean; text: () => string }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    let text = '';
    const socket = connect(port, '127.0.0.1', () => {
      if (head) socket.write(head);
      resolve({ socket, closed: () => closed, text: () => text });
    });
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => (closed = true));
  });
}

/** The status of a WebSocket handshake: 101 when it opened (then closed), else the HTTP status. */
function wsStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

describe('plain HTTP sockets are capped like WebSockets', () => {
  let dir: string;
  let server: ServerHandle;
  const sockets: { socket: { destroy(): void } }[] = [];
  const start = async (limits: Partial<Limits>) => {
    server = await startServer({ port: 0, dbPath: join(dir, 'calling.db'), sdkAppId: SDKAPPID, secretKey: SECRET_KEY, logger: silentLogger, limits });
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hc-http-'));
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.socket.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('5 idle HTTP sockets from one address hold its 5 connections: a WebSocket from there gets 503 until they go', async () => {
    await start({ maxConnectionsPerIp: 5, ipConnectRate: { perSecond: 100, burst: 100 } });
    for (let i = 0; i < 5; i++) sockets.push(await idle(server.port, i % 2 ? 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' : ''));
    expect(await wsStatus(server.port)).toBe(503);
    expect(await raw(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(server.metrics().limits).toEqual({ maxConnectionsPerIp: 2 });
    for (const s of sockets.splice(0)) s.socket.destroy();
        let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = await wsStatus(server.port);
      if (status !== 101) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(101);
  });

  it('slowloris: a socket that never finishes its headers is closed after --http-headers-timeout-ms, and so is an idle keep-alive one', async () => {
    await start({ httpHeadersTimeoutMs: 300, httpRequestTimeoutMs: 1000, httpKeepAliveMs: 300 });
    const slow = await idle(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a');
    const kept = await idle(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    sockets.push(slow, kept);
    await until('both sockets to be closed', () => slow.closed() && kept.closed(), 5000);
    expect(slow.text()).toMatch(/^(HTTP\/1\.1 408 Request Timeout|)/);
    expect(kept.text()).toMatch(/^HTTP\/1\.1 200 OK/);
    // A WebSocket, once upgraded, is not an HTTP request: it outlives these timeouts.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});
