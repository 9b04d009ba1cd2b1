/**
 * A logged-in user's session, and what it keeps across its connections: its message copies in flight, its place in
 * its backlog, and the replies it remembers so that a request resent after a reconnect is answered, not redone. It
 * stands apart from `conn.ts` because it outlives its connection (by the grace period, and across a `resume`), and
 * nothing on a connection reads it: a {@link Conn} only holds the session bound to it.
 */
import { createHash } from 'node:crypto';
import type { CatchUp } from './backlogMarks';
import type { Conn, Settling } from './conn';
import type { KeptAnswer } from './missedAnswers';
import type { Body } from './store';

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
  /** Its body's expiry: a purge at or after it took the copy out of every count. */
  readonly expiresAt: number;
  /** Many devices: an answer another device of the user sent, kept to hand again if this connection dies unconfirmed. */
  readonly answer?: Body;
}

/** Replies remembered per session, so that a request resent after a reconnect is answered, not redone. */
const REMEMBERED_REPLIES = 256;
/**
 * ... and the characters of their JSON text at most (per session): 256 acks take about 17 KB;
 * a reply that would push the total past this evicts the oldest ones, however few that leaves.
 */
export const REMEMBERED_REPLY_CHARS = 32 * 1024;

/** A reply remembered for a request's `rid`. */
export interface RememberedReply {
  /** The resend key of the request it answered (see `dispatch.ts`). */
  readonly key: number;
  /** The reply as sent (JSON). */
  readonly text: string;
  /** False while the reply waits for its commit: a resend then gets the commit's outcome, not this text. */
  committed: boolean;
  /** What it waits for besides the turn's commit (a held message) until that settles; `null` otherwise. */
  settling: Settling | null;
}

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
  /**
   * Many devices: answers its other devices sent while this one had no connection, or no room on it
   * (its window full, its socket backed up), handed when it resumes or has room; the newest
   * `MISSED_ANSWERS` at most (`missedAnswers.ts`).
   */
  missedAnswers: KeptAnswer[] | null = null;
  /** Its client is to be told where its login's backlog ends (`backlogMarks.ts`): after the pages, and what they wait for. */
  catchUp: CatchUp | null = null;
  /** Remembered replies by `rid`, oldest first; made with the first one (a quiet session holds none). */
  private replies: Map<number, RememberedReply> | null = null;
  private replyChars = 0;
  /**
   * What the ids of its messages start with: a digest of its user and its token's lineage (the
   * part a session made after a restart keeps, see `hub.ts`), so that the same request gets the
   * same message id from this server or the next one, and no other user's id looks like it.
   * Made when its first message is sent: a session that only waits (most of them) keeps no copy.
   */
  get idStem(): string {
    if (this.stem === null) {
      const dot = this.token.indexOf('.');
      this.stem = createHash('sha256').update(`${this.userID}\n${dot < 0 ? this.token : this.token.slice(0, dot)}`).digest('base64url').slice(0, 16);
    }
    return this.stem;
  }
  private stem: string | null = null;

  constructor(
    readonly userID: string,
    readonly token: string,
    /** A digest of the userSig it logged in with last (see the kicked-userSig rule in `hub.ts`). */
    public sigDigest: string,
    /** When that userSig expires (ms, server clock): the session ends then, unless a login with a fresh one extends it. */
    public expiresAt: number,
    /** Many devices: the device its login named (`null`: the user's only session). */
    readonly device: string | null = null,
  ) {}

  /** Replies remembered now. */
  get rememberedReplies(): number {
    return this.replies?.size ?? 0;
  }

  /** Characters of remembered reply text (bounded by {@link REMEMBERED_REPLY_CHARS}). */
  get rememberedChars(): number {
    return this.replyChars;
  }

  /** The reply already given to this very request (same `rid`, same resend key), if any. */
  replyTo(rid: number, key: number): RememberedReply | undefined {
    const earlier = this.replies?.get(rid);
    return earlier?.key === key ? earlier : undefined;
  }

  /** Remembers the reply to request `rid`; `committed: false` until its commit says so ({@link RememberedReply}). */
  remember(rid: number, key: number, text: string, committed: boolean): RememberedReply {
    this.forget(rid);
    const entry: RememberedReply = { key, text, committed, settling: null };
    const replies = (this.replies ??= new Map());
    replies.set(rid, entry);
    this.replyChars += text.length;
    while (replies.size > REMEMBERED_REPLIES || (this.replyChars > REMEMBERED_REPLY_CHARS && replies.size > 1)) {
      const oldest = replies.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
    return entry;
  }

  /**
   * Remembers the reply to request `rid` that holds only once `settling` (a held message) does: a
   * resend meanwhile hears what it settles to. Settled, the reply stands, or is forgotten if it
   * failed, and lets go of the message: a reply is remembered until the client says it has it
   * (a request or more later), a held message only until it is stored or confirmed.
   */
  rememberSettling(rid: number, key: number, text: string, settling: Settling): void {
    const remembered = this.remember(rid, key, text, false);
    remembered.settling = settling;
    settling.whenSettled((ok) => {
      remembered.settling = null;
      if (ok) remembered.committed = true;
      else if (this.replies?.get(rid) === remembered) this.forget(rid);
    });
  }

  /**
   * Forgets the replies to requests up to `rid`: the client says it holds their answers
   * (replies are remembered in the order they were given, which is `rid` order for a client
   * that counts as the protocol says; one that does not only keeps more remembered).
   */
  forgetUpTo(rid: number): void {
    const replies = this.replies;
    if (!replies) return;
    for (const [earlier] of replies) {
      if (earlier > rid) return;
      this.forget(earlier);
    }
  }

  /** Forgets a reply (its commit failed: a resend must be tried again, not told it worked). */
  forget(rid: number): void {
    const entry = this.replies?.get(rid);
    if (!entry) return;
    this.replies?.delete(rid);
    this.replyChars -= entry.text.length;
  }
}
