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
import { type ServerHandle, silentLogger, startServer } from '../../server/index';
import { SDKAPPID, SECRET_KEY } from '../support/embeddedWorld';

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
