/**
 * Time, injected. XState's actor `clock` option takes the `setTimeout`/`clearTimeout` half;
 * `now` stamps signals and commands. Real time is only the composition root's default.
 */
export type TimerId = unknown;

export interface Clock {
  now(): number;
  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/**
 * Real time: the default when no clock is injected. The one place outside tests that reads
 * the wall clock or schedules real timers.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
