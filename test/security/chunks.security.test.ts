/**
 * Attack: a frame dribbled in tiny reads. The socket layer keeps every read of a frame as a
 * buffer of its own until the frame is whole, and a read of one byte costs the server some 190
 * bytes of heap. Sent a byte per TCP segment (a pace any client may keep), the 8 KiB a connection
 * may send before it logs in held 1.5 MiB per connection (README: "8 KiB plus one socket read"):
 * 10 anonymous sockets held 15 MiB for the login deadline, and a logged-in one could hold some
 * 24 MiB with a 128 KiB frame (reckoned at that cost). A frame may now wait in at most
 * `--max-frame-reads` (256) reads; one more closes the connection (1008).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';
import { MIB, memoryInUse, until } from './support';

/** A socket that opened a WebSocket by hand (its 101 read), with nothing sent since. */
function upgraded(port: number): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve) => {
    let closed = false;
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'),
    );
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.once('data', () => resolve({ socket, closed: () => closed }));
  });
}

/** The next turn of the event loop: the server (this process) reads what was written, on its own. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Writes `bytes` one at a time to each socket still open, one read each (a turn between). */
async function dribble(sockets: readonly { socket: Socket; closed: () => boolean }[], bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    const open = sockets.filter((s) => !s.closed() && !s.socket.destroyed);
    if (open.length === 0) return;
    for (const s of open) s.socket.write(Buffer.of(byte));
    await turn();
  }
}

/** A masked (with 0) text frame's header announcing `length` bytes (16-bit length). */
const header = (length: number) => Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0]);

describe('a frame in many reads', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  it('10 sockets that never log in each send 7,900 bytes of a frame, a byte per read: closed at the 257th, memory stays within 2 MiB', async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => upgraded(server.handle.port)));
    const before = await memoryInUse();
    for (const s of sockets) s.socket.write(header(8000));
    await dribble(sockets, Buffer.alloc(7900, 0x61));
    expect((await memoryInUse()) - before).toBeLessThan(2 * MIB); // the old server: 15 MiB
    await until('every dribbling socket to be closed', () => sockets.every((s) => s.closed()));
    // Counted and told like the server's own refusals (they were neither).
    expect(server.handle.metrics().limits).toEqual({ maxFrameReads: 10 });
    expect(server.logs.filter((l) => l.message === 'refused a connection').map((l) => l.fields?.limit)).toEqual(sockets.map(() => 'maxFrameReads'));
    for (const s of sockets) s.socket.destroy();
  });

  it('a logged-in client\'s 20 KB frame in 200 reads (within the limit) is taken', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    const socket = (alice as unknown as { ws: { _socket: Socket } }).ws._socket;
    socket.setNoDelay(true);
    const text = Buffer.from(JSON.stringify({ type: 'ping', rid: 77 }).padEnd(20_000, ' '));
    socket.write(header(text.length));
    for (let i = 0; i < 200; i++) {
      socket.write(text.subarray(i * 100, (i + 1) * 100));
      await turn();
    }
    expect(await alice.next((f) => f.rid === 77, 'the pong')).toMatchObject({ type: 'pong', rid: 77 });
    alice.close();
  });
});
