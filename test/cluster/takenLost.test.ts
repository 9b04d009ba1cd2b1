/**
 * Node b took Mallory's m1 into its store and gave it to Bob; its step deleting m1 from Bob's stream (hcTaken) was
 * on its way when its connection to Redis died, before Redis read it. ioredis used to send it again on the next
 * connection; since it no longer does (a command in flight fails: it may have run), nothing sent it again, and the
 * catch-up, reading Bob's stream from its start, took m1 in a second time: Bob was given it twice.
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, confirmGiven, inProcessNodes, movesDone, payloads, sendC2C, until } from './support';

describe('cluster: a take-in whose delete from the stream was lost with the connection', () => {
  const t = inProcessNodes();

  it('is not taken in again by the catch-up: Bob is given m1 once', async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    const bob = await t.login(b, 'bob');
    await until('bob claimed on b', () => t.redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const mallory = await t.login(a, 'mallory');
    expect((await sendC2C(mallory, 'bob', 'm0')).type).toBe('ack');
    await until('m0 given', () => payloads(bob), (p) => p.includes('m0'));
    await movesDone(b);

    pb.hold(); // node b's commands wait; what Redis publishes still reaches it
    expect((await sendC2C(mallory, 'bob', 'm1')).type).toBe('ack');
    await until('m1 given', () => payloads(bob), (p) => p.includes('m1'));
    await until("node b's delete of m1 on its way", () => pb.holding().includes(`${t.prefix}:i:bob`), (ok) => ok);
    const catchUps = b.handle.metrics().cluster?.catchUps ?? 0;
    pb.cut(); // the connection dies: Redis never read the delete
    pb.release();
    pb.restore();
    await caughtUp(b, catchUps + 1);
    await movesDone(b);
    confirmGiven(bob);
    await until('his stream emptied', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect(payloads(bob)).toEqual(['m0', 'm1']);
  }, 30_000);
});
