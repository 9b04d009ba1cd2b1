/** One WebSocket connection as the server sees it, and the session a login binds to it. */
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../adapters/ws/protocol';
import { TokenBucket } from './limits';
import type { ResolvedOptions } from './options';

/** What a message is, before it is copied to each recipient. */
export interface Outgoing {
  readonly id: string;
  readonly from: string;
  readonly groupID: string | null;
  readonly payload: string;
  readonly sentAt: number;
  readonly onlineUserOnly: boolean;
}

/** A message copy handed to a session's connection and not yet confirmed by a receipt. */
export interface Inflight extends Outgoing {
  readonly seq: number;
  /** Set when the copy came from the offline store (it stays there until confirmed). */
  readonly rowid: number | null;
}

/** Replies remembered per session, so that a request resent after a reconnect is answered, not redone. */
const REMEMBERED_REPLIES = 256;

/**
 * A logged-in user. It outlives its connection by the grace period, so a client that
 * reconnects with the session token (`resume`) keeps its room and is not answered twice.
 */
export class Session {
  conn: Conn | null = null;
  room: number | null = null;
  /** The last `seq` given to a message copy of this session. */
  seq = 0;
  readonly inflight: Inflight[] = [];
  graceTimer: unknown = null;
  private readonly replies = new Map<number, { readonly digest: string; readonly reply: ServerFrame }>();

  constructor(
    readonly userID: string,
    readonly token: string,
  ) {}

  /** The reply already given to this very request (same `rid`, same content), if any. */
  replyTo(rid: number, digest: string): ServerFrame | undefined {
    const earlier = this.replies.get(rid);
    return earlier?.digest === digest ? earlier.reply : undefined;
  }

  remember(rid: number, digest: string, reply: ServerFrame): void {
    this.replies.delete(rid);
    this.replies.set(rid, { digest, reply });
    if (this.replies.size > REMEMBERED_REPLIES) {
      const oldest = this.replies.keys().next();
      if (!oldest.done) this.replies.delete(oldest.value);
    }
  }
}

/** A connection: its socket, limits and (once logged in) session. */
export class Conn {
  session: Session | null = null;
  readonly rate: TokenBucket;
  /** Refused frames drain it; empty means the client is misbehaving and gets closed. */
  readonly strikes: TokenBucket;
  readonly openedAt: number;
  lastSeen: number;
  closed = false;

  /**
   * @param onClosing called once when the server closes the connection, before the socket goes,
   *   so that the session is detached at that very point rather than whenever the socket reports it
   */
  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly options: ResolvedOptions,
    private readonly onClosing: () => void,
  ) {
    const now = options.clock.now();
    this.openedAt = now;
    this.lastSeen = now;
    this.rate = new TokenBucket(options.rate.perSecond, options.rate.burst, now);
    this.strikes = new TokenBucket(0.1, options.maxStrikes, now);
  }

  /** Writes a frame (nothing once the connection is closing). */
  send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
    this.options.tap?.({ type: 'out', conn: this.id, frameType: frame.type });
  }

  /** Closes with a close frame; the peer's reply completes it. */
  close(code: number, reason: string): void {
    if (this.markClosed()) this.ws.close(code, reason);
  }

  /** Drops the socket at once (a peer that no longer answers). */
  terminate(): void {
    this.markClosed();
    this.ws.terminate();
  }

  /** Calls `fn` once the socket is closed. */
  onGone(fn: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) fn();
    else this.ws.once('close', () => fn());
  }

  private markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.options.tap?.({ type: 'close', conn: this.id, by: 'server' });
    this.onClosing();
    return true;
  }
}
