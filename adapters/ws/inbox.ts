/**
 * Incoming IM messages of one connection: each is passed on once (a message redelivered after a
 * drop has the same id), and confirmed to the server (`received`, cumulative) once it was taken,
 * so the server can forget it (or take it out of its offline store). A listener may take over a
 * message's receipt (`ImMessage.defer`); the receipt then waits for it, and every later message
 * with it, since a receipt confirms everything up to a sequence number. One receipt per turn of
 * the event loop, at most.
 *
 * Folded (a server that takes receipts inside requests, see `protocol.ts`): a request that goes out
 * in the turn a message came in (an answer to it) carries the receipt ({@link Inbox.claim}); else
 * the receipt goes alone once the turn ends, at once, since the server's write-behind holds the
 * sender's ack, and keeps the message in memory, until it comes. A receipt that went alone starts a
 * spacing ({@link RECEIPT_DELAY_MS}; one device of many, {@link RECEIPT_BUSY_DELAY_MS}) in which
 * the next ones wait, for a request to carry them or for the spacing's end: a stream of messages costs a
 * bounded number of receipt frames a second. Past {@link FOLD_AT_MOST} messages waiting, a receipt
 * goes at once anyway, once per spacing at most.
 *
 * Set aside (a server whose `loggedIn` says `partialReceipts`): a message kept unconfirmed on purpose
 * while the ones after it are confirmed ({@link Inbox.setAside}: a backlog's invitation held until the
 * backlog's end, `backlog.ts`). Its receipt names it in `except`; such a receipt goes alone, not folded
 * into a request (the folded field is a bare number), and it stays in the server's window until taken.
 *
 * Per user: the messages of one user's session are confirmed for that user only; a connection
 * that logs in as another user forgets which ids it passed on (a group message has one id for
 * every member, and each member's copy must reach its own user).
 */

/** Message ids remembered to drop redeliveries. */
const SEEN_IDS = 1024;

/**
 * The spacing after a folded receipt that went alone, in which the next ones wait: a lone session (a
 * login that named no device) sends at most 40 receipt frames a second (one per spacing, and one
 * early past {@link FOLD_AT_MOST} waiting), however many messages come. A receipt after a quiet
 * spell (call signalling) goes at once.
 */
export const RECEIPT_DELAY_MS = 50;
/**
 * One device of many: the spacing after a receipt that went alone. The server counts receipts in its
 * 50 frames a second per user, for all the user's devices together, and each device confirms every
 * message: a steady stream of messages (a flood an attacker sends) then costs at most two receipt
 * frames per spacing per device (one at its end, one early), 8 a second, 40 for the server's 5 devices.
 */
export const RECEIPT_BUSY_DELAY_MS = 250;
/** Messages taken and unconfirmed beyond which a receipt goes at once, once per spacing (the server's window is 256). */
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
  /** Folded receipts: the connection's timer, for the spacing (null: not folded, each receipt goes at the turn's end). */
  private timer: ReceiptTimer | null = null;
  /** Within the spacing after a receipt that went alone: the cancel of its timer. */
  private spacing: (() => void) | null = null;
  /** A receipt went early in this spacing (past {@link FOLD_AT_MOST} waiting): no other may. */
  private early = false;
  /** The user whose messages these are (see the header: ids passed on are per user), and how many users came before. */
  private user: string | null = null;
  private users = 0;
  /**
   * The spacing: {@link RECEIPT_DELAY_MS}, or for one device of many {@link RECEIPT_BUSY_DELAY_MS};
   * longer in proportion on a server whose rate is below the default 50 a second.
   */
  private spacingMs = RECEIPT_DELAY_MS;
  /** Ids passed on: `true` once taken; else the sequence numbers of copies waiting with them. */
  private readonly seen = new Map<string, true | number[]>();
  /** The ids set aside ({@link Inbox.setAside}), and the sequence numbers of their copies in this session. */
  private readonly asideIds = new Set<string>();
  private readonly aside = new Set<number>();
  /** The `except` of the receipt last sent: one that confirms some of them is worth a frame. */
  private sentExcept: readonly number[] = [];

  /** @param sendReceipt writes `{ type: 'received', upTo, except }` (`except` only when not empty) if the connection can; false when it could not */
  constructor(private readonly sendReceipt: (upTo: number, except: readonly number[]) => boolean) {}

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
      if (this.asideIds.has(id)) this.aside.add(seq);
      return null;
    }
    this.seen.set(id, []);
    if (this.seen.size > SEEN_IDS) this.evict();
    const epoch = this.epoch;
    const users = this.users;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Taken after the connection went to another user: its ids are that user's now.
      if (users !== this.users) return;
      const copies = this.seen.get(id);
      this.seen.set(id, true);
      this.asideIds.delete(id);
      this.take(epoch, seq);
      if (Array.isArray(copies)) for (const copy of copies) this.take(this.epoch, copy);
    };
  }

  /**
   * Keeps the message `id` (taken in with sequence number `seq`, not yet taken) unconfirmed while the ones after it
   * are confirmed, until it is taken; its copies too. Only on a server whose `loggedIn` says `partialReceipts`.
   */
  setAside(id: string, seq: number): void {
    const known = this.seen.get(id);
    if (known === undefined || known === true) return;
    this.asideIds.add(id);
    for (const s of [seq, ...known]) if (this.open.has(s)) this.aside.add(s);
  }

  /** Confirms everything taken so far but what is set aside; folded, a receipt that goes starts a spacing. */
  flush(): void {
    const [before, exceptBefore] = [this.sentUpTo, this.sentExcept];
    const receipt = this.next();
    if (receipt === undefined) return;
    if (!this.sendReceipt(receipt.upTo, receipt.except)) {
      [this.sentUpTo, this.sentExcept] = [before, exceptBefore]; // not written: still to confirm, by the next receipt or request
      return;
    }
    const timer = this.timer;
    if (timer === null) return;
    // Early, within a spacing: that spacing runs on, and no other receipt goes early in it.
    if (this.spacing !== null) return void (this.early = true);
    this.early = false;
    this.spacing = timer(
      () => {
        this.spacing = null;
        this.flush();
      },
      this.spacingMs,
    );
  }

  /**
   * The receipt a request going out now should carry (everything taken so far without a gap),
   * counted as sent; `undefined` when there is nothing new to confirm.
   */
  claim(): number | undefined {
    // Something set aside: the receipt must name it, and goes alone (a request folds a bare number).
    if (this.aside.size > 0) return undefined;
    return this.next()?.upTo;
  }

  /** The receipt worth sending now, counted as sent: everything taken up to the first message neither taken nor set aside, but those set aside. */
  private next(): { readonly upTo: number; readonly except: readonly number[] } | undefined {
    let first = Infinity;
    for (const seq of this.open) if (seq < first && !this.aside.has(seq)) first = seq;
    const upTo = first === Infinity ? this.lastSeq : first - 1;
    const except = [...this.aside].filter((seq) => seq <= upTo).sort((a, b) => a - b);
    // Worth a frame: it confirms more, or some of what the last one kept (taken since).
    if (upTo <= this.sentUpTo && this.sentExcept.every((seq) => except.includes(seq))) return undefined;
    this.sentUpTo = Math.max(upTo, this.sentUpTo);
    this.sentExcept = except;
    return { upTo: this.sentUpTo, except };
  }

  /** True while receipts are folded into requests. */
  get folding(): boolean {
    return this.timer !== null;
  }

  /**
   * Folds receipts into requests from now on (`timer` given), or sends each at once (`null`);
   * `spaced`: this session is one device of its user's many (see {@link RECEIPT_BUSY_DELAY_MS});
   * `slower`: how many times below the default the server's rate is (the spacing grows as much).
   */
  fold(timer: ReceiptTimer | null, spaced = false, slower = 1): void {
    this.timer = timer;
    this.spacingMs = (spaced ? RECEIPT_BUSY_DELAY_MS : RECEIPT_DELAY_MS) * slower;
  }

  /** The session is `userID`'s: when it was another user's, the ids passed on are forgotten. */
  forUser(userID: string): void {
    if (this.user !== null && this.user !== userID) {
      this.seen.clear();
      this.users++;
    }
    this.user = userID;
  }

  /** A message taken in and never taken (held, then its connection ended for good): a redelivery of it is passed on again. */
  forget(id: string): void {
    if (this.seen.get(id) !== true) this.seen.delete(id);
    this.asideIds.delete(id);
  }

  /**
   * The session resumed on a new connection: the server dropped its window (what was unconfirmed comes again, under new
   * seqs), so the copies set aside on the old one are in it no more and no receipt names them. Else each drop added a
   * seq per message set aside to every `except`, past the 1,024 the server takes (`MAX_EXCEPT`: it refused the receipt).
   */
  resumed(): void {
    for (const seq of this.aside) this.open.delete(seq);
    this.aside.clear(); // their copies on the new connection are set aside as they come (the ids stay)
    this.sentExcept = [];
  }

  /** A new server session numbers its messages from 1 again: receipts of the old one are void. */
  newSession(): void {
    this.spacing?.();
    this.spacing = null;
    this.early = false;
    this.timer = null;
    this.epoch += 1;
    this.lastSeq = 0;
    this.sentUpTo = 0;
    this.sentExcept = [];
    this.open.clear();
    this.aside.clear(); // its copies in the new session are set aside as they come (the ids stay)
    for (const [id, state] of this.seen) if (state !== true) this.seen.set(id, []);
  }

  /**
   * Forgets the oldest id taken. One not taken yet is kept, moved behind: a message held (a backlog's invitation held
   * across its pages, `backlog.ts`) or deferred, which the server hands again after a drop; forgotten, that copy was
   * told a second time, and one forgotten before it was set aside was never set aside (no receipt went past it). They
   * are what the server's window holds unconfirmed, so the ids kept beyond {@link SEEN_IDS} are bounded by it.
   */
  private evict(): void {
    let left = this.seen.size;
    for (const [id, state] of this.seen) {
      if (left-- === 0) return;
      this.seen.delete(id);
      if (state === true) return;
      this.seen.set(id, state);
    }
  }

  private take(epoch: number, seq: number): void {
    if (epoch !== this.epoch || !this.open.delete(seq)) return;
    this.aside.delete(seq);
    // Within a spacing, the receipt waits for its end, unless a request carries it first.
    if (this.spacing !== null && (this.early || this.lastSeq - this.sentUpTo < FOLD_AT_MOST)) return;
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.flush();
    });
  }
}
