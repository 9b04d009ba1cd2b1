/**
 * Checks of the memory network's knobs, set by tests (ours and our users'): a value out of range is a
 * `RangeError` naming it, never a delay or a rate read as something else (a `NaN` or negative latency
 * ran as 0 ms, an `Infinity` one never delivered, a string `'20'` ran as 0: a test that passed for the
 * wrong reason).
 */

/** A delay in ms: a finite number >= 0. */
export function checkDelay(name: string, ms: unknown): number {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return ms;
  throw new RangeError(`${name} must be a finite number of ms >= 0 (got ${describe(ms)})`);
}

/** A chance: a number in 0..1. */
export function checkRate(name: string, rate: unknown): number {
  if (typeof rate === 'number' && rate >= 0 && rate <= 1) return rate;
  throw new RangeError(`${name} must be a number in 0..1 (got ${describe(rate)})`);
}

/** A seed: an integer. */
export function checkSeed(seed: unknown): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed;
  throw new RangeError(`seed must be an integer (got ${describe(seed)})`);
}

const describe = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));
