/**
 * What held a target's event loop during a phase, seen from inside its process: the loop's
 * delay, V8's collections by kind, and (our server) the store's transactions, each commit of a
 * turn with its WAL writes and SQLite's automatic checkpoints. A tail latency is made of these
 * stalls; the report puts them beside it, so that a change to the server or its flags shows what
 * it moved. Installed by the target's host process (serverUnderTest.ts, bareRelay.ts) and read
 * through its IPC (`stalls`, which also starts the next phase's count): server/ has no hook.
 */
import { type IntervalHistogram, PerformanceObserver, constants, monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** Count, total and longest duration of one kind of stall over a phase (ms). */
export interface StallCount {
  readonly count: number;
  readonly ms: number;
  readonly maxMs: number;
  /** How many took longer than {@link LONG_MS}. */
  readonly long: number;
}

/** A target's stalls over one phase. */
export interface StallFigures {
  /** Wall time covered (s). */
  readonly seconds: number;
  /** How late a timer due every {@link LOOP_RESOLUTION_MS} ms ran (ms): 99th percentile and longest. */
  readonly loopP99: number;
  readonly loopMax: number;
  /** V8's collections: young generation (scavenges), old generation (mark-compact's final pauses), incremental marking steps. */
  readonly young: StallCount;
  readonly old: StallCount;
  readonly incremental: StallCount;
  /** The store's transactions (null: a target without one, the bare relay). */
  readonly commits: StallCount | null;
}

/** A stall counts as long from here (ms): a tail 2x the bare relay's paced p99 is a few ms. */
export const LONG_MS = 2;
/** The loop-delay sampling interval (ms). */
const LOOP_RESOLUTION_MS = 5;

class Tally {
  count = 0;
  ms = 0;
  maxMs = 0;
  long = 0;
  add(ms: number): void {
    this.count++;
    this.ms += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    if (ms > LONG_MS) this.long++;
  }
  take(): StallCount {
    const out = { count: this.count, ms: this.ms, maxMs: this.maxMs, long: this.long };
    this.count = this.ms = this.maxMs = this.long = 0;
    return out;
  }
}

/** A better-sqlite3 `Database` class, whose `transaction()` makes the functions the store commits with. */
interface TransactionMaker {
  prototype: { transaction: (fn: (...args: never[]) => unknown) => (...args: never[]) => unknown };
}

/**
 * Starts observing this process; returns the read of the stalls since the last read (or since
 * now). `database`: the better-sqlite3 class the store will open with, patched here so that every
 * transaction made from now on is timed; call before the store opens.
 */
export function observeStalls(database?: TransactionMaker): () => StallFigures {
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const young = new Tally();
  const old = new Tally();
  const incremental = new Tally();
  const commits = database ? new Tally() : null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) young.add(entry.duration);
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) old.add(entry.duration);
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) incremental.add(entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  if (database && commits) {
    const make = database.prototype.transaction;
    database.prototype.transaction = function timed(this: unknown, fn) {
      const run = make.call(this, fn);
      return function timedRun(this: unknown, ...args: never[]) {
        const start = performance.now();
        try {
          return run.apply(this, args);
        } finally {
          commits.add(performance.now() - start);
        }
      };
    };
  }
  let since = performance.now();
  return () => {
    const now = performance.now();
    const figures: StallFigures = {
      seconds: (now - since) / 1000,
      // The histogram holds the time between its timer's runs (ns): the delay is what exceeds the interval.
      loopP99: loop.count > 0 ? Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : 0,
      loopMax: loop.count > 0 ? Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS) : 0,
      young: young.take(),
      old: old.take(),
      incremental: incremental.take(),
      commits: commits?.take() ?? null,
    };
    loop.reset();
    since = now;
    return figures;
  };
}
