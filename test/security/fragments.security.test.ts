/**
 * Attack: a message in many small fragments. A WebSocket message may come in fragments (a first
 * frame, then continuation frames), and the socket layer keeps each fragment as an object of its
 * own until the last one arrives: 7 bytes sent (a header, a mask and one byte) cost the server
 * some 120 bytes of heap. The socket layer's own cap, 16,384 fragments, let one logged-in
 * connection hold 1.9 MiB for a message of 16 KB that never ends (the README promises "a 128 KiB
 * frame being received"): 8 users held 15 MiB. A message now comes in at most `--max-fragments`
 * (64) fragments; one more closes the connection.
 */
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';
import { MIB, memoryInUse } from './support';

/** A text message's first fragment of one byte, then `count` continuation fragments of one byte, none final (masked with 0). */
function fragments(count: number): Buffer {
  const first = Buffer.from([0x01, 0x81, 0, 0, 0, 0, 0x61]);
  const more = Buffer.from([0x00, 0x81, 0, 0, 0, 0, 0x61]);
  return Buffer.concat([first, ...Array.from({ length: count }, () => more)]);
}

/** Writes `bytes` under the client's WebSocket, as they are (frames the `ws` client would not make). */
function writeRaw(client: RawClient, bytes: Buffer): Promise<void> {
  const socket = (client as unknown as { ws: { _socket: Socket } }).ws._socket;
  return new Promise((resolve) => socket.write(bytes, () => resolve()));
}

describe('a message in many fragments', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  it('8 logged-in users each send 16,000 one-byte fragments of a message that never ends: closed at the 65th, memory stays within 2 MiB', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => RawClient.login(server.handle.url, `mallory${i}`)));
    const before = await memoryInUse();
    await Promise.all(users.map((u) => writeRaw(u, fragments(16_000))));
    // Every fragment read (a round trip of a connection behind them all), then what they hold.
    const probe = await RawClient.login(server.handle.url, 'bob');
    await probe.sync();
    expect((await memoryInUse()) - before).toBeLessThan(2 * MIB); // the socket layer's cap alone: 15 MiB
    expect(await Promise.all(users.map((u) => u.closed.then((c) => c.code)))).toEqual(users.map(() => 1008));
    // Counted and told like the server's own refusals (they were neither).
    expect(server.handle.metrics().limits).toEqual({ maxFragments: 8 });
    expect(server.logs.filter((l) => l.message === 'refused a connection').map((l) => l.fields?.limit)).toEqual(users.map(() => 'maxFragments'));
    probe.close();
  });

  it('a message in 64 fragments (within the limit) is taken as one frame', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    const text = JSON.stringify({ type: 'ping', rid: 77 }).padEnd(64 * 2, ' ');
    const parts = Array.from({ length: 64 }, (_, i) => {
      const payload = Buffer.from(text.slice(i * 2, i * 2 + 2));
      return Buffer.concat([Buffer.from([(i === 63 ? 0x80 : 0) | (i === 0 ? 0x01 : 0x00), 0x80 | payload.length, 0, 0, 0, 0]), payload]);
    });
    await writeRaw(alice, Buffer.concat(parts));
    expect(await alice.next((f) => f.rid === 77, 'the pong')).toMatchObject({ type: 'pong', rid: 77 });
    alice.close();
  });
});
