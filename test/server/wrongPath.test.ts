/**
 * A client given the server's address without `/ws` (`ws://host:8080`, as a newcomer types it). The
 * server answered such an upgrade with an HTTP 404, which a browser hides from the page: its
 * `WebSocket` closes with 1006 as for a server that is down, and `login()` said only that the
 * server could not be reached. The server now takes the upgrade and closes it at once with 4404 and
 * a reason that names `/ws`, which every client reads, and the login's error carries it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE } from '../../adapters/ws/protocol';
import { embeddedBackend } from '../../src/embedded';
import { type CallingError, TRTCCalling } from '../../src/index';
import { SDKAPPID, testServer, tencentUserSig, type TestServer } from './support';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

/** How a raw `ws` socket to `url` ends: its close code and reason, and whether it ever opened. */
function ending(url: string): Promise<{ opened: boolean; code: number; reason: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let opened = false;
    socket.on('open', () => (opened = true));
    socket.on('error', () => undefined); // an HTTP refusal is an error, then a close
    socket.on('close', (code, reason) => resolve({ opened, code, reason: reason.toString() }));
  });
}

describe('an upgrade to a path other than /ws', () => {
  it('is closed with 4404 and a reason naming /ws, for every other path; /ws still logs in', async () => {
    server = await testServer();
    const base = `ws://127.0.0.1:${server.handle.port}`;
    for (const path of ['', '/', '/ws/', '/calls', '/healthz', '/ws%2f', '//x']) {
      expect(await ending(base + path), path).toEqual({ opened: true, code: CLOSE.noEndpoint, reason: 'no WebSocket endpoint at this path: it is /ws' });
    }
    // Nothing was made for them: the server counts no connection, and /ws is served as before.
    expect(server.handle.metrics().connections).toBe(0);
    const login = new WebSocket(`${base}/ws?x=1`);
    const first = await new Promise<{ type: string }>((resolve, reject) => {
      login.on('error', reject);
      login.on('open', () => login.send(JSON.stringify({ type: 'login', rid: 1, userID: 'alice', userSig: tencentUserSig('alice'), protocol: 1 })));
      login.on('message', (data) => resolve(JSON.parse(data.toString()) as { type: string }));
    });
    expect(first.type).toBe('loggedIn');
    login.close();
  });

  it("login() without /ws in the URL rejects with an error that says where the endpoint is, not that the server is down", async () => {
    server = await testServer();
    const backend = embeddedBackend({ url: `ws://127.0.0.1:${server.handle.port}`, WebSocket, reconnect: { nextRetryDelayInMs: () => null } });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend });
    const error = (await calling.login({ userID: 'alice', userSig: tencentUserSig('alice') }).then(
      () => expect.unreachable('login() resolved'),
      (e: unknown) => e,
    )) as CallingError;
    expect(error.code).toBe(2805);
    expect(error.message).toContain('4404 no WebSocket endpoint at this path: it is /ws');
    await calling.destroy();
  });
});
