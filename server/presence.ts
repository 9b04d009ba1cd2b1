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
 *
 * It watches connections from the outside (`handling` each frame, `gone` when one closes), so
 * the hub needs no hook: a user's presence can only change when one of their connections
 * handled a frame (login, logout) or closed.
 */
import type { ServerFrame } from '../adapters/ws/protocol';
import type { Conn } from './conn';
import type { Refusal } from './refusal';

/** The most users one snapshot names (a frame stays far below the 64 KB frame limit). */
export const MAX_LISTED = 1000;

/** Tells whether a user has a session on a live connection now. */
export type IsOnline = (userID: string) => boolean;

/** Who is online, and who wants to know. */
export class Presence {
  /** The users announced online, in the order they came. */
  private readonly online = new Set<string>();
  /** The user each connection was last seen logged in as. */
  private readonly users = new Map<Conn, string>();
  private readonly subscribers = new Set<Conn>();
  /** Users to re-check once the frame being handled is done (null: no frame is being handled). */
  private held: Set<string> | null = null;

  constructor(
    /** Whether the feed is offered at all (`--presence`). */
    readonly enabled: boolean,
    private readonly isOnline: IsOnline,
  ) {}

  /** How many connections subscribe now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Subscribes `conn` (logged in as `userID`): a snapshot now, changes after. Idempotent. */
  subscribe(conn: Conn, userID: string, rid: number): ServerFrame | Refusal {
    if (!this.enabled) return { refused: 'presenceOff', message: 'this server offers no presence feed (start it with --presence)' };
    this.subscribers.add(conn);
    const online = [...this.online].filter((u) => u !== userID).slice(0, MAX_LISTED);
    conn.send({ type: 'presence', snapshot: true, online, offline: [] });
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
    if (!this.enabled) return handle();
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
    if (!this.enabled) return;
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
    if (!this.enabled) return;
    this.subscribers.delete(conn);
    const userID = this.users.get(conn);
    if (userID === undefined) return;
    this.users.delete(conn);
    this.check(userID);
  }

  /** Compares `userID`'s presence with what was announced, and tells the subscribers if it changed. */
  private check(userID: string): void {
    if (this.held) {
      this.held.add(userID);
      return;
    }
    const online = this.isOnline(userID);
    if (online === this.online.has(userID)) return;
    if (online) this.online.add(userID);
    else this.online.delete(userID);
    const frame: ServerFrame = { type: 'presence', snapshot: false, online: online ? [userID] : [], offline: online ? [] : [userID] };
    for (const conn of this.subscribers) {
      if (conn.closed || !conn.session) continue;
      if (conn.session.userID !== userID) conn.send(frame);
    }
  }
}
