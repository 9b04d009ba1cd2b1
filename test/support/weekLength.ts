/**
 * How long the "after a week" tests run (`test/scenarios/week.test.ts`, `test/scenarios/embedded.week.test.ts`,
 * `test/security/week.security.test.ts`, `test/cluster/week.test.ts`): how many batches (or days) each measures once
 * warm. `npm test` runs each file's default, the shortest that still fails on the leak it guards (each file says
 * which); `npm run test:soak` runs them longer (`WEEK_BATCHES=8`), each measured batch held to the same bound.
 */
export function weekBatches(fallback: number): number {
  const raw = process.env.WEEK_BATCHES;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`WEEK_BATCHES must be a whole number of batches, 1 or more (got ${JSON.stringify(raw)})`);
  return n;
}
