/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): claims checked and found to hold (these pass).
 * The earlier attempt's first defect: acked copies never delivered when the sender's node was the
 * recipient's last node.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, until } from './support';

// His cap in the stream is what refuses m4 (her share of him refuses at once on node a, as on one node).
const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 8, maxBacklog: 3 };

describe('stream quotas: the sender node was the recipient’s last node', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const start = (id: string) => node(id, { limits: CAPS, offlineTtlMs: 60_000 });


  it('Bob logged out of node a; Mallory on a sends 4 (one refused); Bob logs in on b -> all 4, once, in order; every count back at nothing', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const bobOnA = await login(a, 'bob');
    await bobOnA.request({ type: 'logout' });
    bobOnA.terminate();
    await until('directory names a', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'a' || n === null);
    const mallory = await login(a, 'mallory');
    for (const p of ['m1', 'm2', 'm3']) expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: p, onlineUserOnly: false })).type).toBe('ack');
    await movesDone(a);
    await a.clock.advance(300);
    await movesDone(a);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm4', onlineUserOnly: false })).type).toBe('ack');
    await movesDone(a);
    const bob = await login(b, 'bob');
    await until('3 given', () => payloads(bob).length, (n) => n >= 3, 5000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await bob.sync();
    await until('m4 given', async () => {
      await a.clock.advance(1000);
      return payloads(bob).length;
    }, (n) => n >= 4, 10_000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await bob.sync();
    expect(payloads(bob)).toEqual(['m1', 'm2', 'm3', 'm4']);
    await until('counts at nothing', () => redis.hgetall(`${t.prefix}:q:bob`), (q) => JSON.stringify(q) === JSON.stringify({ n: '0', b: '0' }));
    expect(await redis.zcard(`${t.prefix}:o:s:mallory`)).toBe(0);
    expect(await redis.get(`${t.prefix}:o:b:mallory`)).toBe('0');
    await until('nothing stranded', () => a.handle.metrics().cluster?.strandedUsers, (n) => n === 0);
  });
});
