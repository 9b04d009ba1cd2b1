/**
 * The store's quotas hold in a cluster too: a copy for a user with no session on its sender's node
 * moves to the user's Redis stream only within that sender's quotas there (`maxSenderStored`, its
 * share of the recipient, `maxBacklogPerSender`) and the recipient's own (`maxBacklog`). What a
 * stream refuses waits on the sending node, counted in the sender's quotas there, and is offered
 * again until it moves or its recipient logs in there: acked copies all arrive, once, in order.
 * Before, a copy that moved left every quota: one sender could store without bound in Redis.
 * In-process nodes on one Redis (a key prefix of their own), simulated clocks.
 */
import { describe, expect, it } from 'vitest';
import { RawClient, type TestServer } from '../server/support';
import { inProcessNodes, movesDone, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };
const TTL_MS = 60_000;

describe('cluster: the store quotas hold in the Redis streams', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const start = (id: string) => node(id, { limits: CAPS, offlineTtlMs: TTL_MS });

  /** Sends C2C messages until one is refused (at most `max`); resolves with the payloads acked. */
  /**
   * Sends C2C messages until one is refused (at most `max`); resolves with the payloads acked. With
   * `via` (the sender's node), each next one waits until the moves of the one before are done there.
   */
  async function sendUntilRefused(from: RawClient, to: (i: number) => string, tag: string, max = 40, via?: TestServer): Promise<string[]> {
    const acked: string[] = [];
    for (let i = 0; i < max; i++) {
      const payload = `${tag}${i}`;
      const answer = await from.request({ type: 'sendC2C', to: to(i), payload, onlineUserOnly: false });
      if (answer.type !== 'ack') {
        expect(answer).toMatchObject({ type: 'error', code: 'quotaExceeded' });
        return acked;
      }
      acked.push(payload);
      if (via) await movesDone(via);
    }
    return acked;
  }

  /** What the streams hold from `sender` (its sorted set, as the scripts count it) and in all, per user. */
  const inRedis = async (sender: string) => redis.zcard(`${t.prefix}:o:s:${sender}`);
  const streamLength = (user: string) => redis.xlen(`${t.prefix}:i:${user}`);

  /** `user` logs in on `server` and takes every message it is given until `count` came; resolves with their payloads. */
  /**
   * `user` logs in on `server` and confirms what it is given as it comes (a client does), until `count`
   * came; resolves with their payloads. Each round moves the clocks of its node (what its store's bounds
   * left in the stream is taken in again) and of `nudge` (what the stream refused is offered again).
   */
  async function collect(server: TestServer, user: string, count: number, nudge?: TestServer): Promise<string[]> {
    const c = await login(server, user);
    const got = () => c.frames.filter((f) => f.type === 'message');
    await until(
      `${user} given ${count}`,
      async () => {
        const last = got().at(-1);
        if (last) c.send({ type: 'received', upTo: last.seq });
        for (const node of new Set([server, nudge ?? server])) await node.clock.advance(1000);
        return got().length;
      },
      (n) => n >= count,
    );
    c.send({ type: 'received', upTo: got().at(-1)?.seq });
    await c.sync();
    return got().map((f) => String(f.payload));
  }

  it('Mallory (node a) stores for offline users in waves -> Redis never holds more than her quota, and node a counts it: refused once it is full, as on one node; every copy acked reaches its user once; once taken in, she sends again', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const mallory = await login(a, 'mallory');
    const waves: string[][] = [];
    for (let w = 0; w < 2; w++) {
      waves.push(await sendUntilRefused(mallory, (i) => `u${waves.flat().length + i}`, `w${w}-`));
      await settleMoves(a);
      expect(await inRedis('mallory')).toBeLessThanOrEqual(CAPS.maxSenderStored);
    }
    // 12 moved to the streams; node a counts them with hers: the second wave is refused at once.
    expect(waves.map((w) => w.length)).toEqual([12, 0]);
    expect(await inRedis('mallory')).toBe(CAPS.maxSenderStored);
    expect(a.handle.metrics().storedNow).toBe(0);
    const lengths = await Promise.all(Array.from({ length: 12 }, (_, i) => streamLength(`u${i}`)));
    expect(lengths.reduce((x, y) => x + y, 0)).toBe(CAPS.maxSenderStored);

    // They take theirs in on node b (u11 on node a itself): her count in Redis goes with them.
    for (let i = 0; i < 11; i++) expect(await collect(b, `u${i}`, 1)).toEqual([`w0-${i}`]);
    expect(await collect(a, 'u11', 1)).toEqual(['w0-11']);
    await until('her count freed', () => inRedis('mallory'), (n) => n === 0);
    // Node a learns it at her next refusal (it reads her holdings again): then she sends.
    const again = await until('a send accepted', () => mallory.request({ type: 'sendC2C', to: 'u12', payload: 'again', onlineUserOnly: false }), (f) => f.type === 'ack');
    expect(again.type).toBe('ack');
  });

  it("Mallory fills her share of Bob's stream: then she is refused at once, as on one node; Alice (node b) still reaches him; Bob gets every acked copy in order", async () => {
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    const mallory = await login(a, 'mallory');
    const alice = await login(b, 'alice');
    // 5 move to the stream (they count there, no longer here; node a learns her share there), then she is refused.
    // Before, 5 more were acked and waited on node a (her share there), past what one node would take.
    const first = await sendUntilRefused(mallory, () => 'bob', 'm', 40, a);
    await settleMoves(a);
    const second = await sendUntilRefused(mallory, () => 'bob', 'n', 40, a);
    expect([first.length, second.length]).toEqual([5, 0]);
    expect(a.handle.metrics().storedNow).toBe(0);
    expect(await streamLength('bob')).toBe(CAPS.maxBacklogPerSender);
    // Her share is full, Bob's stream is not: Alice's copies move (3, up to Bob's own cap of 8).
    const fromAlice = await sendUntilRefused(alice, () => 'bob', 'a', 3);
    expect(fromAlice).toEqual(['a0', 'a1', 'a2']);
    await until("Alice's in his stream", () => streamLength('bob'), (n) => n === CAPS.maxBacklog);
    expect(await redis.hget(`${t.prefix}:q:bob`, 's:alice')).toBe('3 6'); // 3 copies, 6 bytes

    const got = await collect(c, 'bob', 8, a);
    expect(got.filter((p) => p.startsWith('a'))).toEqual(fromAlice);
    expect(got.filter((p) => !p.startsWith('a'))).toEqual(first);
    expect(got).toHaveLength(8);
    await until('his counts at nothing', () => redis.hgetall(`${t.prefix}:q:bob`), (q) => JSON.stringify(q) === JSON.stringify({ n: '0', b: '0' }));
    expect(await inRedis('mallory')).toBe(0);
    expect(await redis.get(`${t.prefix}:o:b:mallory`)).toBe('0');
  });

  it("Bob, online on node b, confirms nothing (Mallory's accomplice): her copies stop at node b's bounds, then in the stream, then on node a, and she is refused; Alice still reaches him; once he confirms he gets them all, in order", async () => {
    // Ten minutes to live: the retries, backed off to 30 s, must not outlast the copies.
    const [a, b] = [await node('a', { limits: CAPS, offlineTtlMs: 600_000 }), await node('b', { limits: CAPS, offlineTtlMs: 600_000 })];
    const bob = await login(b, 'bob');
    const mallory = await login(a, 'mallory');
    const alice = await login(a, 'alice');
    const waves: string[][] = [];
    for (let w = 0; w < 4; w++) {
      waves.push(await sendUntilRefused(mallory, () => 'bob', `w${w}-`, 40, a));
      await settleMoves(a);
      await settleMoves(b);
    }
    // 5 stored on node b (her share of Bob there), up to 5 in his stream and 5 waiting on node a (as node
    // b's take-in and node a's moves interleave): then she is refused. Without node b's bounds: no end.
    const sent = waves.flat().length;
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent).toBeLessThanOrEqual(15);
    expect(waves.at(-1)).toEqual([]);
    expect(b.handle.metrics().storedNow).toBe(CAPS.maxBacklogPerSender);
    expect(await streamLength('bob')).toBeLessThanOrEqual(CAPS.maxBacklogPerSender);
    expect(a.handle.metrics().storedNow + (await streamLength('bob'))).toBe(sent - CAPS.maxBacklogPerSender);
    // Her share is full, Bob's own backlog is not: Alice's copy passes hers in the stream.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a0', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('a0 given', () => bob.frames.some((f) => f.payload === 'a0'), (ok) => ok);
    bob.terminate();
    const got = await collect(b, 'bob', sent + 1, a);
    expect(got.filter((p) => p !== 'a0')).toEqual(waves.flat());
    expect(got).toHaveLength(sent + 1);
  });

  it("Mallory's quota is full of copies in Redis for users who stay away -> her message to Bob (online on node b) is refused at once, as on one node (it was acked, then expired on node a undelivered); once some are taken in, she sends again", async () => {
    const caps = { ...CAPS, maxSenderStored: 2 };
    const [a, b] = [await node('a', { limits: caps, offlineTtlMs: TTL_MS }), await node('b', { limits: caps, offlineTtlMs: TTL_MS })];
    const bob = await login(b, 'bob');
    const mallory = await login(a, 'mallory');
    for (const u of ['u1', 'u2']) expect(await mallory.request({ type: 'sendC2C', to: u, payload: `to ${u}`, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await settleMoves(a);
    expect(await inRedis('mallory')).toBe(2);
    expect(await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'hi', onlineUserOnly: false })).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    expect(a.handle.metrics().storedNow).toBe(0);
    // u1 takes his in: her holdings go down, and a refusal made node a read them again.
    expect(await collect(b, 'u1', 1)).toEqual(['to u1']);
    await until('her holdings down', () => inRedis('mallory'), (n) => n === 1);
    const answer = await until(
      'a send accepted',
      () => mallory.request({ type: 'sendC2C', to: 'bob', payload: 'hi', onlineUserOnly: false }),
      (f) => f.type === 'ack',
    );
    expect(answer.type).toBe('ack');
    await until('Bob given it', () => bob.frames.some((f) => f.payload === 'hi'), (ok) => ok);
  });

  it("a sender's copies stop counting in Redis at their expiry (untaken), and a stream's expired head goes with its counts", async () => {
    const [a] = [await start('a'), await start('b')];
    const mallory = await login(a, 'mallory');
    expect(await sendUntilRefused(mallory, () => 'bob', 'old', 5, a)).toHaveLength(5);
    await settleMoves(a);
    expect(await streamLength('bob')).toBe(5);
    await a.clock.advance(TTL_MS + 1000); // her connection, silent that long, is closed too
    // Expired: they leave every count, in Redis and on node a; new copies move again. Node a counted her
    // share of his stream as it was (5): refused once on it, it reads it again (the expired head purged).
    const again = await login(a, 'mallory');
    const first = await until('a send accepted', () => again.request({ type: 'sendC2C', to: 'bob', payload: 'newA', onlineUserOnly: false }), (f) => f.type === 'ack');
    expect(first.type).toBe('ack');
    await settleMoves(a);
    const fresh = await sendUntilRefused(again, () => 'bob', 'new', 40, a);
    expect(fresh).toHaveLength(4); // 5 move in all, then her share is full: the old ones count nowhere
    await settleMoves(a);
    await until('the expired head gone', () => streamLength('bob'), (n) => n === 5);
    expect(await redis.hget(`${t.prefix}:q:bob`, 's:mallory')).toBe('5 20'); // 5 copies, 20 bytes
    expect(await redis.hget(`${t.prefix}:q:bob`, 'n')).toBe('5');
    expect(await redis.get(`${t.prefix}:o:b:mallory`)).toBe('20');
    // The counts live as long as what they count (made again after the expired ones went).
    for (const key of ['q:bob', 'i:bob', 'o:s:mallory', 'o:b:mallory']) expect(await redis.pttl(`${t.prefix}:${key}`)).toBeGreaterThan(TTL_MS - 5000);
    expect(await inRedis('mallory')).toBe(5);
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(0);
  });
});
