/**
 * `TokenBuckets` (several buckets in one object, refilled together: what each connection and
 * each user holds) decides exactly as one `TokenBucket` per rate would, whatever the order of
 * takes, on a clock that moves forward or stands still. (A clock read that goes back refills
 * neither; the joint buckets may then have credited a little earlier, never more in all.)
 */
import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBuckets } from '../../server/limits';

/** A small deterministic generator (no Math.random in tests). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('TokenBuckets', () => {
  // Rates that refill whole tokens per millisecond, so that float rounding (adding a refill in
  // one step or in several) cannot make the two differ at a bucket's very edge.
  it('decides every take as separate TokenBuckets do, over 20,000 random takes', () => {
    const rates = [
      { perSecond: 1000, burst: 200 },
      { perSecond: 256_000, burst: 1024 * 1024 },
      { perSecond: 1000, burst: 10 },
    ];
    const random = lcg(7);
    let now = 1_700_000_000_000;
    const joint = new TokenBuckets(rates, now);
    const apart = rates.map((r) => new TokenBucket(r.perSecond, r.burst, now));
    const decisions: boolean[] = [];
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      // Forward by up to 50 ms, or not at all.
      now += r < 0.1 ? 0 : Math.floor(random() * 50);
      const i = Math.floor(random() * rates.length);
      const n = 1 + Math.floor(random() * [120, 70_000, 10][i]!);
      const got = joint.take(i, now, n);
      expect(got, `step ${step}: bucket ${i} take ${n} at ${now}`).toBe((apart[i] as TokenBucket).take(now, n));
      decisions.push(got);
      if (step % 1000 === 999) expect(joint.full(now)).toBe(apart.every((b) => b.full(now)));
    }
    // Both answers occur: the walk really ran into the limits.
    expect(decisions).toContain(true);
    expect(decisions).toContain(false);
  });

  it('a new set is full; a take beyond a burst is never affordable', () => {
    const joint = new TokenBuckets([{ perSecond: 1, burst: 2 }], 0);
    expect(joint.full(0)).toBe(true);
    expect(joint.take(0, 0, 3)).toBe(false);
    expect(joint.take(0, 0, 2)).toBe(true);
    expect(joint.full(0)).toBe(false);
    expect(joint.take(0, 999, 1)).toBe(false);
    expect(joint.take(0, 1000, 1)).toBe(true);
    // A reading from the past refills nothing, and the time already reached stays.
    expect(joint.take(0, 500, 1)).toBe(false);
    expect(joint.take(0, 1999, 1)).toBe(false);
    expect(joint.take(0, 2000, 1)).toBe(true);
  });
});
