/**
 * The presence feed: who is online, for logged-in users who ask (`presenceSubscribe`).
 *
 * Policy (README, "Presence"):
 * - Off unless the server is started with `--presence` (`npm start` turns it on for the demo).
 *   Off, a subscription is refused with `presenceOff`, and nothing about anyone is ever sent.
 * - Only a logged-in user may subscribe, and sees only users of this server's one SDKAppID
 *   (the only app whose userSigs it accepts), never itself.
 * - "Online" is exactly what the IM relay uses: a session with a live connection. A user whose
 *   connection dropped is offline (messages to them are stored) until it comes back.
 * - A snapshot names at most {@link MAX_LISTED} users.
 * - Bounded: a user's change is told at once, but one within `presenceBatchMs` of that user's
 *   last told change waits for the window's end and is told then only if it still holds, in one
 *   frame with every other change that waited (so a user flapping login/logout costs each
 *   subscriber at most one frame per window, and a flap inside a window costs nothing); snapshots
 *   are rate-limited per user (`presenceSnapshots`), refused `rateLimited` beyond.
 *
 * It watches connections from the outside (`handling` each frame, `gone` when one closes), so
 * the hub needs no hook: a user's presence can only change when one of their connections
 * handled a frame (login, logout) or closed.
 */
import type { ServerFrame } from '../adapters/ws/protocol';
import type { Conn } from './conn';
import { type Limits, TokenBucket } from './limits';
import type { ServerClock } from './options';
import { type Refusal, refuse } from './refusal';

/** The most users one snapshot names (a frame stays far below the 64 KB frame limit). */
export const MAX_LISTED = 1000;

/**
 * Who is online: on one node, the users with a session on a live connection here
 * ({@link localOnline}); in a cluster, here or on any other node (`server/cluster/online.ts`),
 * which then also calls {@link Presence.changed} when a user comes or goes on another node.
 */
export interface OnlineUsers {
  /** Whether `userID` has a session on a live connection now. */
  isOnline(userID: string): boolean;
  /**
   * `userID`'s session here may have changed (a frame of theirs was handled, a connection of
   * theirs closed); a cluster tells the other nodes. Absent: nobody needs to know.
   */
  readonly changedHere?: (userID: string) => void;
}

/** {@link OnlineUsers} of one node: `isOnline` tells whether a user has a session on a live connection here. */
export function localOnline(isOnline: (userID: string) => boolean): OnlineUsers {
  return { isOnline };
}

/** Who is online, and who wants to know. */
export class Presence {
  /** The users announced online, in the order they came. */
  private readonly online = new Set<string>();
  /** The user each connection was last seen logged in as. */
  private readonly users = new Map<Conn, string>();
  private readonly subscribers = new Set<Conn>();
  /** Users to re-check once the frame being handled is done (null: no frame is being handled). */
  private held: Set<string> | null = null;
  /** When each user's change was last told, oldest first (only those within the batch window). */
  private readonly told = new Map<string, number>();
  /** Users whose change waits for the end of the window. */
  private readonly waiting = new Set<string>();
  private timer: unknown = null;
  /** Snapshot budgets per user. */
  private readonly snapshots = new Map<string, TokenBucket>();
  private lastPrune = 0;

  constructor(
    /** Whether the feed is offered at all (`--presence`). */
    readonly enabled: boolean,
    private readonly onlineUsers: OnlineUsers,
    private readonly clock: ServerClock,
    private readonly limits: Pick<Limits, 'presenceBatchMs' | 'presenceSnapshots'>,
    /** A cluster's: spends one of the user's snapshots from her budgets, which follow her to other nodes. */
    private readonly spendSnapshot?: (userID: string, now: number) => boolean,
  ) {}

  /** Whether connections are watched (the feed is on, or other nodes need to hear of changes here). */
  get watching(): boolean {
    return this.enabled || this.onlineUsers.changedHere !== undefined;
  }

  /** `userID` came or went on another node (cluster): subscribers here hear of it as of a user here. */
  changed(userID: string): void {
    if (this.enabled) this.check(userID);
  }

  /** How many connections subscribe now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Subscribes `conn` (logged in as `userID`): a snapshot now, changes after. Idempotent. */
  subscribe(conn: Conn, userID: string, rid: number): ServerFrame | Refusal {
    if (!this.enabled) return { refused: 'presenceOff', message: 'this server offers no presence feed (start it with --presence)' };
    if (!this.snapshotAllowed(userID)) {
      const { perSecond, burst } = this.limits.presenceSnapshots;
      return refuse('rateLimited', `presence snapshots: at most ${burst} at once and ${perSecond} a second per user`, 'presenceSnapshots');
    }
    this.subscribers.add(conn);
    conn.send({ type: 'presence', snapshot: true, online: firstListed(this.online, userID), offline: [] });
    return { type: 'ack', rid };
  }

  /** Ends the subscription of `conn`, if any. */
  unsubscribe(conn: Conn, rid: number): ServerFrame {
    this.subscribers.delete(conn);
    return { type: 'ack', rid };
  }

  /**
   * Handles one frame of `conn`: changes are announced once it is done, so a login that takes
   * over an older connection of the same user is no "offline, online" flap.
   */
  handling(conn: Conn, handle: () => void): void {
    if (!this.watching) return handle();
    this.held ??= new Set();
    try {
      handle();
    } finally {
      this.seen(conn);
      const held = this.held;
      this.held = null;
      for (const userID of held ?? []) this.check(userID);
    }
  }

  /** After `conn` handled a frame: if it logged in, out or as someone else, re-check those users. */
  private seen(conn: Conn): void {
    const now = conn.closed ? undefined : conn.session?.userID;
    const before = this.users.get(conn);
    if (now === before) return;
    if (now === undefined) {
      this.users.delete(conn);
      this.subscribers.delete(conn); // a subscription belongs to a login
    } else {
      this.users.set(conn, now);
      if (before !== undefined) this.subscribers.delete(conn);
    }
    if (before !== undefined) this.check(before);
    if (now !== undefined) this.check(now);
  }

  /** `conn` is closing or closed. Safe to call more than once. */
  gone(conn: Conn): void {
    if (!this.watching) return;
    this.subscribers.delete(conn);
    const userID = this.users.get(conn);
    if (userID === undefined) return;
    this.users.delete(conn);
    this.check(userID);
  }

  /** Stops the batch timer (server shutdown). */
  close(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Compares `userID`'s presence with what was announced, and tells the subscribers if it
   * changed: at once, or at the end of the window if the user's last change was told within it.
   */
  private check(userID: string): void {
    if (this.held) {
      this.held.add(userID);
      return;
    }
    this.onlineUsers.changedHere?.(userID);
    if (!this.enabled || this.waiting.has(userID)) return; // the window's end looks again
    if (this.onlineUsers.isOnline(userID) === this.online.has(userID)) return;
    const now = this.clock.now();
    this.forgetTold(now);
    if (!this.told.has(userID)) return this.tell([userID], now);
    this.waiting.add(userID);
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.limits.presenceBatchMs);
  }

  /** The window is over: the changes that waited and still hold are told, together. */
  private flush(): void {
    this.timer = null;
    const users = [...this.waiting].filter((u) => this.onlineUsers.isOnline(u) !== this.online.has(u));
    this.waiting.clear();
    this.tell(users, this.clock.now());
  }

  /** Announces the current presence of `users` to every subscriber (but to themselves). */
  private tell(users: readonly string[], now: number): void {
    if (users.length === 0) return;
    const online: string[] = [];
    const offline: string[] = [];
    for (const userID of users) {
      const on = this.onlineUsers.isOnline(userID);
      if (on) this.online.add(userID);
      else this.online.delete(userID);
      (on ? online : offline).push(userID);
      this.told.delete(userID);
      this.told.set(userID, now);
    }
    for (const conn of this.subscribers) {
      if (conn.closed || !conn.session) continue;
      const self = conn.session.userID;
      const on = online.filter((u) => u !== self);
      const off = offline.filter((u) => u !== self);
      // A frame names at most MAX_LISTED users, like a snapshot.
      for (let i = 0; i < on.length || i < off.length; i += MAX_LISTED) {
        const frame: ServerFrame = { type: 'presence', snapshot: false, online: on.slice(i, i + MAX_LISTED), offline: off.slice(i, i + MAX_LISTED) };
        conn.send(frame);
      }
    }
  }

  /** Drops the users told longer ago than the window (the map is in time order). */
  private forgetTold(now: number): void {
    for (const [userID, at] of this.told) {
      if (now - at < this.limits.presenceBatchMs) return;
      this.told.delete(userID);
    }
  }

  /** Spends one of `userID`'s snapshots, if it has one left. */
  private snapshotAllowed(userID: string): boolean {
    const now = this.clock.now();
    if (this.spendSnapshot) return this.spendSnapshot(userID, now);
    const { perSecond, burst } = this.limits.presenceSnapshots;
    if (now - this.lastPrune >= 1000) {
      this.lastPrune = now;
      for (const [u, bucket] of this.snapshots) if (bucket.full(now)) this.snapshots.delete(u);
    }
    let bucket = this.snapshots.get(userID);
    if (!bucket) {
      bucket = new TokenBucket(perSecond, burst, now);
      this.snapshots.set(userID, bucket);
    }
    return bucket.take(now);
  }
}

/**
 * The first {@link MAX_LISTED} users of `online` (in the order they came) but `self`: a walk that stops there, so that a
 * snapshot costs the same with 100,000 users online as with 1,000 (85-105 µs, its 14 KB of JSON included). It copied
 * and filtered every user online first: 15-20 ms a snapshot at 100,000 online (`bench/server/presenceSnapshot.ts`), so
 * some 60 users asking at their one a second kept a core busy.
 */
function firstListed(online: ReadonlySet<string>, self: string): string[] {
  const listed: string[] = [];
  for (const userID of online) {
    if (listed.length === MAX_LISTED) break;
    if (userID !== self) listed.push(userID);
  }
  return listed;
}
