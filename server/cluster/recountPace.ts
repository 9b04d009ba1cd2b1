/**
 * When a cluster node counts its store again after copies moved between it and the streams (`mailbox.ts`).
 *
 * Moves and take-ins count as they go (`StoredCounts.admit`, `StoredCounts.removed`): the recount is a safety net
 * against drift, and it reads every count from SQLite, a cost that grows with the copies stored (3.5-4.5 µs a copy
 * on this project's shared 2-core machine: 200k copies 0.7-0.9 s, the default bound of 1M about 4 s). Run 250 ms
 * after any move, as it was until 2026-12-06 night, a node whose copies kept moving recounted up to four times a
 * second, and an outsider who stranded copies on it (some 10 accounts for 100k copies) kept it recounting most of the
 * time, its heartbeat late, every user on it waiting. So a recount waits, after the one before, {@link MS_PER_COPY}
 * for each copy that one counted, some 55 times what it cost at 4.5 µs a copy: move-driven recounts take 1.8% of the
 * node's thread at most, whatever the store holds (a machine twice as slow, 3.5%). The spacing is read from what the
 * node counts it stores, on the injected clock (`ServerClock`), never from a real clock: the same moves recount the same.
 * What this does not bound: one recount's own length (1M copies, about 4 s at once, past the heartbeat's 3.5 s), nor
 * the recounts outside this pace (after each failed commit, `index.ts`; at the hourly purge).
 *
 * What the counts can drift by meanwhile (nothing known since 2026-12-06 night), and why they still run, is said at {@link RecountPace}.
 */
import type { ServerClock } from '../options';

/** A recount runs this long after the move that asks for it, at the soonest. */
export const RECOUNT_MS = 250;
/** And this long per copy the last recount counted after that one (1M copies: 250 s; 1,000 copies or fewer: {@link RECOUNT_MS}). */
export const MS_PER_COPY = 0.25;

/**
 * One recount at a time, {@link RECOUNT_MS} after a move asked for it and no sooner than the last one's cost allows.
 *
 * Drift between two recounts, now up to minutes apart (250 s at the default bound of 1M copies): none known. A copy's
 * counts go where its row goes, in the commit that deletes it: a move out (`mailbox.ts`) and a receipt (`Mailer.receipt`)
 * each uncount only what their own delete took (`Store.removeCopy` says), so a copy two of them race for (its recipient
 * logs in on the node during the move's round trip to Redis, is handed it and confirms it; the purge takes it) counts
 * down once. Before 2026-12-06 night the move uncounted it at once, the receipt too: a sender repeating the race gained a
 * copy past its quota per copy raced, up to 50 a second between recounts (at 1M copies stored, 12,500 past a 10,000
 * quota; `test/cluster/moveRaced.test.ts`). Take-ins count at once and insert in the turn's commit; a failed commit is
 * followed by a recount of its own (`index.ts`), and so is the purge. What stays inexact is not this node's drift: what
 * a sender holds in Redis is as the node last learned it (`holdings.ts`), and a move whose reply Redis sent too late (a
 * command timed out after it ran) leaves the copies here and there, counted in both until one is taken in or expires.
 *
 * Why these recounts still run: they are the net under the moves' own counting, which spans two stores and many failure
 * paths, and they cost under 2% of the node's time (above). Each now says whether it found the counts off what the store
 * holds, copies or bytes in all (`hc_cluster_recounts_off_total`; it compares those totals only, so a sender's own count
 * off while they agree is not seen): that staying zero on a cluster's nodes is the evidence that would let these recounts
 * go, the hourly purge's left as the net (each recount of 1M copies blocks the node some 4 s, which this pace does not bound).
 */
export class RecountPace {
  private timer: unknown = null;
  /** When the last recount ran (server clock), and the wait it earned (its copies × {@link MS_PER_COPY}). */
  private lastAt = 0;
  private spacing = 0;
  private stopped = false;

  constructor(
    private readonly clock: ServerClock,
    /** Runs the recount (once the turn's writes are committed) and tells `ran` how many copies it counted. */
    private readonly recount: (ran: (copies: number) => void) => void,
  ) {}

  /** Copies moved: a recount is due, unless one is already, or the node stops (its moves away run after `stop()`). */
  soon(): void {
    if (this.timer !== null || this.stopped) return;
    const now = this.clock.now();
    // A clock set back since the last one: its whole spacing from now, never more.
    const earned = now < this.lastAt ? this.spacing : this.lastAt + this.spacing - now;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.recount((copies) => {
        this.lastAt = this.clock.now();
        this.spacing = copies * MS_PER_COPY;
      });
    }, Math.max(RECOUNT_MS, earned));
  }

  /** For good: a recount asked for later would run on a closed store (the review of 2026-12-06 night). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
