/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): a sender's expired copies stop counting
 * at their expiry, says DELIVER; its count does (ZCOUNT from `now`), its bytes do not: `P:o:b:<sender>`
 * loses only the 16 members each call purges (`ZRANGEBYSCORE ... LIMIT 0 16`), so the bytes of every
 * other expired copy still count. A copy well within the quota is refused, and waits on its node
 * for as many retries as it takes to purge them 16 at a time (with the default 10,000 copies, ~600
 * retries, 30 s apart: hours).
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, until } from './support';

const TTL_MS = 60_000;
// 40 copies of 10 bytes fill her bytes (400); after they expire, one copy of 200 bytes should move.
const LIMITS = { maxSenderStored: 40, maxSenderStoredBytes: 400 };

describe("stream quotas: a sender's expired copies and its bytes in Redis", () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('40 of her copies expired untaken -> their bytes stop counting at once (256 purged per step, not 16); her next copy (200 of her 400 bytes) moves', async () => {
    const [a] = [await node('a', { limits: LIMITS, offlineTtlMs: TTL_MS }), await node('b', { limits: LIMITS, offlineTtlMs: TTL_MS })];
    const mallory = await login(a, 'mallory');
    for (let i = 0; i < 40; i++) {
      expect((await mallory.request({ type: 'sendC2C', to: `u${i}`, payload: `${'x'.repeat(8)}${String(i).padStart(2, '0')}`, onlineUserOnly: false })).type).toBe('ack');
    }
    await movesDone(a);
    expect(await redis.zcard(`${t.prefix}:o:s:mallory`)).toBe(40);
    expect(await redis.get(`${t.prefix}:o:b:mallory`)).toBe('400');
    await a.clock.advance(TTL_MS + 1000); // all 40 expired (untaken): nothing of hers counts any more

    const again = await login(a, 'mallory');
    // Node a last saw her holding 400 bytes in Redis: refused once on that, it reads them again (expired: none).
    const sent = await until('accepted', () => again.request({ type: 'sendC2C', to: 'bob', payload: 'y'.repeat(200), onlineUserOnly: false }), (f) => f.type === 'ack');
    expect(sent.type).toBe('ack');
    await movesDone(a);
    expect({
      bobStream: await redis.xlen(`${t.prefix}:i:bob`),
      stranded: a.handle.metrics().cluster?.strandedUsers,
      bytesCounted: await redis.get(`${t.prefix}:o:b:mallory`),
    }).toEqual({ bobStream: 1, stranded: 0, bytesCounted: '200' });
  });
});
