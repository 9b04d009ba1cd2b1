/**
 * A manual clock for deterministic tests. It implements the backend `Clock` and is also
 * accepted by XState as an actor's `clock` option (`createActor(machine, { clock })`).
 */
import type { Clock, TimerId } from '../clock';
import { shown as show } from './checks';
import { drain } from './drain';

interface Timer {
  readonly due: number;
  /** Scheduling order: breaks ties so that timers due at the same instant run FIFO. */
  readonly order: number;
  readonly fn: (...args: unknown[]) => void;
}

/** The default bound of {@link SimulatedClock.runUntilIdle}: one simulated hour. */
export const DEFAULT_IDLE_LIMIT_MS = 3_600_000;

/** Options of {@link SimulatedClock}. */
export interface SimulatedClockOptions {
  /**
   * Awaited before the first timer of a run and after each timer, instead of a bare macrotask
   * drain: lets a test wait for activity outside the clock (real sockets, a server in the same
   * process) to go quiet before simulated time moves on. It should drain microtasks itself.
   */
  readonly settle?: () => Promise<void>;
}

/**
 * Simulated time. Nothing happens until a test calls {@link SimulatedClock.advance},
 * {@link SimulatedClock.settle} or {@link SimulatedClock.runUntilIdle}; each timer then runs at
 * its due time and every promise chain it started finishes before the next one runs.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;
  private nextOrder = 0;
  /** The run in progress: overlapping calls queue behind it instead of interleaving. */
  private running: Promise<unknown> = Promise.resolve();

  private readonly quiesce: () => Promise<void>;

  /**
   * @param start the initial value of {@link SimulatedClock.now} (ms).
   * @param options an optional `settle` hook run between timers.
   */
  constructor(start = 0, options: SimulatedClockOptions = {}) {
    if (typeof start !== 'number' || !Number.isFinite(start)) throw new RangeError(`SimulatedClock: start must be a finite number of ms (got ${show(start)})`);
    const settle: unknown = options?.settle;
    if (settle !== undefined && typeof settle !== 'function') throw new TypeError(`SimulatedClock: options.settle must be a function (got ${show(settle)})`);
    this.current = start;
    this.quiesce = (settle as (() => Promise<void>) | undefined) ?? drain;
  }

  /** The simulated time in ms. */
  now(): number {
    return this.current;
  }

  /** Schedules `fn` at `now() + ms`; a negative or NaN `ms` counts as 0 (as the host's does); `fn` not a function: a `TypeError`. */
  setTimeout(fn: (...args: unknown[]) => void, ms: number): TimerId {
    if (typeof fn !== 'function') throw new TypeError(`SimulatedClock.setTimeout(): fn must be a function (got ${show(fn)})`);
    const delay = Number.isFinite(ms) && ms > 0 ? ms : ms === Infinity ? Infinity : 0;
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + delay, order: this.nextOrder++, fn });
    return id;
  }

  /** Cancels a timer; unknown or already-run IDs are ignored. */
  clearTimeout(id: TimerId): void {
    if (typeof id === 'number') this.timers.delete(id);
  }

  /** How many timers are scheduled. */
  pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, running every timer due in the window (including timers
   * scheduled meanwhile) in (due time, scheduling order) and draining microtasks after each.
   * Ends with `now() === start + ms`. A call made while another is running waits for it and
   * then counts `ms` from where that one ended. Rejects with a `RangeError` (and moves nothing)
   * unless `ms` is a finite number >= 0: time never runs backwards, and a `NaN` from a miscomputed
   * step is a mistake to show, not a silent no-op.
   */
  advance(ms: number): Promise<void> {
    const bad = checkStep('advance', 'ms', ms);
    if (bad) return Promise.reject(bad);
    return this.exclusive(() => this.run(this.current + ms));
  }

  /** Runs what is due now (`advance(0)`): timers with a zero delay and their consequences. */
  settle(): Promise<void> {
    return this.advance(0);
  }

  /**
   * Runs timers until none remain or `limitMs` of simulated time has passed.
   * Rejects with a `RangeError` unless `limitMs` is a finite number >= 0.
   * @returns the simulated time advanced, in ms.
   */
  runUntilIdle(limitMs: number = DEFAULT_IDLE_LIMIT_MS): Promise<number> {
    const bad = checkStep('runUntilIdle', 'limitMs', limitMs);
    if (bad) return Promise.reject(bad);
    return this.exclusive(async () => {
      const start = this.current;
      await this.run(start + limitMs, true);
      return this.current - start;
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.running.then(task);
    this.running = result.catch(() => undefined);
    return result;
  }

  /** A timer that throws stops the run; the error rejects the `advance` that ran it. */
  private async run(until: number, stopWhenIdle = false): Promise<void> {
    await this.quiesce();
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next[1].due > until) break;
      const [id, timer] = next;
      this.timers.delete(id);
      this.current = Math.max(this.current, timer.due);
      timer.fn();
      await this.quiesce();
    }
    if (!stopWhenIdle || this.timers.size > 0) this.current = Math.max(this.current, until);
  }

  private earliest(): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.timers) {
      const t = entry[1];
      if (!best || t.due < best[1].due || (t.due === best[1].due && t.order < best[1].order)) {
        best = entry;
      }
    }
    return best;
  }
}


/** The error for a step of time that is not a finite number >= 0, or `undefined` when it is one. */
function checkStep(method: string, name: string, ms: unknown): RangeError | undefined {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return undefined;
  return new RangeError(`SimulatedClock.${method}(): ${name} must be a finite number of ms >= 0 (got ${show(ms)})`);
}
