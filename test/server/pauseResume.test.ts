/**
 * Deliveries to a connection pause while it has a quarter of `--max-buffered-bytes` unsent and resume on its
 * socket's drain, which comes only once a write passed the socket's high-water mark. Node 22 raised that mark
 * to 64 KiB (16 KiB on Node 20): at `--max-buffered-bytes 64 KiB` deliveries paused at 16 KiB, below it, and a
 * drain never came; what waited was held back until the recipient's next receipt. They now pause no lower than
 * the socket's mark (`Conn.backedUp`). The mark is set here as Node 22 sets it, before the server's sockets exist.
 */
import { getDefaultHighWaterMark, setDefaultHighWaterMark } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, serverSees, testServer, type TestServer } from './support';

let server: TestServer | null = null;
const clients: RawClient[] = [];
const was = getDefaultHighWaterMark(false);
afterEach(async () => {
  setDefaultHighWaterMark(false, was);
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
  server = null;
});

describe('deliveries paused for a connection backed up', () => {
  it("a socket high-water mark of 64 KiB, --max-buffered-bytes 64 KiB: Carol's 20 KB message and a small one in one turn both reach Bob, who confirms nothing", async () => {
    setDefaultHighWaterMark(false, 64 * 1024);
    const waiting: (() => void)[] = [];
    let holding = false;
    server = await testServer({ limits: { maxBufferedBytes: 64 * 1024 }, defer: (fn) => (holding ? waiting.push(fn) : setImmediate(fn)) });
    const s = server;
    const [carol, bob] = [await RawClient.login(s.handle.url, 'carol'), await RawClient.login(s.handle.url, 'bob')];
    clients.push(carol, bob);
    const relayed = s.handle.metrics().relayed;
    holding = true; // one turn: the big copy queued for Bob's socket, the small one stored behind it
    carol.send({ type: 'sendC2C', rid: 1, to: 'bob', payload: 'x'.repeat(20_000), onlineUserOnly: false });
    carol.send({ type: 'sendC2C', rid: 2, to: 'bob', payload: 'small', onlineUserOnly: false });
    await serverSees('both handled', () => s.handle.metrics().relayed >= relayed + 2);
    holding = false;
    for (const fn of waiting.splice(0)) fn();
    await bob.next((f) => f.type === 'message' && f.payload === 'small', 'the small message, with no receipt from Bob');
    expect(bob.ofType('message').map((f) => String(f.payload).slice(0, 5))).toEqual(['xxxxx', 'small']);
  });
});
