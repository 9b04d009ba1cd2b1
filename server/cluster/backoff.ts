/** A step tried again per user on the injected clock, each time later: the mailbox's retries (`mailbox.ts`). */
import type { ServerClock } from '../options';

/** A step the quotas refused (a move out, a take-in) is tried again after this, doubling up to {@link RETRY_MAX_MS}. */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 30_000;

/** Per user, a step retried on the injected clock, each time later (up to {@link RETRY_MAX_MS}), until {@link Backoff.done}. */
export class Backoff {
  /** Per user: the pending try (`null` once it ran, until the step asks again) and its delay. */
  private readonly users = new Map<string, { timer: unknown; delay: number }>();

  constructor(
    private readonly clock: ServerClock,
    private readonly step: (user: string) => void,
  ) {}

  get size(): number {
    return this.users.size;
  }

  /** True while a try of the step for `user` is due (its timer runs): until then, that try is the retry. */
  pending(user: string): boolean {
    const entry = this.users.get(user);
    return entry !== undefined && entry.timer !== null;
  }

  /** The step again later: at once pending, a try already due stays as it is (other moves do not push it back). */
  later(user: string): void {
    const before = this.users.get(user);
    if (before && before.timer !== null) return;
    const entry: { timer: unknown; delay: number } = { timer: null, delay: before ? Math.min(before.delay * 2, RETRY_MAX_MS) : RETRY_MS };
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = null;
      this.step(user);
    }, entry.delay);
    this.users.set(user, entry);
  }

  done(user: string): void {
    const before = this.users.get(user);
    if (before && before.timer !== null) this.clock.clearTimeout(before.timer);
    this.users.delete(user);
  }

  stop(): void {
    for (const user of [...this.users.keys()]) this.done(user);
  }

  /** Every pending step now (Redis is back): their delays stay as they were. */
  due(): void {
    for (const [user, entry] of [...this.users]) {
      if (entry.timer === null) continue;
      this.clock.clearTimeout(entry.timer);
      entry.timer = null;
      this.step(user);
    }
  }
}
