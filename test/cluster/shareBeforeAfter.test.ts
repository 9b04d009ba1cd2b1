/**
 * SHARE of today against SHARE before 2026-12-07 (server/cluster/replicaScripts.ts at 6d8e4da, word for word below),
 * on the same random runs of one node's changes: histories absent, lists with or without a TTL, or of another type;
 * every mode; changes sent again (their first answer lost) at or above the floor. Answers, errors, histories, their
 * TTLs, versions and what is published agree; the node's record of the changes Redis ran keeps, today, every number
 * it kept before, and more only below a floor it was sent (never looked up again: a change is sent again only at or
 * above it, `replica.ts`).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type HistoryMode, replicaCommands, TOMBSTONE_MS } from '../../server/cluster/replicaScripts';
import { flushPrefix, REDIS_URL } from './support';

const SHARE_BEFORE = `
if redis.call('ZSCORE', KEYS[3], ARGV[5]) then return {0, 0} end
if ARGV[3] ~= '1' then
  local kind = redis.call('TYPE', KEYS[1])['ok']
  if kind ~= 'none' and kind ~= 'list' then return redis.error_reply('WRONGTYPE the history ' .. KEYS[1] .. ' is a ' .. kind) end
end
local v, length = -1, 0
if ARGV[3] ~= 'c' or redis.call('EXISTS', KEYS[1]) == 0 then
  v = redis.call('INCR', KEYS[2])
  local entry = '{"v":' .. v .. ',' .. string.sub(ARGV[1], 2)
  if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
  local found = redis.call('EXISTS', KEYS[1])
  redis.call('RPUSH', KEYS[1], entry)
  local ttl = tonumber(ARGV[2])
  if ARGV[3] == 'k' then
    if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  elseif ARGV[3] == 'g' then
    if found == 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
  elseif ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
  redis.call('PUBLISH', ARGV[4], entry)
  length = redis.call('LLEN', KEYS[1])
end
-- A claim not taken is not counted as run: sent again (its answer lost), it is answered by the history as it is then.
if v == -1 then return {v, length} end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ${TOMBSTONE_MS})
return {v, length}`;

const redis = new Redis(REDIS_URL);
const today = replicaCommands(redis);
afterAll(() => redis.disconnect());

// A TTL of 0 only in modes '0', '1' and 'c' (replica.ts sends one only with a group's making, '0': kept for good): in 'g'
// and 'k' a 0 made PEXPIRE delete the history just appended, and today's answer, RPUSH's length, says 1 where LLEN said 0.
const op = fc
  .record({
    mode: fc.constantFrom<HistoryMode>('0', '1', 'c', 'k', 'g'),
    ttl: fc.constantFrom(0, 5000, 60_000, 600_000),
    again: fc.boolean(), // a change sent before is sent again (its answer lost), one at or above the floor
    back: fc.nat(20), // ... this many before the last one, or the floor's
    raise: fc.nat(5).map((n) => n === 0), // the floor moves up to this change (every change before it answered), now and then
  })
  .map((o) => (o.ttl === 0 && (o.mode === 'g' || o.mode === 'k') ? { ...o, ttl: 5000 } : o));
const start = fc.constantFrom('none', 'list', 'list-ttl', 'string');

describe('SHARE of today against SHARE before 2026-12-07', () => {
  it('random runs of a node\'s changes on random histories: the same answers, histories, TTLs and versions; the record of changes run keeps all it kept, more only below the floor', async () => {
    await fc.assert(
      fc.asyncProperty(start, fc.array(op, { minLength: 18, maxLength: 60 }), async (initial, ops) => {
        const runs = [`hc-test-${randomBytes(5).toString('hex')}`, `hc-test-${randomBytes(5).toString('hex')}`] as const;
        try {
          const results: unknown[][] = [[], []];
          for (const [side, prefix] of runs.entries()) {
            const [history, version, ran] = [`${prefix}:h`, `${prefix}:v`, `${prefix}:ran`];
            if (initial === 'string') await redis.set(history, 'x');
            if (initial.startsWith('list')) await redis.rpush(history, '{"v":0,"op":"first"}');
            if (initial === 'list-ttl') await redis.pexpire(history, 30_000);
            let [seq, floor] = [0, 1];
            for (const [i, o] of ops.entries()) {
              const s = o.again && seq >= floor ? Math.max(floor, seq - o.back) : ++seq;
              if (o.raise) floor = s;
              const frame = `{"op":"c${i}"}`;
              const answer = await (side === 0
                ? (redis.eval(SHARE_BEFORE, 3, history, version, ran, frame, o.ttl, o.mode, `${prefix}:all`, s, floor) as Promise<[number, number]>)
                : today.share(history, version, ran, frame, o.ttl, o.mode, `${prefix}:all`, s, floor)
              ).catch((error: Error) => error.message.replace(prefix, 'P'));
              const type = await redis.type(history);
              const ttl = await redis.pttl(history);
              results[side]?.push({ i, answer, type, list: type === 'list' ? await redis.lrange(history, 0, -1) : null, ttl, v: await redis.get(version), floor });
            }
          }
          // TTLs read a moment apart: within a second, the same.
          const [before, after] = results as [{ ttl: number }[], { ttl: number }[]];
          for (const [i, b] of before.entries()) {
            const a = after[i];
            if (a && a.ttl >= 0 && b.ttl >= 0 && Math.abs(a.ttl - b.ttl) < 1000) a.ttl = b.ttl;
          }
          expect(after).toEqual(before);
          const [was, is] = [await redis.zrange(`${runs[0]}:ran`, 0, -1), await redis.zrange(`${runs[1]}:ran`, 0, -1)];
          expect(was.filter((n) => !is.includes(n))).toEqual([]);
          const lastFloor = (results[0]?.at(-1) as { floor: number }).floor;
          expect(is.filter((n) => !was.includes(n) && Number(n) >= lastFloor)).toEqual([]);
          if (is.length > 0) expect(await redis.pttl(`${runs[1]}:ran`)).toBeGreaterThan(TOMBSTONE_MS - 60_000);
        } finally {
          for (const prefix of runs) await flushPrefix(redis, prefix);
        }
      }),
      { numRuns: 100, endOnFailure: true }, // a shrink of runs this long outlasts the test's time
    );
  });
});
