/**
 * A server closing (`close()`: SIGTERM) waits a while for its clients to go (at most its bound). Until 2026-12-06 a
 * single server still took new connections and logins in that wait, and said it was healthy: a balancer kept
 * sending users to it, each logged in to be cut a moment later. It now refuses new connections (503) and its
 * health check says it is stopping, as a balancer needs to send no one new there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testServer, type TestServer } from './support';

describe('a server closing', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });

  it('takes no new connection while it waits for its clients to go, and its health check says so', async () => {
    server = await testServer();
    const { url, httpUrl } = server.handle;
    const health = async () => {
      const res = await fetch(`${httpUrl}/healthz`);
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
    // A client that reads nothing (it never answers the close frame): close() waits for it, up to its bound.
    const stuck = new WebSocket(url);
    await new Promise((resolve, reject) => stuck.once('open', resolve).once('error', reject));
    (stuck as unknown as { _socket: { pause(): void } })._socket.pause();
    const closing = server.handle.close();
    const late = new WebSocket(url);
    const refused = await new Promise<string>((resolve) => {
      late.once('open', () => resolve('open'));
      late.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      late.once('error', (e) => resolve(`error ${e.message}`));
    });
    expect(refused).toBe('refused 503');
    expect(await health()).toEqual({ status: 503, body: { status: 'unavailable', error: 'shutting down' } });
    await server.clock.advance(10_000); // past the wait's bound: the stuck client is dropped
    await closing;
    late.terminate();
    stuck.terminate();
  });
});
