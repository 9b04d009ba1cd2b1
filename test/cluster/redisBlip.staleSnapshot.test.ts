/**
 * (Fixed since.) Review of 29aa8b0: a Redis restart from an older data set (an RDB snapshot, or a failover to a replica
 * that lagged: README "a Redis restart or failover") brings back the entry of a member who has left
 * since. Back on Redis, each node says its own members again, but nothing removes an entry naming it
 * that it does not hold (`reconcile`: "One of ours: its own word holds"), and the other nodes take it
 * in: a ghost, announced with `userEntered`, in memory and in Redis.
 */
import { describe, expect, it } from 'vitest';
import { type RawClient } from '../server/support';
import { caughtUp, flushPrefix, heardAll, inProcessNodes, until } from './support';


describe('review: rooms after Redis comes back with an older data set', () => {
  const t = inProcessNodes();
  const names = async (c: RawClient) => ((await c.request({ type: 'roomMembers', roomID: 7 })).members as { userID: string }[]).map((m) => m.userID).sort();

  it('Bob (node b) left room 7 after the last snapshot; Redis restarts from it -> back on Redis, Alice (node a) does not see Bob enter again', async () => {
    const { pa, pb, a, b, alice, bob } = await t.inRoom7();
    // The snapshot: every key of the service as it is now.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const snapshot = await Promise.all(keys.map(async (k) => [k, await t.redis.dumpBuffer(k)] as const));
    expect(await bob.request({ type: 'roomExit', roomID: 7 })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'userLeft' && f.userID === 'bob');
    await heardAll(a); // node a has heard everything node b said so far
    const before = alice.frames.length;
    pa.cut();
    pb.cut();
    await until('both lost Redis', () => [a, b].map((n) => n.handle.metrics().cluster?.redisUp), (up) => up.every((u) => u === 0));
    await flushPrefix(t.redis, t.prefix);
    for (const [k, v] of snapshot) if (v) await t.redis.restore(k, 0, v, 'REPLACE');
    pa.restore();
    pb.restore();
    await until('both back', async () => [await t.redis.exists(`${t.prefix}:alive:a`), await t.redis.exists(`${t.prefix}:alive:b`)], (x) => x.every((n) => n === 1), 20_000);
    await caughtUp(a);
    await caughtUp(b);
    await heardAll(a);
    await alice.sync(); // what node a sent her has arrived
    // Node a may take the old entry in before node b says it is gone (a moment's ghost): what counts is the end.
    const heard = alice.frames.slice(before).filter((f) => f.type === 'userEntered' || f.type === 'userLeft').map((f) => `${String(f.type)} ${String(f.userID)}`);
    expect(heard.length === 0 || heard.at(-1) === 'userLeft bob').toBe(true);
    expect({ members: await names(alice), redis: (await t.redis.hkeys(`${t.prefix}:r:7`)).sort() }).toEqual({ members: ['alice'], redis: ['alice'] });
  }, 60_000);
});
