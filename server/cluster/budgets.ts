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
 *
 * A write is a merge in Redis (`MERGE`), not an overwrite: per bucket, the emptier of the two (refilled to
 * the later of their times) stays. Spending only empties a bucket, so the emptier is the newer state
 * whichever node wrote it; a write that lands late (a command past its timeout that Redis ran later, or one
 * on a stalled socket) cannot put back tokens the node the user moved to has spent since. A write that
 * failed leaves the user dirty (written again at the next flush once Redis answers): before 2026-12-05 it
 * was lost, and the late one overwrote the newer state.
 */
import { groupCreateRate, type Limits, needed, type UserBudget, type UserBudgets } from '../limits';
import { refusedForGood } from './replica';

/**
 * What a user spends in a cluster: the hub's budgets, and the presence snapshots she asks for (one node keeps those
 * in `Presence`; here they follow her to the next node as the others do, or each move was a fresh burst).
 */
type Budget = UserBudget | 'snapshots';
const BUDGETS: readonly Budget[] = ['frames', 'bytes', 'fanout', 'snapshots', 'groups'];

interface Bucket {
  tokens: number;
  last: number;
}

/** A user's buckets as stored in Redis: `budget -> "tokens:lastMs"`. */
export type StoredBudgets = Readonly<Record<string, string>>;

/**
 * Merges a user's buckets into its hash (KEYS[1], kept ARGV[1] ms at least: a bucket kept from an earlier write may need
 * longer to fill than the ones written now): per bucket (ARGV from 2 on, four at a time:
 * name, `tokens:lastMs`, rate per second, burst), the one written stays only if it is no fuller than the one
 * Redis holds, both refilled to the later of their times (what `ClusterBudgets.seed` decides at a login).
 */
export const MERGE = `
local function parse(text)
  if not text then return nil end
  local t, l = string.match(text, '^([^:]+):(.+)$')
  return tonumber(t), tonumber(l)
end
for i = 2, #ARGV, 4 do
  local tokens, last = parse(ARGV[i + 1])
  local held, heldLast = parse(redis.call('HGET', KEYS[1], ARGV[i]))
  local rate, burst = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local keep = true
  if tokens and last and held and heldLast then
    local at = math.max(last, heldLast)
    keep = math.min(burst, tokens + (at - last) * rate / 1000) <= math.min(burst, held + (at - heldLast) * rate / 1000)
  end
  if keep and tokens and last then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

/** {@link MERGE} as a command of the node's Redis client (`scripts.ts` registers it). */
export type MergeCommand = (key: string, ttl: number, ...buckets: (string | number)[]) => Promise<number>;

/** {@link UserBudgets} shared through Redis. */
export class ClusterBudgets implements UserBudgets {
  /** How often spending is written behind. */
  static readonly flushMs = 100;
  private readonly users = new Map<string, Record<Budget, Bucket>>();
  private readonly dirty = new Set<string>();
  /** Each user's write under way, and the one asked meanwhile, which goes once it is answered. */
  private readonly writes = new Map<string, { running: Promise<boolean>; again: Promise<boolean> | null }>();
  /** Users whose last write failed, told already: not told again until a write of theirs is taken. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly limits: Limits,
    /** Told when a user's budget ran out: its state should reach Redis now. */
    private readonly exhausted: (userID: string) => void,
  ) {}

  get size(): number {
    return this.users.size;
  }

  take(userID: string, budget: Budget, n: number, now: number, owing = false): boolean {
    const buckets = this.buckets(userID, now);
    const bucket = this.refill(buckets[budget], budget, now);
    // Owing, a cost above the burst is taken from a full bucket, left below zero (MERGE and `seed` keep the emptier).
    if (bucket.tokens < needed(n, this.rate(budget), owing)) {
      this.dirty.add(userID);
      this.exhausted(userID);
      return false;
    }
    bucket.tokens -= n;
    // Worth telling the other nodes only once it could matter there.
    if (bucket.tokens < this.rate(budget).burst / 2) this.dirty.add(userID);
    return true;
  }

  takeOwing(userID: string, budget: UserBudget, n: number, now: number): boolean {
    return this.take(userID, budget, n, now, true);
  }

  prune(now: number): void {
    for (const [userID, buckets] of this.users) {
      if (this.dirty.has(userID) || this.writes.has(userID)) continue;
      if (!BUDGETS.every((b) => this.refill(buckets[b], b, now).tokens >= this.rate(b).burst)) continue;
      this.users.delete(userID);
      this.failing.delete(userID);
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

  /**
   * Merges `userID`'s state into Redis at `key` (kept as long as it takes to fill up again). One write at a time
   * per user: asked while one is under way, it goes once that one is answered, with the state as it is then (a
   * flood of refusals, each asking, makes one write more, not one each). True once nothing is left to send (Redis
   * took it, or refused it for good: `refusedForGood`); failed (`lost` hears the first failure until a write is
   * taken), the user is dirty again, written at a later flush.
   */
  save(userID: string, merge: MergeCommand, key: string, lost: (error: unknown) => void): Promise<boolean> {
    const under = this.writes.get(userID);
    if (under) return (under.again ??= under.running.then(() => this.write(userID, merge, key, lost)));
    return this.write(userID, merge, key, lost);
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

  /** Users spent from since the last write (but those with a write under way: their next waits for it). */
  takeDirty(): string[] {
    return [...this.dirty].filter((userID) => !this.writes.has(userID));
  }

  private write(userID: string, merge: MergeCommand, key: string, lost: (error: unknown) => void): Promise<boolean> {
    const stored = this.stored(userID);
    if (!stored) return Promise.resolve(true);
    const buckets = BUDGETS.flatMap((b) => [b, stored[b] as string, this.rate(b).perSecond, this.rate(b).burst]);
    const running = merge(key, Math.ceil(this.refillMs(stored)), ...buckets).then(
      () => (this.failing.delete(userID), true),
      (error: unknown) => {
        // Told once: written again at each flush, a refusal for a while (memory full) was ten lines a second.
        if (!this.failing.has(userID)) lost(error);
        this.failing.add(userID);
        // A refusal for good (her key of another type) is not sent again, each flush for ever, until she spends again.
        if (refusedForGood(error)) return true;
        this.dirty.add(userID);
        return false;
      },
    );
    const entry: { running: Promise<boolean>; again: Promise<boolean> | null } = { running, again: null };
    this.writes.set(userID, entry);
    void running.then(() => {
      if (this.writes.get(userID) === entry && entry.again === null) this.writes.delete(userID);
    });
    return running;
  }

  /**
   * How long these buckets take to fill up again (how long Redis keeps them): the groups' budget takes an hour from
   * empty, and a key kept that long for each user who only sent a burst of frames would be kept for nothing.
   */
  private refillMs(stored: StoredBudgets): number {
    return (
      Math.max(
        ...BUDGETS.map((b) => {
          const { perSecond, burst } = this.rate(b);
          const tokens = Number(String(stored[b]).split(':')[0]);
          return (Math.max(0, burst - (Number.isFinite(tokens) ? tokens : 0)) / perSecond) * 1000;
        }),
      ) + 1000
    );
  }

  private buckets(userID: string, now: number): Record<Budget, Bucket> {
    let buckets = this.users.get(userID);
    if (!buckets) {
      buckets = {
        frames: { tokens: this.rate('frames').burst, last: now },
        bytes: { tokens: this.rate('bytes').burst, last: now },
        fanout: { tokens: this.rate('fanout').burst, last: now },
        snapshots: { tokens: this.rate('snapshots').burst, last: now },
        groups: { tokens: this.rate('groups').burst, last: now },
      };
      this.users.set(userID, buckets);
    }
    return buckets;
  }

  private rate(budget: Budget) {
    if (budget === 'snapshots') return this.limits.presenceSnapshots;
    if (budget === 'groups') return groupCreateRate(this.limits);
    return budget === 'frames' ? this.limits.userRate : budget === 'bytes' ? this.limits.byteRate : this.limits.fanout;
  }

  private refill(bucket: Bucket, budget: Budget, now: number): Bucket {
    const { perSecond, burst } = this.rate(budget);
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.last) * perSecond) / 1000);
    bucket.last = Math.max(bucket.last, now);
    return bucket;
  }
}
