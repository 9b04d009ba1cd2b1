/**
 * An upgraded WebSocket's TCP socket keeps no dead idle timer: `ws` clears the HTTP stall timer
 * with `setTimeout(0)`, which leaves Node's `Timeout` object on the socket (about 120 B for the
 * connection's life), and the server drops it (`dropClearedTimer`). Checked on real sockets, so a
 * Node that names or keeps that property otherwise fails here rather than quietly costing memory.
 */
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dropClearedTimer } from '../../server/http';

const timerOf = (socket: object): unknown => {
  const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'timeout');
  expect(key, 'Node keeps a socket\'s idle timer under Symbol(timeout)').toBeDefined();
  return (socket as Record<symbol, unknown>)[key!];
};

describe('dropClearedTimer', () => {
  it('drops a cleared timer, keeps a running one (real TCP sockets)', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    const socket = await accepted;
    socket.setTimeout(60_000);
    dropClearedTimer(socket);
    expect(timerOf(socket)).not.toBeNull();
    socket.setTimeout(0);
    expect(timerOf(socket)).not.toBeNull(); // what Node leaves behind
    dropClearedTimer(socket);
    expect(timerOf(socket)).toBeNull();
    socket.setTimeout(60_000); // and a timer set again later still works
    expect(timerOf(socket)).not.toBeNull();
    client.destroy();
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
