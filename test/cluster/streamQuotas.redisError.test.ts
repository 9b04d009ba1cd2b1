/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): the retry of refused copies. A retry
 * (`strand`'s timer) whose DELIVER fails (Redis unreachable for a moment, a command timeout) ends in
 * `chain`'s catch: no new timer is set, yet the user stays in `stranded` (the metric says it waits).
 * The acked copy stays on the sending node until something else happens to move it (a new copy
 * for that user from this node, a restart), while its recipient is online on another node.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, until } from './support';

// His cap in the stream is what refuses m2 (her share of him refuses at once on node a, as on one node).
const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 8, maxBacklog: 1 };

describe('stream quotas: a retry of refused copies that meets a Redis failure', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('node a retries a refused copy while Redis is away for a moment -> the failed try is retried like a refusal; Bob (online on b) gets it', async () => {
    const proxy = await t.proxy();
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000, redisUrl: proxy.url });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000 });
    const mallory = await login(a, 'mallory');
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm1', onlineUserOnly: false })).type).toBe('ack');
    await movesDone(a);
    await a.clock.advance(300);
    await movesDone(a);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm2', onlineUserOnly: false })).type).toBe('ack');
    await movesDone(a);
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(1); // m2 waits on node a

    const bob = await login(b, 'bob');
    await until('m1 given', () => payloads(bob), (p) => p.includes('m1'), 5000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await bob.sync();
    await until('his stream freed', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);

    proxy.cut();
    await until('node a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    await a.clock.advance(1000); // the retry runs, and fails
    await movesDone(a);
    expect(a.logs.some((l) => l.fields?.what === 'moving messages of bob')).toBe(true); // the retry's DELIVER failed
    proxy.restore();
    await until('node a back', () => a.handle.metrics().cluster?.redisUp, (up) => up === 1, 10_000);

    // Node a's next try (backed off: 30 s at most) moves m2.
    await until(
      'm2 given',
      async () => {
        await a.clock.advance(30_000);
        await movesDone(a);
        return payloads(bob);
      },
      (p) => p.includes('m2'),
    );
    expect({ bob: payloads(bob), stranded: a.handle.metrics().cluster?.strandedUsers }).toEqual({ bob: ['m1', 'm2'], stranded: 0 });
  });
});
