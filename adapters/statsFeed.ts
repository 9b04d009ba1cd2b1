/**
 * A measurement taken only while watched: the first listener starts a timer on the injected
 * clock, each tick samples and hands the result (if any) to every listener, and the last
 * listener gone stops the timer, so nothing is measured while nobody listens.
 */
import type { Clock, TimerId } from './clock';
import type { Unsubscribe } from './ImPort';
import { Listeners } from './ws/listeners';

export class PolledFeed<T> {
  readonly #listeners: Listeners<T>;
  #timer: TimerId | null = null;
  /** Bumped by each start and stop, so a sample still out from an earlier run is dropped. */
  #run = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    /** One measurement; `null` when there is nothing to tell (not in a room). */
    private readonly sample: () => T | null | Promise<T | null>,
    private readonly report: (error: unknown) => void,
  ) {
    this.#listeners = new Listeners(report);
  }

  /** Adds a listener; the timer runs from the first one to the last one removed. */
  watch(listener: (value: T) => void): Unsubscribe {
    const off = this.#listeners.add(listener);
    if (this.#listeners.size === 1 && this.#timer === null) this.#schedule(++this.#run);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      off();
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** True while a listener is there (the timer runs). */
  get watched(): boolean {
    return this.#listeners.size > 0;
  }

  /** Stops the timer (the listeners stay: the next `watch` starts it again). */
  stop(): void {
    this.#run += 1;
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(run: number): void {
    this.#timer = this.clock.setTimeout(() => this.#tick(run), this.intervalMs);
  }

  #tick(run: number): void {
    const deliver = (value: T | null): void => {
      if (run !== this.#run) return;
      if (value !== null) this.#listeners.emit(value);
      if (run === this.#run) this.#schedule(run); // unless a listener just stopped it
    };
    const failed = (error: unknown): void => {
      this.report(error);
      deliver(null);
    };
    try {
      const value = this.sample();
      if (value instanceof Promise) value.then(deliver, failed);
      else deliver(value);
    } catch (error) {
      failed(error);
    }
  }
}
