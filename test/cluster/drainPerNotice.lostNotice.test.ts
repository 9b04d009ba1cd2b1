/**
 * A notice heard between a node's renewed subscription and its resync (`ClusterNode.catchUp`: the users claimed
 * again, the rooms read again, then `StreamMailbox.resync`). The notices published while the subscription was down
 * are lost; the resync reads every held user's stream again, so nothing is skipped. But the catch-up takes Redis
 * round trips before it gets there, and a notice that reaches the node meanwhile was taken in alone: its copy went
 * to the recipient before an earlier copy of the same sender whose notice was lost, which the resync brought after
 * it. With a position in the stream (`lastIn`) that was so before 2026-12-05; with none because his node refuses
 * some of it (a sender's parked copies), such a notice read the whole stream, in order, until drainPerNotice.test.ts
 * (9765857) made it take in what it announces, past the last read.
 *
 * The proxy holds node b's script calls once Redis is back (`holdScripts`: its claims, so the catch-up waits before
 * the resync), not its SUBSCRIBE: the window is as long as the test needs, not a few round trips.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, movesDone, payloads, sendC2C, until } from './support';

const CAPS = { maxBacklog: 32, maxBacklogPerSender: 4 };

describe('a notice heard before the resync that follows lost ones', () => {
  const t = inProcessNodes();

  async function setup(parked: boolean) {
    const p = await t.proxy();
    const a = await t.node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await t.node('b', { limits: CAPS, offlineTtlMs: 600_000, redisUrl: p.url });
    const bob = await t.login(b, 'bob');
    await until('bob claimed on b', () => t.redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const sam = await t.login(a, 'sam');
    const tom = await t.login(a, 'tom');
    expect(await sendC2C(tom, 'bob', 't0')).toMatchObject({ type: 'ack' });
    await heardAll(b);
    await movesDone(b);
    await until('t0 given', () => payloads(bob), (got) => got.includes('t0'));
    if (parked) {
      // Sam's share of Bob on node b is 4: his other 4 stay in Bob's stream, parked; node b refuses him until its back-off.
      for (let i = 0; i < 8; i++) {
        expect(await sendC2C(sam, 'bob', `s${i}`)).toMatchObject({ type: 'ack' });
        await heardAll(b);
        await movesDone(b);
      }
      await until('4 given, 4 in his stream', async () => [payloads(bob).filter((x) => x.startsWith('s')).length, await t.redis.xlen(`${t.prefix}:i:bob`)], ([given, waiting]) => given === 4 && waiting === 4);
    }
    const waiting = parked ? 4 : 0;
    p.cut();
    await until('node b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect(await sendC2C(tom, 'bob', 't1')).toMatchObject({ type: 'ack' }); // its notice to node b is lost
    await until('t1 in his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === waiting + 1);
    p.holdScripts(); // node b's catch-up waits at its claims, before its resync
    p.restore();
    const channel = `${t.prefix}:n:b`;
    await until('node b subscribed again', async () => ((await t.redis.pubsub('NUMSUB', channel)) as [string, number])[1], (n) => n >= 1, 10_000);
    expect(await sendC2C(tom, 'bob', 't2')).toMatchObject({ type: 'ack' }); // its notice reaches node b before the resync
    await heardAll(b);
    await new Promise((r) => setTimeout(r, 200)); // a take-in that needs no Redis is done by now (its commit is local)
    const beforeResync = payloads(bob).filter((x) => /^t[12]$/.test(x));
    p.release();
    await until('t1 and t2 given', () => payloads(bob).filter((x) => /^t[12]$/.test(x)).length, (n) => n === 2, 10_000);
    return { beforeResync, tomsOrder: payloads(bob).filter((x) => x.startsWith('t')) };
  }

  it("Bob (node b) holds a position in his stream; t1's notice lost while node b was away from Redis; t2's heard before the resync -> Bob gets t0, t1, t2, in Tom's order", async () => {
    const { beforeResync, tomsOrder } = await setup(false);
    expect({ beforeResync, tomsOrder }).toEqual({ beforeResync: [], tomsOrder: ['t0', 't1', 't2'] });
  }, 60_000);

  it("Sam's copies wait parked in Bob's stream (node b refuses them); t1's notice lost; t2's heard before the resync -> Bob gets t0, t1, t2, in Tom's order", async () => {
    const { beforeResync, tomsOrder } = await setup(true);
    expect({ beforeResync, tomsOrder }).toEqual({ beforeResync: [], tomsOrder: ['t0', 't1', 't2'] });
  }, 60_000);
});
