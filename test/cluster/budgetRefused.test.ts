/**
 * A write of a user's buckets that Redis refuses (README, Running a cluster, Limits per user: "a write that fails is
 * sent again at a later flush"). Since the fix that keeps a failed write dirty, a refusal was taken for a failure:
 * the user was written again at every flush (100 ms), a warning each time, for ever when the refusal is for good
 * (here her budgets' key holds a string, so the merge's HGET fails with WRONGTYPE), ten lines a second per user while
 * Redis refuses for a while (memory full). Now a refusal that passes (memory full, a replica...) is sent again but
 * logged once until a write of hers is taken, and one for good is not sent again until she spends again.
 */
import { describe, expect, it } from 'vitest';
import type { RawClient } from '../server/support';
import { inProcessNodes, until } from './support';

async function pings(client: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await client.request({ type: 'ping' })).type).toBe('pong');
}

describe("cluster: a write of a user's buckets that Redis refuses", () => {
  const t = inProcessNodes();
  const tokens = (user: string) => t.redis.hget(`${t.prefix}:b:${user}`, 'frames').then((v) => (v === null ? null : Number(v.split(':')[0])));

  it('is logged once, and not sent again at every flush', async () => {
    const a = await t.node('a');
    const mallory = await t.login(a, 'mallory'); // 1 frame of 200
    await t.redis.set(`${t.prefix}:b:mallory`, 'not a hash'); // after her login, which reads it
    await pings(mallory, 109); // 90 left: written, refused
    const refused = () => a.logs.filter((l) => l.fields?.what === 'budgets');
    await until('the refusal logged', () => refused().length, (n) => n >= 1);
    // Flushes after it: each writes Bob's buckets, and Mallory's too if she were still to write.
    const bob = await t.login(a, 'bob');
    for (const [n, left] of [[109, 90], [10, 80], [10, 70]] as const) {
      await pings(bob, n);
      await until(`bob's ${left} written`, () => tokens('bob'), (v) => v === left);
    }
    await bob.sync();
    expect(refused().map((l) => [l.level, l.message, String(l.fields?.error).split(' ')[0]])).toEqual([['warn', 'cluster: a Redis operation failed', 'WRONGTYPE']]);
    // Nor does the shutdown try it again until its 5 s bound runs out: a refusal for good is a write done.
    await a.handle.close();
    expect(a.logs.filter((l) => l.message === 'cluster: could not hand everything back to Redis')).toEqual([]);
    expect(refused()).toHaveLength(1);
  }, 30_000);
});
