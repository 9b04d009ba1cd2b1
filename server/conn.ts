/** One WebSocket connection as the server sees it, and the session a login binds to it. */
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../adapters/ws/protocol';
import type { TurnCommit } from './commit';
import { TokenBucket } from './limits';
import type { Counters } from './metrics';
import type { ResolvedOptions } from './options';

/** A message copy handed to a session's connection and not yet confirmed by a receipt. */
export interface Inflight {
  readonly seq: number;
  /** The stored copy (deleted when confirmed); `null` for an `onlineUserOnly` message, never stored. */
  readonly delivery: number | null;
  readonly body: number;
  /** Payload bytes (for the recipient's backlog). */
  readonly bytes: number;
  /** Its sender (for the sender's quota). */
  readonly from: string;
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
  /** Copies on the current connection, in `seq` order. */
  inflight: Inflight[] = [];
  /** The last stored copy handed to the current connection (copies are paged in delivery order). */
  cursor = 0;
  /** Stored copies may wait beyond {@link Session.cursor}: page them in when the window allows. */
  backlog = true;
  graceTimer: unknown = null;
  private readonly replies = new Map<number, { readonly digest: string; readonly reply: ServerFrame }>();

  constructor(
    readonly userID: string,
    readonly token: string,
    /** A digest of the userSig it logged in with last (see the kicked-userSig rule in `hub.ts`). */
    public sigDigest: string,
    /** When that userSig expires (ms, server clock): the session ends then, unless a login with a fresh one extends it. */
    public expiresAt: number,
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

  /** Forgets a reply that turned out not to hold (its commit failed). */
  forget(rid: number): void {
    this.replies.delete(rid);
  }
}

/** A connection: its socket, limits and (once logged in) session. */
export class Conn {
  session: Session | null = null;
  readonly rate: TokenBucket;
  readonly bytes: TokenBucket;
  /** Refused frames drain it; empty means the client is misbehaving and gets closed. */
  readonly strikes: TokenBucket;
  readonly openedAt: number;
  lastSeen: number;
  /** No more frames are read from it or queued for it. */
  closed = false;

  /**
   * @param onClosing called once when the server closes the connection, before the socket goes,
   *   so that the session is detached at that very point rather than whenever the socket reports it
   */
  constructor(
    readonly id: string,
    /** The client's address (the unit of the per-address limits). */
    readonly address: string,
    private readonly ws: WebSocket,
    private readonly options: ResolvedOptions,
    private readonly commit: TurnCommit,
    private readonly counters: Counters,
    private readonly onClosing: () => void,
  ) {
    const now = options.clock.now();
    this.openedAt = now;
    this.lastSeen = now;
    this.rate = new TokenBucket(options.rate.perSecond, options.rate.burst, now);
    this.bytes = new TokenBucket(options.limits.byteRate.perSecond, options.limits.byteRate.burst, now);
    this.strikes = new TokenBucket(0.1, options.maxStrikes, now);
  }

  /** Bytes written and not yet sent. */
  buffered(): number {
    return this.ws.bufferedAmount;
  }

  /** Writes a frame once the turn's writes are committed, in order (nothing once closed). */
  send(frame: ServerFrame): void {
    if (this.closed) return;
    this.commit.after(() => this.write(frame));
  }

  /** Like {@link Conn.send} for a frame that holds only if the commit does: `failed` (or nothing) goes instead. */
  sendDurable(frame: ServerFrame, failed: ServerFrame | null, onFailed?: () => void): void {
    if (this.closed) return;
    this.commit.after(
      () => this.write(frame),
      () => {
        onFailed?.();
        if (failed) this.write(failed);
      },
    );
  }

  /** A frame that may be lost (room relay): dropped while the client is not reading what it has. */
  sendDroppable(frame: ServerFrame): boolean {
    if (this.closed) return false;
    if (this.ws.bufferedAmount >= this.options.limits.maxBufferedBytes / 2) {
      this.counters.limit('relayDropped');
      return false;
    }
    this.send(frame);
    return true;
  }

  /** Closes with a close frame after what was queued before it; the peer's reply completes it. */
  close(code: number, reason: string): void {
    if (!this.markClosed()) return;
    this.commit.after(() => {
      this.options.tap?.({ type: 'close', conn: this.id, by: 'server' });
      this.ws.close(code, reason);
    });
  }

  /** Drops the socket at once (a peer that no longer answers, or reads too slowly). */
  terminate(): void {
    const first = this.markClosed();
    if (first) this.options.tap?.({ type: 'close', conn: this.id, by: 'server' });
    this.ws.terminate();
  }

  /** Calls `fn` once the socket is closed. */
  onGone(fn: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) fn();
    else this.ws.once('close', () => fn());
  }

  private write(frame: ServerFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.options.limits.maxBufferedBytes) {
      // Not reading what it is sent: its session waits for it to come back on a new connection.
      this.counters.limit('slowConsumer');
      this.terminate();
      return;
    }
    this.ws.send(JSON.stringify(frame));
    this.options.tap?.({ type: 'out', conn: this.id, frameType: frame.type });
  }

  private markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.onClosing();
    return true;
  }
}
