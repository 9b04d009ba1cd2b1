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
import { inProcessNodes, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };
const TTL_MS = 60_000;

describe('cluster: the store quotas hold in the Redis streams', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const start = (id: string) => node(id, { limits: CAPS, offlineTtlMs: TTL_MS });

  /** Sends C2C messages until one is refused (at most `max`); resolves with the payloads acked. */
  async function sendUntilRefused(from: RawClient, to: (i: number) => string, tag: string, max = 40): Promise<string[]> {
    const acked: string[] = [];
    for (let i = 0; i < max; i++) {
      const payload = `${tag}${i}`;
      const answer = await from.request({ type: 'sendC2C', to: to(i), payload, onlineUserOnly: false });
      if (answer.type !== 'ack') {
        expect(answer).toMatchObject({ type: 'error', code: 'quotaExceeded' });
        return acked;
      }
      acked.push(payload);
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

  it('Mallory (node a) stores for 30 offline users in waves -> Redis never holds more than her quota; every copy acked reaches its user once, through node b or on node a', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const mallory = await login(a, 'mallory');
    const waves: string[][] = [];
    for (let w = 0; w < 3; w++) {
      waves.push(await sendUntilRefused(mallory, (i) => `u${waves.flat().length + i}`, `w${w}-`));
      await settleMoves(a);
      expect(await inRedis('mallory')).toBeLessThanOrEqual(CAPS.maxSenderStored);
    }
    // 12 moved to the streams, 12 wait on node a (its quota there): the third wave is refused at once.
    expect(waves.map((w) => w.length)).toEqual([12, 12, 0]);
    expect(await inRedis('mallory')).toBe(CAPS.maxSenderStored);
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(12);
    const lengths = await Promise.all(Array.from({ length: 24 }, (_, i) => streamLength(`u${i}`)));
    expect(lengths.reduce((x, y) => x + y, 0)).toBe(CAPS.maxSenderStored);

    // The first twelve take theirs in on node b: Mallory's count in Redis goes with them.
    for (let i = 0; i < 12; i++) expect(await collect(b, `u${i}`, 1)).toEqual([`w0-${i}`]);
    await until('her count freed', () => inRedis('mallory'), (n) => n === 0);
    // The others: on node b (node a offers their copies again), and u23 on node a itself.
    for (let i = 12; i < 23; i++) expect(await collect(b, `u${i}`, 1, a)).toEqual([`w1-${i - 12}`]);
    expect(await collect(a, 'u23', 1)).toEqual(['w1-11']);
    await until('nothing left', () => inRedis('mallory'), (n) => n === 0);
    await until('nothing stranded', () => a.handle.metrics().cluster?.strandedUsers, (n) => n === 0);
  });

  it("Mallory fills her share of Bob's stream; Alice (node b) still reaches him; Bob gets every acked copy in order", async () => {
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    const mallory = await login(a, 'mallory');
    const alice = await login(b, 'alice');
    const first = await sendUntilRefused(mallory, () => 'bob', 'm');
    await settleMoves(a);
    const second = await sendUntilRefused(mallory, () => 'bob', 'n');
    await settleMoves(a);
    expect(await sendUntilRefused(mallory, () => 'bob', 'x')).toEqual([]);
    expect([first.length, second.length]).toEqual([5, 5]);
    expect(await streamLength('bob')).toBe(CAPS.maxBacklogPerSender);
    // Her share is full, Bob's stream is not: Alice's copies move (3, up to Bob's own cap of 8).
    const fromAlice = await sendUntilRefused(alice, () => 'bob', 'a', 3);
    expect(fromAlice).toEqual(['a0', 'a1', 'a2']);
    await until("Alice's in his stream", () => streamLength('bob'), (n) => n === CAPS.maxBacklog);
    expect(await redis.hget(`${t.prefix}:q:bob`, 's:alice')).toBe('3 6'); // 3 copies, 6 bytes

    const got = await collect(c, 'bob', 13, a);
    expect(got.filter((p) => p.startsWith('a'))).toEqual(fromAlice);
    expect(got.filter((p) => !p.startsWith('a'))).toEqual([...first, ...second]);
    expect(got).toHaveLength(13);
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
      waves.push(await sendUntilRefused(mallory, () => 'bob', `w${w}-`));
      await settleMoves(a);
      await settleMoves(b);
    }
    // 5 stored on node b (her share of Bob there), 5 in his stream, 5 waiting on node a: then refused.
    expect(waves.map((w) => w.length)).toEqual([5, 5, 5, 0]);
    expect(b.handle.metrics().storedNow).toBe(CAPS.maxBacklogPerSender);
    expect(await streamLength('bob')).toBe(CAPS.maxBacklogPerSender);
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(1);
    // Her share is full, Bob's own backlog is not: Alice's copy passes hers in the stream.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a0', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('a0 given', () => bob.frames.some((f) => f.payload === 'a0'), (ok) => ok);
    bob.terminate();
    const got = await collect(b, 'bob', 16, a);
    expect(got.filter((p) => p !== 'a0')).toEqual(waves.flat());
    expect(got).toHaveLength(16);
  });

  it("a sender's copies stop counting in Redis at their expiry (untaken), and a stream's expired head goes with its counts", async () => {
    const [a] = [await start('a'), await start('b')];
    const mallory = await login(a, 'mallory');
    expect(await sendUntilRefused(mallory, () => 'bob', 'old')).toHaveLength(5);
    await settleMoves(a);
    expect(await streamLength('bob')).toBe(5);
    await a.clock.advance(TTL_MS + 1000); // her connection, silent that long, is closed too
    // Expired: they leave every count, in Redis and on node a; new copies move again.
    const fresh = await sendUntilRefused(await login(a, 'mallory'), () => 'bob', 'new');
    expect(fresh).toHaveLength(5);
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
