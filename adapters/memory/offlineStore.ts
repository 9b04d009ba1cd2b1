/**
 * The memory IM hub's offline store: the messages of users who are not online, kept until their
 * user logs in or until they expire, `ttlMs` after they were sent, as the embedded server keeps them
 * (`offlineTtlMs`, 7 days by default; Tencent IM keeps offline messages for a bounded time too).
 * Time is the hub's clock, passed in: the store reads no clock of its own.
 *
 * Like the server, it hands out nothing expired however late it looks (`take` checks each message),
 * and purges the rest at most once an hour of the clock (`purge`, which the hub calls as messages go
 * through it), so a soak test calling users who never log in again holds what one TTL sent them,
 * not all it ever sent. It decides nothing about invitations: one whose timeout passed is handed
 * out while its message lives, and the core's staleness rule keeps it from ringing, as over the server
 * (one settled meanwhile, with what settled it, the hub drops as it hands them out: `InMemoryImHub.flush`).
 */
import type { UserID } from '../../machines/types';

/** The server's default `offlineTtlMs`: 7 days. */
export const DEFAULT_OFFLINE_TTL_MS = 7 * 24 * 3_600_000;

/** How often expired messages are purged when nobody takes them (the server's `PURGE_MS`). */
export const OFFLINE_PURGE_MS = 3_600_000;

/** What the store needs of a message. */
export interface Stored {
  readonly to: UserID;
  /** Hub-wide send order: a user's messages are handed out in it. */
  readonly seq: number;
  /** When it was sent (hub clock): it expires at `sentAt + ttlMs`. */
  readonly sentAt: number;
}

/** Throws a `RangeError` unless `ttlMs` is a positive integer of ms or `Infinity` (kept until its user logs in). */
export function checkOfflineTtl(ttlMs: unknown): number {
  if (ttlMs === Infinity || (typeof ttlMs === 'number' && Number.isInteger(ttlMs) && ttlMs > 0)) return ttlMs;
  throw new RangeError(`offlineTtlMs must be a positive integer of ms, or Infinity (got ${String(ttlMs)})`);
}

/** Per-user queues in send order, with expiry. */
export class OfflineStore<E extends Stored> {
  private readonly queues = new Map<UserID, E[]>();
  private lastPurge: number;

  /**
   * @param ttlMs how long a message waits for its user (see {@link checkOfflineTtl}).
   * @param expired told of each message that expired unread, as it goes.
   * @param now the time the store starts at (its first purge is an hour after).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly expired: (message: E) => void,
    now: number,
  ) {
    this.lastPurge = now;
  }

  /** Keeps `message` for its user, in send order (a message in flight may land after a later one was stored). */
  put(message: E): void {
    const queue = this.queues.get(message.to) ?? [];
    let i = queue.length;
    while (i > 0 && (queue[i - 1]?.seq ?? 0) > message.seq) i--;
    queue.splice(i, 0, message);
    this.queues.set(message.to, queue);
  }

  /** Takes every message of `userID` out of the store: those alive at `now`, in send order (the expired are told and dropped). */
  take(userID: UserID, now: number): E[] {
    const queue = this.queues.get(userID);
    if (!queue) return [];
    this.queues.delete(userID);
    return queue.filter((message) => this.alive(message, now));
  }

  /** Drops what expired by `now`, if an hour passed since the last purge (`force`: whatever the time). */
  purge(now: number, force = false): void {
    if (!force && now - this.lastPurge < OFFLINE_PURGE_MS) return;
    this.lastPurge = now;
    for (const [userID, queue] of this.queues) {
      const alive = queue.filter((message) => this.alive(message, now));
      if (alive.length === 0) this.queues.delete(userID);
      else if (alive.length < queue.length) this.queues.set(userID, alive);
    }
  }

  /** How many messages it holds for `userID`, or for everyone. */
  count(userID?: UserID): number {
    if (userID !== undefined) return this.queues.get(userID)?.length ?? 0;
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  /** Unexpired at `now`, as the server reads its store (`expires_at > now`); an expired one is told. */
  private alive(message: E, now: number): boolean {
    if (now - message.sentAt < this.ttlMs) return true;
    this.expired(message);
    return false;
  }
}
