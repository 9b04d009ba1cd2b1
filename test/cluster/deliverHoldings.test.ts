/**
 * DELIVER's view of what a sender holds in the streams (its copies and bytes, its expired copies out first), read since
 * 2026-12-07 from the sender's set itself when it holds up to 16 members (one ZRANGE; none: nothing held, its bytes not
 * read), as HELD reads it past that (the purge, ZCOUNT, GET). Both are run here on the same random states of a sender's
 * set and bytes, scripts on Redis itself: the answers, the state left and the keys' lives agree.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { defineScripts } from '../../server/cluster/scripts';
import { flushPrefix, REDIS_URL } from './support';

const NOW = 1_800_000_000_000;
const CAPS = [1000, 16_777_216, 250, 4_194_304, 10_000, 67_108_864];
const redis = defineScripts(new Redis(REDIS_URL));
afterAll(() => redis.disconnect());

/** A sender's set (`<id> <bytes> <user>` by expiry) and bytes as DELIVER's own steps leave them, with their lives. */
async function seed(prefix: string, members: readonly { expires: number; bytes: number }[], ttl: number): Promise<void> {
  const zs = `${prefix}:o:s:sam`;
  const zb = `${prefix}:o:b:sam`;
  for (const [i, m] of members.entries()) await redis.zadd(zs, m.expires, `${i}-0 ${m.bytes} u${i}`);
  await redis.set(zb, members.reduce((n, m) => n + m.bytes, 0));
  if (members.length > 0) await redis.pexpire(zs, ttl);
  await redis.pexpire(zb, ttl);
}

const deliver = (prefix: string, bytes: number, expires: number) =>
  redis.hcDeliver(`${prefix}:i:bob`, `${prefix}:d:bob`, `${prefix}:q:bob`, `${prefix}:p:bob`, 604_800_000, `${prefix}:n:`, 'bob', NOW, `${prefix}:o:`, ...CAPS, '{"m":1}', 'sam', bytes, expires);

describe("what DELIVER reads of a sender's copies in the streams", () => {
  it('0 to 40 copies of random lives, some expired: held copies and bytes after the move as HELD reads them, expired ones gone, set and bytes living past the new copy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ expires: fc.integer({ min: NOW - 5000, max: NOW + 5000 }), bytes: fc.integer({ min: 1, max: 900 }) }), { maxLength: 40 }),
        fc.integer({ min: 1000, max: 120_000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 200_000 }),
        async (members, ttl, bytes, life) => {
          const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
          try {
            await seed(prefix, members, ttl);
            const flags = await deliver(prefix, bytes, NOW + life);
            const live = members.filter((m) => m.expires > NOW);
            // Up to 256 expired copies go in one step (purgeSender): all of these.
            const [heldN, heldB] = await redis.hcHeld(`${prefix}:o:s:sam`, `${prefix}:o:b:sam`, NOW);
            expect({ moved: flags[0], sender: flags.slice(2), expiredLeft: await redis.zcount(`${prefix}:o:s:sam`, '-inf', NOW) }).toEqual({
              moved: 1,
              sender: ['sam', live.length + 1, live.reduce((n, m) => n + m.bytes, 0) + bytes, 1, bytes],
              expiredLeft: 0,
            });
            expect([heldN, heldB]).toEqual([live.length + 1, live.reduce((n, m) => n + m.bytes, 0) + bytes]);
            // The set and its bytes live together, at least as long as the new copy, and no longer than a minute past
            // it or the life they had.
            const [zsTtl, zbTtl] = await Promise.all([redis.pttl(`${prefix}:o:s:sam`), redis.pttl(`${prefix}:o:b:sam`)]);
            expect(Math.abs(zsTtl - zbTtl)).toBeLessThan(1000);
            expect(zsTtl).toBeGreaterThanOrEqual(life - 1000); // read a moment after the step
            expect(zsTtl).toBeLessThanOrEqual(Math.max(ttl, life + 60_000));
          } finally {
            await flushPrefix(redis, prefix);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
