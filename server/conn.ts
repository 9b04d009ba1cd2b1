/** One WebSocket connection as the server sees it (the session a login binds to it: `session.ts`). */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../adapters/ws/protocol';
import type { TurnCommit } from './commit';
import { type Rate, TokenBucket, TokenBuckets } from './limits';
import type { Counters } from './metrics';
import type { ResolvedOptions } from './options';
import type { Session } from './session';

/**
 * How long (the server's clock) a connection the server closed waits for its client's answer to the close
 * frame before its socket is dropped. `ws` waits 30 s of real time, and a client that never answered held its
 * slot that long: a user logging in again and again on such sockets (each login kicks the one before) held a
 * slot per login, never taken for a newcomer (it had logged in), 1,500 at the user's frame rate.
 */
export const CLOSE_ANSWER_MS = 2000;

/** Something whose outcome a frame waits for: a message held back from the store (`writeBehind.ts`). */
export interface Settling {
  /** Calls `fn` once settled: true when it holds, false when it failed. */
  whenSettled(fn: (ok: boolean) => void): void;
}

/**
 * `JSON.stringify(value)` as one flat string, for a text kept past its turn (a reply remembered for a resend, an ack
 * waiting for its held message). V8 writes a JSON text of over 32 characters in parts, and returns the rope of them (a
 * `ConsString`); writing it to a socket flattens it in place, into a flat copy that the rope object still wraps. So a
 * kept text held its pieces until it was written (a held ack's: 60-250 ms, past a young collection or two), then the
 * wrapper beside the copy for as long as it was remembered. A join of two parts is made flat.
 */
export function flatJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length <= 32 ? text : [text.slice(0, 1), text.slice(1)].join('');
}

/** A frame in line behind a held one: what to do once its turn comes (`null` while undecided). */
interface InLine {
  out: (() => void) | null;
  readonly chars: number;
}

/**
 * What every connection of one server shares (one object for all of them, so that a connection
 * holds one reference to it rather than a copy of each).
 */
export interface ConnShared {
  readonly options: ResolvedOptions;
  readonly commit: TurnCommit;
  readonly counters: Counters;
  /** [per-connection frame rate, per-connection byte rate]: the rates of {@link Conn.budget}. */
  readonly rates: readonly Rate[];
  /**
   * Called once when the server closes a connection, before the socket goes, so that the
   * session is detached at that very point rather than whenever the socket reports it.
   */
  readonly onClosing: (conn: Conn) => void;
}

/** The buckets of {@link Conn.budget}: frames, then bytes (in {@link ConnShared.rates} order). */
export const CONN_FRAMES = 0;
export const CONN_BYTES = 1;

/** Refused frames refill the strikes this fast (per second). */
const STRIKE_REFILL = 0.1;

/**
 * A connection: its socket, limits and (once logged in) session. Everything here is paid once
 * per open connection, so nothing is allocated before it is needed: the strikes budget comes with
 * the first refused frame, closures are the server's (shared), not the connection's.
 */
export class Conn {
  session: Session | null = null;
  /** Frames (bucket 0) and bytes (bucket 1) this connection may send now. */
  readonly budget: TokenBuckets;
  /** Refused frames drain it; empty means the client is misbehaving and gets closed (made on the first refusal). */
  private strikes: TokenBucket | null = null;
  readonly openedAt: number;
  /** Its login deadline counts from here: its opening, or its last logout (`deadlines.ts`). */
  loginFrom: number;
  /** Cluster: when the login being looked up in Redis was received (`cluster/gate.ts`), else null; its deadline waits for it (`deadlines.ts`). */
  loginLookup: number | null = null;
  lastSeen: number;
  /** No more frames are read from it or queued for it. */
  closed = false;
  /** The timer of its deadlines, the login's and the silence's (the server's clock), cleared as the connection closes. */
  deadline: unknown = null;
  /** Bytes received before login (`limits.preLoginBytes` bounds them); -1 once logged in: no longer counted. */
  preLoginBytes = 0;
  /** Characters of frames queued behind the turn's commit or a held frame. */
  private queuedChars = 0;
  /** Frames in line behind a frame that waits for a held message ({@link Conn.sendSettled}), in order; `null` (the common case) when none waits. */
  private line: InLine[] | null = null;
  /** The socket holds this turn's frames until the turn ends ({@link uncorkAtTurnEnd}). */
  private corked = false;
  private readonly options: ResolvedOptions;
  private readonly commit: TurnCommit;

  constructor(
    readonly id: string,
    /** The client's address (the unit of the per-address limits). */
    readonly address: string,
    private readonly ws: WebSocket,
    /** The TCP socket under it. */
    readonly socket: Socket,
    private readonly shared: ConnShared,
  ) {
    this.options = shared.options;
    this.commit = shared.commit;
    const now = shared.options.clock.now();
    this.openedAt = this.loginFrom = this.lastSeen = now;
    this.budget = new TokenBuckets(shared.rates, now);
  }

  /** Spends a strike (a refused frame); false once none is left. */
  strike(now: number): boolean {
    this.strikes ??= new TokenBucket(STRIKE_REFILL, this.options.maxStrikes, now);
    return this.strikes.take(now);
  }

  /**
   * Output not yet sent, in characters: what the socket holds, plus the frames queued behind the
   * turn's commit (written once it is done). Every output bound reads this.
   */
  buffered(): number {
    return this.ws.bufferedAmount + this.queuedChars;
  }

  /** Deliveries pause: a quarter of `maxBufferedBytes` unsent, past the socket's high-water mark (`resolveLimits`), whose drain resumes them. */
  backedUp(): boolean {
    return this.buffered() >= this.options.limits.maxBufferedBytes / 4;
  }

  /** Writes a frame once the turn's writes are committed, in order (nothing once closed). */
  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  /** {@link Conn.send} for a frame already in JSON. */
  sendText(text: string): void {
    this.enqueue(text, undefined, undefined);
  }

  /**
   * {@link Conn.send} for a frame that says nothing of any other (a `pong`): it waits for the
   * turn's commit, not for the frames in line behind a held ack ({@link Conn.sendSettled}).
   */
  sendBeside(frame: ServerFrame): void {
    this.enqueue(JSON.stringify(frame), undefined, undefined, true);
  }

  /** Like {@link Conn.send} for a frame that holds only if the commit does: `failed` (or nothing) goes instead. */
  sendDurable(frame: ServerFrame, failed: ServerFrame | null, onFailed?: () => void): void {
    this.sendDurableText(JSON.stringify(frame), failed === null ? null : () => JSON.stringify(failed), onFailed);
  }

  /** {@link Conn.sendDurable} for a frame already in JSON; `failed` makes the other one, when needed. */
  sendDurableText(text: string, failed: (() => string) | null, onFailed?: () => void): void {
    this.enqueue(text, failed, onFailed);
  }

  /**
   * Writes `text` once `settling` held (else `failed()`), after every frame queued before it; the
   * frames queued after it wait for it, so the client sees them in the order they were sent.
   */
  sendSettled(text: string, settling: Settling, failed: () => string): void {
    if (this.closed) return;
    const entry = this.inLine(text.length);
    settling.whenSettled((ok) => this.ready(entry, () => this.write(ok ? text : failed())));
  }

  /** A frame that may be lost (room relay): dropped while the client is not reading what it has; in JSON already, one text for every copy. */
  sendDroppable(frame: ServerFrame | string): boolean {
    if (this.closed) return false;
    if (this.buffered() >= this.options.limits.maxBufferedBytes / 2) {
      this.shared.counters.limit('relayDropped');
      return false;
    }
    this.sendText(typeof frame === 'string' ? frame : JSON.stringify(frame));
    return true;
  }

  /**
   * Writes `text` now when no commit is waiting, else once it is done (counted in
   * {@link Conn.buffered} meanwhile). `failed`: `undefined` for a frame that goes either way, else
   * what goes instead (`null`: nothing) when the commit failed.
   */
  private enqueue(text: string, failed: (() => string) | null | undefined, onFailed: (() => void) | undefined, beside = false): void {
    if (this.closed) return;
    if (this.line !== null && !beside) return this.behind(text, failed, onFailed);
    if (!this.commit.pending) return this.write(text);
    const chars = text.length;
    this.queuedChars += chars;
    this.commit.after(
      () => {
        this.queuedChars -= chars;
        this.write(text);
      },
      failed === undefined
        ? undefined
        : () => {
            this.queuedChars -= chars;
            onFailed?.();
            if (failed !== null) this.write(failed());
          },
    );
  }

  /** {@link Conn.enqueue} behind a held frame: in line, written once its commit (if any) is done and its turn comes. */
  private behind(text: string, failed: (() => string) | null | undefined, onFailed: (() => void) | undefined): void {
    const entry = this.inLine(text.length);
    if (!this.commit.pending) return this.ready(entry, () => this.write(text));
    this.commit.after(
      () => this.ready(entry, () => this.write(text)),
      failed === undefined
        ? undefined
        : () => {
            onFailed?.();
            this.ready(entry, failed === null ? () => undefined : () => this.write(failed()));
          },
    );
  }

  private inLine(chars: number): InLine {
    const entry: InLine = { out: null, chars };
    // As a rule one waits, for 60-250 ms: an array of one (a `push` on an empty one grows it to 17 slots, 152 bytes).
    if (this.line === null) this.line = [entry];
    else this.line.push(entry);
    this.queuedChars += chars;
    return entry;
  }

  /** `entry` knows what it writes: the line moves on as far as it can. */
  private ready(entry: InLine, out: () => void): void {
    entry.out = out;
    const line = this.line;
    if (!line) return;
    for (let head = line[0]; head?.out; head = line[0]) {
      line.shift();
      this.queuedChars -= head.chars;
      head.out();
    }
    if (line.length === 0 && this.line === line) this.line = null;
  }

  /**
   * Closes with a close frame after what was queued before it for the turn's commit; the peer's
   * reply completes it. Frames in line behind a held ack are not waited for: the client sends
   * their requests again on its next connection, and hears the same answers.
   */
  close(code: number, reason: string): void {
    if (!this.markClosed()) return;
    this.commit.after(() => this.closeSocket(code, reason));
  }

  /**
   * Closes as {@link close} does, with `last` as the last frame, once `told` settles: from now on no frame
   * is read from it or queued for it, but the client hears of it only then (a cluster's kick: once every
   * node refuses the kicked credentials).
   */
  closeWhen(told: Promise<unknown>, last: ServerFrame, code: number, reason: string): void {
    if (!this.markClosed()) return;
    const close = () =>
      this.commit.after(() => {
        this.write(JSON.stringify(last));
        this.closeSocket(code, reason);
      });
    told.then(close, close);
  }

  private closeSocket(code: number, reason: string): void {
    this.options.tap?.({ type: 'close', conn: this.id, by: 'server' });
    this.ws.close(code, reason);
    // A client that does not answer the close frame in time is dropped (see CLOSE_ANSWER_MS).
    const { clock } = this.options;
    const late = clock.setTimeout(() => {
      this.shared.counters.limit('closeUnanswered'); // hc_limit_hits_total{limit="closeUnanswered"}
      this.ws.terminate();
    }, CLOSE_ANSWER_MS);
    this.onGone(() => clock.clearTimeout(late));
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

  private write(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.options.limits.maxBufferedBytes) {
      // Not reading what it is sent: its session waits for it to come back on a new connection.
      this.shared.counters.limit('slowConsumer');
      this.terminate();
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      uncorkAtTurnEnd(this);
    }
    this.ws.send(text);
    if (this.options.tap) this.options.tap({ type: 'out', conn: this.id, frameType: frameTypeOf(text) });
  }

  /** The turn is over: what was written to the socket in it goes out, in one system call. */
  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  private markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.shared.onClosing(this);
    return true;
  }
}

/**
 * Connections written to in this turn of the event loop, their sockets corked: each sends what it
 * got in one `writev` when the turn ends, not one system call per frame (a frame handled may write
 * to many connections, and a turn handles many frames). Real I/O batching, not a clock: `setImmediate`.
 */
const corked: Conn[] = [];

function uncorkAtTurnEnd(conn: Conn): void {
  if (corked.push(conn) === 1) setImmediate(uncorkAll);
}

/**
 * Sends what the corked sockets hold. The turn's commit (itself a `setImmediate`, `commit.ts`) calls
 * it as it ends too: the frames its effects write are corked from inside the check phase, and an
 * immediate set there runs only at the end of the next turn, so they waited a whole turn more (a
 * socket stayed corked 33 ms on average in `npm run bench:server`'s closed loop, 19 ms since).
 */
export function uncorkAll(): void {
  for (const conn of corked.splice(0)) conn.uncork();
}

/** The `type` of a frame as this server writes it (`{"type":"...",`), for the tap. */
function frameTypeOf(text: string): string {
  const end = text.indexOf('"', 9);
  return text.startsWith('{"type":"') && end > 9 ? text.slice(9, end) : 'unknown';
}
