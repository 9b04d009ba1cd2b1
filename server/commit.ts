/**
 * Group commit: every write made while handling the frames of one turn of the event loop goes
 * into one SQLite transaction, run once the turn is over; whatever the server would say after
 * such a write (acks, deliveries, and every frame queued behind them, to keep the order) waits
 * for that commit. One fsync per turn instead of one per message, and nothing is acknowledged or
 * delivered before it is durable.
 *
 * When no write is waiting, an effect runs at once: a turn without writes costs nothing.
 */

/** Something to do once the turn's writes are committed; `failed` instead when the commit failed. */
interface Effect {
  readonly ok: () => void;
  readonly failed: (() => void) | undefined;
}

/** Runs the given writes in one transaction (throws if it could not commit). */
export type Transact = (writes: readonly (() => void)[]) => void;

/** Defers `fn` to the end of the current turn (`setImmediate` by default). */
export type Defer = (fn: () => void) => void;

/** The writes and effects of the current turn. */
export class TurnCommit {
  private writes: (() => void)[] = [];
  private effects: Effect[] = [];
  private scheduled = false;
  private closed = false;
  /** Turns committed, and writes in them (for the metrics). */
  commits = 0;
  written = 0;

  /**
   * @param onError told when a commit failed (the effects then run their `failed` side)
   * @param onThrow told when `onError` or an effect threw: the turn's other effects still run, and
   *   nothing escapes into the event loop, where it would end the process and every connection
   *   (a store that fails its reads too makes the recount after a failed commit throw)
   */
  constructor(
    private readonly transact: Transact,
    private readonly defer: Defer,
    private readonly onError: (error: unknown) => void,
    private readonly onThrow: (error: unknown) => void = () => undefined,
  ) {}

  /** True while writes wait for the end of the turn. */
  get pending(): boolean {
    return this.writes.length > 0 || this.effects.length > 0;
  }

  /** Adds a write to this turn's transaction (ignored once the store is closed). */
  write(fn: () => void): void {
    if (this.closed) return;
    this.writes.push(fn);
    this.schedule();
  }

  /**
   * Runs `ok` once everything written so far is committed (at once if nothing waits), or
   * `failed` (when given) if that commit failed. Effects run in the order they were given.
   */
  after(ok: () => void, failed?: () => void): void {
    if (!this.pending) {
      ok();
      return;
    }
    this.effects.push({ ok, failed });
    this.schedule();
  }

  /** Commits now (before a synchronous transaction of its own, or at shutdown). */
  flush(): void {
    const writes = this.writes;
    const effects = this.effects;
    this.writes = [];
    this.effects = [];
    let committed = true;
    if (writes.length > 0) {
      try {
        this.transact(writes);
        this.commits++;
        this.written += writes.length;
      } catch (error) {
        committed = false;
        this.guarded(() => this.onError(error));
      }
    }
    for (const effect of effects) this.guarded(committed ? effect.ok : (effect.failed ?? effect.ok));
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onThrow(error);
    }
  }

  /** Commits what waits and takes no more writes (the store is closing). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.flush();
    });
  }
}
