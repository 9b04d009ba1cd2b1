/**
 * Per-user budgets in a cluster: each node spends from local token buckets (a decision is
 * synchronous, as the dispatcher needs it), writes a user's buckets behind to Redis once one of
 * them is down to half its burst (at once when one ran out, else within
 * {@link ClusterBudgets.flushMs}; a user far from its limits costs Redis nothing), and when the
 * user's session there ends or moves to another node (taken over, handed over) or the node shuts
 * down. Before a login is handled the node reads them from Redis and, when another live node holds
 * the user, asks that node for its buckets as they are now (`BudgetAsks`: one pub/sub round trip,
 * only for a login that moves the user): the emptier bucket wins. So a user who spent on one node
 * has spent it on the next node it logs in to: reconnecting elsewhere resets nothing. Two nodes
 * spending for one user at the same instant (two tabs) each see the other's spending within a
 * flush interval once it is below half; what the old session spends between answering the ask
 * and being taken over (a Redis round trip or two) is not seen by the new node.
 */
import type { Limits, UserBudget, UserBudgets } from '../limits';
import type { Redis } from 'ioredis';

const BUDGETS: readonly UserBudget[] = ['frames', 'bytes', 'fanout'];

interface Bucket {
  tokens: number;
  last: number;
}

/** A user's buckets as stored in Redis: `budget -> "tokens:lastMs"`. */
export type StoredBudgets = Readonly<Record<string, string>>;

/** {@link UserBudgets} shared through Redis. */
export class ClusterBudgets implements UserBudgets {
  /** How often spending is written behind. */
  static readonly flushMs = 100;
  private readonly users = new Map<string, Record<UserBudget, Bucket>>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly limits: Limits,
    /** Told when a user's budget ran out: its state should reach Redis now. */
    private readonly exhausted: (userID: string) => void,
  ) {}

  get size(): number {
    return this.users.size;
  }

  take(userID: string, budget: UserBudget, n: number, now: number): boolean {
    const buckets = this.buckets(userID, now);
    const bucket = this.refill(buckets[budget], budget, now);
    if (bucket.tokens < n) {
      this.dirty.add(userID);
      this.exhausted(userID);
      return false;
    }
    bucket.tokens -= n;
    // Worth telling the other nodes only once it could matter there.
    if (bucket.tokens < this.rate(budget).burst / 2) this.dirty.add(userID);
    return true;
  }

  prune(now: number): void {
    for (const [userID, buckets] of this.users) {
      if (this.dirty.has(userID)) continue;
      if (BUDGETS.every((b) => this.refill(buckets[b], b, now).tokens >= this.rate(b).burst)) this.users.delete(userID);
    }
  }

  /** Takes in what Redis holds for a user: the emptier bucket of the two wins (no reset by moving). */
  seed(userID: string, stored: StoredBudgets, now: number): void {
    const buckets = this.buckets(userID, now);
    for (const b of BUDGETS) {
      const text = stored[b];
      if (!text) continue;
      const [tokens, last] = text.split(':').map(Number);
      if (!Number.isFinite(tokens) || !Number.isFinite(last)) continue;
      const remote = this.refill({ tokens: tokens as number, last: last as number }, b, now);
      const local = this.refill(buckets[b], b, now);
      if (remote.tokens < local.tokens) buckets[b] = remote;
    }
  }

  /** The state to write for `userID` (and it is no longer dirty). */
  stored(userID: string): StoredBudgets | null {
    this.dirty.delete(userID);
    const buckets = this.users.get(userID);
    if (!buckets) return null;
    return Object.fromEntries(BUDGETS.map((b) => [b, `${buckets[b].tokens}:${buckets[b].last}`]));
  }

  /** Writes `userID`'s state to Redis at `key`, kept as long as it takes to fill up again; `lost` hears a failure. */
  async save(userID: string, redis: Redis, key: string, lost: (error: unknown) => void): Promise<void> {
    const stored = this.stored(userID);
    if (!stored) return;
    await redis.pipeline().hset(key, stored).pexpire(key, Math.ceil(this.refillMs())).exec().catch(lost);
  }

  /** The user's buckets as they are now, without writing anything (null: none, or all of them full). */
  peek(userID: string, now: number): StoredBudgets | null {
    const buckets = this.users.get(userID);
    if (!buckets || BUDGETS.every((b) => this.refill(buckets[b], b, now).tokens >= this.rate(b).burst)) return null;
    return Object.fromEntries(BUDGETS.map((b) => [b, `${buckets[b].tokens}:${buckets[b].last}`]));
  }

  /** Users with a bucket not full (what a node shutting down writes). */
  spent(now: number): string[] {
    return [...this.users.keys()].filter((userID) => this.peek(userID, now) !== null);
  }

  /** Users spent from since the last write. */
  takeDirty(): string[] {
    return [...this.dirty];
  }

  /** How long a budget takes to fill up again (how long Redis keeps it). */
  refillMs(): number {
    return Math.max(...BUDGETS.map((b) => (this.rate(b).burst / this.rate(b).perSecond) * 1000)) + 1000;
  }

  private buckets(userID: string, now: number): Record<UserBudget, Bucket> {
    let buckets = this.users.get(userID);
    if (!buckets) {
      buckets = {
        frames: { tokens: this.rate('frames').burst, last: now },
        bytes: { tokens: this.rate('bytes').burst, last: now },
        fanout: { tokens: this.rate('fanout').burst, last: now },
      };
      this.users.set(userID, buckets);
    }
    return buckets;
  }

  private rate(budget: UserBudget) {
    return budget === 'frames' ? this.limits.userRate : budget === 'bytes' ? this.limits.byteRate : this.limits.fanout;
  }

  private refill(bucket: Bucket, budget: UserBudget, now: number): Bucket {
    const { perSecond, burst } = this.rate(budget);
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.last) * perSecond) / 1000);
    bucket.last = Math.max(bucket.last, now);
    return bucket;
  }
}
