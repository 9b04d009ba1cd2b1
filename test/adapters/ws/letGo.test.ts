/**
 * Letting go of a socket still connecting. Node's `ws` aborts the handshake and emits `error`
 * on the next tick; with no listener left that is an uncaught exception, which killed a CI run
 * (a logout while the client reconnected to a cluster node). A peer that accepts TCP and never
 * answers the upgrade keeps the socket connecting for as long as the test needs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { letGo } from '../../../adapters/ws/socket';

let server: Server | null = null;
const peers: Socket[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function silentPeer(): Promise<number> {
  server = createServer((peer) => peers.push(peer));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('letGo', () => {
  it('closes a socket still connecting without an unhandled error', async () => {
    const port = await silentPeer();
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    socket.onerror = () => undefined;
    await new Promise<void>((resolve) => server!.once('connection', () => resolve()));
    expect(socket.readyState).toBe(WebSocket.CONNECTING);

    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    letGo(socket, 1000, 'client done');
    // `ws` emits `error`, then `close`; a throwing `error` (no listener) never reaches `close`.
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });

  it('closes an open socket and no longer calls its handlers', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as { port: number };
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    let calls = 0;
    socket.onclose = socket.onmessage = () => calls++;

    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    letGo(socket, 1000, 'client done');
    await closed;
    expect(calls).toBe(0);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
