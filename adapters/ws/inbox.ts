/**
 * Incoming IM messages of one connection: each is passed on once (a message redelivered after a
 * drop has the same id), and confirmed to the server (`received`, cumulative) once it was taken,
 * so the server can forget it (or take it out of its offline store). A listener may take over a
 * message's receipt (`ImMessage.defer`); the receipt then waits for it, and every later message
 * with it, since a receipt confirms everything up to a sequence number. One receipt per turn of
 * the event loop, at most.
 *
 * Folded (a server that takes receipts inside requests, see `protocol.ts`): a receipt waits up to
 * {@link RECEIPT_DELAY_MS} for a request to ride on ({@link Inbox.claim}), and goes in a frame of
 * its own only if none went out by then, or once {@link FOLD_AT_MOST} messages wait for it. One
 * device of many (its user's other devices receive the same messages): within
 * {@link RECEIPT_BUSY_DELAY_MS} of a receipt that went alone, the next one waits that long instead.
 */

/** Message ids remembered to drop redeliveries. */
const SEEN_IDS = 1024;

/**
 * How long a folded receipt waits for a request to carry it. Short, because the server's
 * write-behind (its `--write-behind-ms`, 200 ms by default) never stores a copy whose receipt comes
 * back within its window, and holds the sender's ack until then: a receipt that waited 250 ms
 * made every copy a SQLite insert and delete, and every sender's ack wait out the window. Long
 * enough that a request sent right after the message (an answer to it) still carries it.
 */
export const RECEIPT_DELAY_MS = 50;
/**
 * One device of many: the wait of a folded receipt less than this long after one went alone. The
 * server counts receipts in its 50 frames a second per user, for all the user's devices together,
 * and each device confirms every message: a steady stream of messages (a flood an attacker sends)
 * then costs at most 4 receipt frames a second per device, while the first message after a quiet
 * spell, call signalling, is confirmed within {@link RECEIPT_DELAY_MS}. A lone session (a login
 * that named no device) sends at most 20 a second: it needs no cooldown.
 */
export const RECEIPT_BUSY_DELAY_MS = 250;
/** Messages taken and unconfirmed beyond which a receipt goes at once (the server's window is 256). */
export const FOLD_AT_MOST = 64;

/** Runs `fn` after `ms` on the connection's clock; returns its cancel. */
export type ReceiptTimer = (fn: () => void, ms: number) => () => void;

/** Deduplication and receipts for the messages of one session. */
export class Inbox {
  /** Highest sequence number received in this session. */
  private lastSeq = 0;
  /** Sequence numbers received in this session and not yet taken. */
  private readonly open = new Set<number>();
  /** The receipt last sent (or 0): only a higher one is worth a frame. */
  private sentUpTo = 0;
  private epoch = 0;
  private queued = false;
  /** Folded receipts: the timer of the receipt waiting for a request (null when none waits). */
  private timer: ReceiptTimer | null = null;
  private cancelTimer: (() => void) | null = null;
  /** While a receipt went alone less than {@link RECEIPT_BUSY_DELAY_MS} ago: the cancel of that cooldown. */
  private cooling: (() => void) | null = null;
  /** One device of many: receipts that go alone are spaced ({@link RECEIPT_BUSY_DELAY_MS}). */
  private spaced = false;
  /** Ids passed on: `true` once taken; else the sequence numbers of copies waiting with them. */
  private readonly seen = new Map<string, true | number[]>();

  /** @param sendReceipt writes `{ type: 'received', upTo }` if the connection can */
  constructor(private readonly sendReceipt: (upTo: number) => void) {}

  /**
   * Takes a message in. Returns `null` for a redelivery of one passed on before (confirmed
   * when its first copy is), else the function that confirms this one once it was taken.
   */
  accept(id: string, seq: number): (() => void) | null {
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.open.add(seq);
    const known = this.seen.get(id);
    if (known === true) {
      this.take(this.epoch, seq);
      return null;
    }
    if (known) {
      known.push(seq);
      return null;
    }
    this.seen.set(id, []);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.keys().next().value as string);
    const epoch = this.epoch;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const copies = this.seen.get(id);
      this.seen.set(id, true);
      this.take(epoch, seq);
      if (Array.isArray(copies)) for (const copy of copies) this.take(this.epoch, copy);
    };
  }

  /** Confirms everything taken so far without a gap. */
  flush(): void {
    const upTo = this.claim();
    if (upTo !== undefined) this.sendReceipt(upTo);
  }

  /**
   * The receipt a request going out now should carry (everything taken so far without a gap),
   * counted as sent; `undefined` when there is nothing new to confirm.
   */
  claim(): number | undefined {
    const upTo = this.open.size === 0 ? this.lastSeq : Math.min(...this.open) - 1;
    if (upTo <= this.sentUpTo) return undefined;
    this.sentUpTo = upTo;
    this.cancelTimer?.();
    this.cancelTimer = null;
    return upTo;
  }

  /** True while receipts are folded into requests. */
  get folding(): boolean {
    return this.timer !== null;
  }

  /**
   * Folds receipts into requests from now on (`timer` given), or sends each at once (`null`);
   * `spaced`: this session is one device of its user's many (see {@link RECEIPT_BUSY_DELAY_MS}).
   */
  fold(timer: ReceiptTimer | null, spaced = false): void {
    this.timer = timer;
    this.spaced = spaced;
  }

  /** A new server session numbers its messages from 1 again: receipts of the old one are void. */
  newSession(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.cooling?.();
    this.cooling = null;
    this.timer = null;
    this.epoch += 1;
    this.lastSeq = 0;
    this.sentUpTo = 0;
    this.open.clear();
    for (const [id, state] of this.seen) if (state !== true) this.seen.set(id, []);
  }

  private take(epoch: number, seq: number): void {
    if (epoch !== this.epoch || !this.open.delete(seq)) return;
    const timer = this.timer;
    if (timer && this.lastSeq - this.sentUpTo < FOLD_AT_MOST) {
      this.cancelTimer ??= timer(
        () => {
          this.cancelTimer = null;
          const before = this.sentUpTo;
          this.flush();
          if (this.sentUpTo === before || !this.spaced) return;
          this.cooling?.();
          this.cooling = timer(() => (this.cooling = null), RECEIPT_BUSY_DELAY_MS);
        },
        this.cooling ? RECEIPT_BUSY_DELAY_MS : RECEIPT_DELAY_MS,
      );
      return;
    }
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.flush();
    });
  }
}
