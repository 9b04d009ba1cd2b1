/**
 * Crash audit (2026-12-06): what a peer can do to end the server's process. The server installs no
 * `uncaughtException`/`unhandledRejection` handler, so under Node 20 an 'error' event nobody listens
 * to, or a throw in a callback, ends it for everyone. Each test records what reaches the process.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './support';

describe('crash audit: a peer cannot end the process', () => {
  let server: TestServer | null = null;
  const reached: unknown[] = [];
  const onReached = (error: unknown) => void reached.push(error);
  beforeEach(() => {
    reached.length = 0;
    process.on('uncaughtException', onReached);
    process.on('unhandledRejection', onReached);
  });
  afterEach(async () => {
    process.off('uncaughtException', onReached);
    process.off('unhandledRejection', onReached);
    await server?.dispose();
    server = null;
  });

  it('an upgrade to a path other than /ws, reset by its client before the 404 goes out: the server lives on', async () => {
    server = await testServer();
    const { port, httpUrl } = server.handle;
    // The upgraded socket has lost Node's HTTP 'error' listener: the 404's write to a reset peer
    // (ECONNRESET/EPIPE) was an 'error' event with no listener. On Linux every round hit it.
    for (let round = 0; round < 10; round++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      socket.resetAndDestroy();
      await new Promise((resolve) => socket.once('close', resolve));
      // A whole request after it: the server has read the reset socket's request by then.
      expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    }
    expect(reached).toEqual([]);
  });
});
