/**
 * Write-behind ("cancel-out", as message brokers do): a message whose every copy was handed at
 * once to its recipients' connections is not written in the turn's commit but held here for up
 * to `writeBehindMs`. A recipient's receipt that comes back meanwhile drops its copy from the
 * write: a copy confirmed in the window never touches SQLite (neither its insert nor its delete).
 * When the window ends (or anything needs the store to be whole: a connection lost, a recount,
 * an expiry sweep, shutdown) what is left is written in the turn's commit, as any other copy.
 *
 * The sender's ack waits for the message to be settled: every copy confirmed, or the write
 * committed, whichever comes first ({@link Held.whenSettled}). So nothing is acknowledged before
 * it is durable or delivered; a crash in the window may lose a copy its recipient already has,
 * never one its sender was told is safe (the sender sends it again, under the same message id:
 * see `Mailer`'s message ids).
 */
import type { TurnCommit } from './commit';
import type { Settling } from './conn';
import type { ServerClock } from './options';
import type { Body, Store } from './store';

/**
 * Held writes that keep failing (the disk full, I/O errors) are tried again each time later: a window after the first
 * failure, then twice as long after each further one in a row, up to this, and at each window's end again once one
 * commits. Before 2026-12-06 night every window (200 ms) tried every held message again in one commit, up to `writeBehindMaxBytes` (64 MiB) of them, and each failed commit
 * made the server count its store again (`index.ts`): work in proportion to what is held and stored, five times a
 * second, for as long as the store failed. The cluster's moves back off alike (`cluster/backoff.ts`, 1 s to 30 s).
 */
const RETRY_MAX_MS = 30_000;

/**
 * The copies of a held message not yet confirmed, delivery id -> recipient: the subset of a `Map` that {@link Held} needs.
 * Most messages are C2C, one copy: it is kept in two fields, and a `Map` (32 bytes and a table of 152) is made only for
 * a second. A held message lives 60-250 ms, past a young collection or two: what it holds is copied, then promoted.
 */
export class Rows {
  /** The one copy's delivery id (-1: none, or they are in {@link Rows.map}). */
  private delivery = -1;
  private to = '';
  private map: Map<number, string> | null = null;

  get size(): number {
    return this.map ? this.map.size : this.delivery < 0 ? 0 : 1;
  }

  get(delivery: number): string | undefined {
    if (this.map) return this.map.get(delivery);
    return delivery === this.delivery && delivery >= 0 ? this.to : undefined;
  }

  set(delivery: number, to: string): this {
    if (this.map) this.map.set(delivery, to);
    else if (this.delivery < 0 || this.delivery === delivery) [this.delivery, this.to] = [delivery, to];
    else {
      this.map = new Map([[this.delivery, this.to], [delivery, to]]);
      [this.delivery, this.to] = [-1, ''];
    }
    return this;
  }

  delete(delivery: number): boolean {
    if (this.map) return this.map.delete(delivery);
    if (delivery !== this.delivery || delivery < 0) return false;
    [this.delivery, this.to] = [-1, ''];
    return true;
  }

  /** Delivery id, recipient pairs, in the order they were added. */
  entries(): IterableIterator<[number, string]> {
    return this.map ? this.map.entries() : (this.delivery < 0 ? [] : [[this.delivery, this.to] as [number, string]]).values();
  }

  [Symbol.iterator](): IterableIterator<[number, string]> {
    return this.entries();
  }

  keys(): IterableIterator<number> {
    return this.map ? this.map.keys() : (this.delivery < 0 ? [] : [this.delivery]).values();
  }

  values(): IterableIterator<string> {
    return this.map ? this.map.values() : (this.delivery < 0 ? [] : [this.to]).values();
  }
}

/** One message held back from the store: its body and the copies not yet confirmed. */
export class Held implements Settling {
  /** Delivery id -> recipient, for the copies still unconfirmed. */
  readonly rows = new Rows();
  /** The commit of the turn that sent it (its room grant, say) failed: the ack must not say it worked. */
  turnFailed = false;
  /** A write of it failed: it was held again ({@link HeldCounts.writtenLate}). */
  failedWrite = false;
  /** Copies a cluster moved to streams while a write of them was under way: if that write fails, not held again. */
  inStreams: Set<number> | null = null;
  /**
   * Its turn's commit is done (or it had none): a cluster's move may take its copies ({@link WriteBehind.unstoredFor}).
   * Before, a copy moved to a stream could not be taken back if that commit failed, and its sender heard it failed.
   */
  turnDone = false;
  private outcome: boolean | null = null;
  /**
   * What waits for it: an ack's reply and its line (`dispatch.ts`), two as a rule. In fields, then an array for more: an
   * array that `push` grows from empty takes 17 slots (152 bytes) for them.
   */
  private first: ((ok: boolean) => void) | null = null;
  private second: ((ok: boolean) => void) | null = null;
  private more: ((ok: boolean) => void)[] | null = null;

  constructor(
    readonly body: Body,
    /** Payload bytes. */
    readonly bytes: number,
    /** When it was held (server clock); again when its write failed. */
    public heldAt: number,
  ) {}

  /**
   * Calls `fn` once the message is settled: with true when it is committed or confirmed by every
   * recipient, false when the commit of its own turn failed (a failed write of its own holds it again).
   */
  whenSettled(fn: (ok: boolean) => void): void {
    if (this.outcome !== null) return fn(this.outcome);
    if (this.first === null) this.first = fn;
    else if (this.second === null) this.second = fn;
    else if (this.more === null) this.more = [fn];
    else this.more.push(fn);
  }

  /** Settles it (once). */
  settle(ok: boolean): void {
    if (this.outcome !== null) return;
    const outcome = (this.outcome = ok && !this.turnFailed);
    const { first, second, more } = this;
    this.first = this.second = this.more = null;
    first?.(outcome);
    second?.(outcome);
    if (more) for (const fn of more) fn(outcome);
  }
}

/**
 * What the mailer counts of a held message (its bytes in the store's bound, its copies in the
 * backlogs and sender quotas): given back when it goes for good, counted again when it comes back.
 */
export interface HeldCounts {
  /** It went for good, unwritten and unconfirmed (its turn's commit failed): its remaining copies and body count no more. */
  dropped(held: Held): void;
  /** Its write failed after its counts were read again from the store: it is held again, and counts again. */
  heldAgain(held: Held): void;
  /**
   * It was written (committed) after an earlier write of it failed: `rows` (delivery, recipient) are in the store now,
   * and a connection of a recipient may have paged the store before they were (its own went as the write failed).
   */
  writtenLate(held: Held, rows: readonly (readonly [number, string])[]): void;
}

/** The held messages of one server. */
export class WriteBehind {
  private readonly held = new Map<number, Held>();
  private readonly byDelivery = new Map<number, Held>();
  /**
   * Cluster: per recipient, its copies not in the store yet (delivery id -> message): held, or in a write not committed
   * yet (a move reads them beside the stored ones, `cluster/outbox.ts`: in that gap a copy is in neither place). Not
   * kept on one node, where nothing reads it: a map made and dropped per held message cost 0.3-0.5 µs of a hold.
   */
  private readonly unstored: Map<string, Map<number, Held>> | null;
  /** Copies a cluster moved to their recipients' streams from here, never written (for the metrics). */
  movedOut = 0;
  private timer: unknown = null;
  /** Copies confirmed in the window (never written), and messages written after it (for the metrics). */
  cancelled = 0;
  writtenLate = 0;
  /** Payload bytes of the messages held now (bounded by `maxBytes`). */
  private bytes = 0;
  /**
   * Held writes that failed in a row (0: the last one committed), and, while some did, how long the next try waits from
   * the last failure ({@link RETRY_MAX_MS} at most) and when it is due (server clock): until then nothing held is written
   * at its window's end, messages held since included (they wait in memory, within `maxBytes`, their acks with them).
   */
  private failures = 0;
  private stopped = false;
  private retryMs = 0;
  private retryAt = 0;

  constructor(
    private readonly store: Store,
    private readonly commit: TurnCommit,
    private readonly clock: ServerClock,
    /** How long a message may wait for its receipts before it is written; 0: never held. */
    readonly windowMs: number,
    /** Payload bytes it may hold at once: a message past them is stored before it is handed. */
    private readonly maxBytes: number,
    private readonly counts: HeldCounts,
    /** A cluster node's: what is not stored yet is kept per recipient, for its moves ({@link WriteBehind.unstoredFor}). */
    perRecipient = false,
  ) {
    this.unstored = perRecipient ? new Map() : null;
  }

  /** Whether a message of `bytes` may be held now (the window is on, and it fits beside those held). */
  mayHold(bytes: number): boolean {
    return this.windowMs > 0 && this.bytes + bytes <= this.maxBytes;
  }

  /** Holds `body` with its copies (delivery id -> recipient); the sender's ack waits on the answer. */
  hold(body: Body, bytes: number, copies: readonly { delivery: number; to: string }[]): Held {
    const held = new Held(body, bytes, this.clock.now());
    this.bytes += bytes;
    for (const copy of copies) {
      held.rows.set(copy.delivery, copy.to);
      this.byDelivery.set(copy.delivery, held);
      this.track(copy.to, copy.delivery, held);
    }
    this.held.set(body.id, held);
    // What else this turn writes (the invitation's room grant) must commit for the ack to say it worked;
    // if it fails, the message goes (its sender hears it failed, and the copies were not sent).
    if (this.commit.pending) this.commit.after(() => void (held.turnDone = true), () => this.turnFailed(held));
    else held.turnDone = true;
    if (this.timer === null) this.wake(this.windowMs);
    return held;
  }

  /** The commit of the turn that sent `held` failed: it goes, unwritten, and settles as failed. */
  private turnFailed(held: Held): void {
    held.turnFailed = true;
    if (this.held.get(held.body.id) === held) {
      this.forget(held);
      this.untrack(held);
      this.counts.dropped(held);
    }
    held.settle(false);
  }

  /** Takes `held` out of what is held (to be written, or gone). */
  private forget(held: Held): void {
    this.held.delete(held.body.id);
    this.bytes -= held.bytes;
    for (const delivery of held.rows.keys()) this.byDelivery.delete(delivery);
  }

  /** Writes the messages held for the whole window, and wakes again when the next one's ends (see below). */
  private due(): void {
    this.timer = null;
    const now = this.clock.now();
    // The store failing: nothing before the back-off's try (a clock set back since waits the delay at most), then all at once.
    const waiting = this.failures > 0 ? Math.min(this.retryAt - now, this.retryMs) : 0;
    if (waiting > 0) return this.wake(waiting);
    const late: Held[] = [];
    for (const held of this.held.values()) {
      if (this.failures > 0) {
        late.push(held);
        continue;
      }
      // Held in order: the rest are younger. (A clock set back since is no reason to wait: written now.)
      if (held.heldAt + this.windowMs > now && held.heldAt <= now) break;
      late.push(held);
    }
    this.write(late);
    // Not sooner than an eighth of the window: a message may wait up to 1/8 longer, and the
    // writes of a steady stream go in a few commits per window rather than one per message.
    const next = this.held.values().next();
    if (!next.done) this.wake(Math.min(Math.max(next.value.heldAt + this.windowMs - now, this.windowMs / 8), this.windowMs));
  }

  private wake(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.due(), Math.max(0, ms));
  }

  /**
   * The server stopped (its store closed): no timer more. What its last write could not write stays unwritten, and its
   * senders unacknowledged; a timer left (a failed write's back-off) took the write as done on the closed commit.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Held messages, for counts that must include them ({@link Mailer.recount}). */
  values(): IterableIterator<Held> {
    return this.held.values();
  }

  get size(): number {
    return this.held.size;
  }

  /** Payload bytes of the messages held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * The copy `delivery` was confirmed. Returns `null` when it is not held (its row is in the store,
   * or on its way there), else whether its body went with it (its last copy).
   */
  confirm(delivery: number): { bodyGone: boolean } | null {
    const held = this.byDelivery.get(delivery);
    if (!held) return null;
    this.cancelled++;
    return this.drop(held, delivery);
  }

  /**
   * Cluster: copy `delivery` of `held` is in its recipient's stream now (`cluster/outbox.ts`). Still held, it is dropped
   * from the write as a confirmed one is ({@link WriteBehind.confirm}'s answer). In a write not committed yet, `null`:
   * the caller deletes its row in this turn's commit, after its insert, and if that commit fails the message is held
   * again without it. Written already, `null` too: its row is the caller's to delete, as any stored copy's.
   */
  moved(held: Held, delivery: number): { bodyGone: boolean } | null {
    if (this.byDelivery.get(delivery) === held) {
      this.movedOut++;
      return this.drop(held, delivery);
    }
    const to = held.rows.get(delivery);
    if (to !== undefined && this.unstored?.get(to)?.get(delivery) === held) {
      this.untrackOne(to, delivery);
      (held.inStreams ??= new Set()).add(delivery);
    }
    return null;
  }

  /** Copy `delivery` of `held` (held now) is not written: confirmed, or moved. */
  private drop(held: Held, delivery: number): { bodyGone: boolean } {
    const to = this.unstored ? held.rows.get(delivery) : undefined;
    if (to !== undefined) this.untrackOne(to, delivery);
    this.byDelivery.delete(delivery);
    held.rows.delete(delivery);
    if (held.rows.size > 0) return { bodyGone: false };
    this.held.delete(held.body.id);
    this.bytes -= held.bytes;
    // Nothing of it is written: it holds, unless its own turn's commit (if still under way) fails,
    // which `turnFailed` says first; another write of this turn failing is no concern of it.
    this.commit.after(() => held.settle(true), () => held.settle(true));
    return { bodyGone: true };
  }

  /** Writes every held message in the turn's commit (see {@link WriteBehind.write} for when that fails). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    this.write([...this.held.values()]);
  }

  /**
   * Writes the held messages with a copy among `deliveries` (a session's, as its connection goes: its
   * next one pages from the store) in the turn's commit; the others stay held.
   */
  flushFor(deliveries: Iterable<number>): void {
    const messages = new Set<Held>();
    for (const delivery of deliveries) {
      const held = this.byDelivery.get(delivery);
      if (held) messages.add(held);
    }
    this.write([...messages]);
  }

  /** Writes the held messages with a copy still unconfirmed for `userID` in the turn's commit. */
  flushTo(userID: string): void {
    const messages = new Set<Held>();
    if (this.unstored) {
      for (const [delivery, held] of this.unstored.get(userID) ?? []) if (this.byDelivery.get(delivery) === held) messages.add(held);
    } else {
      for (const held of this.held.values()) for (const to of held.rows.values()) if (to === userID) messages.add(held);
    }
    this.write([...messages]);
  }

  /**
   * Cluster: the copies for `userID` not in the store yet, past delivery `after` and unexpired at `now`, in delivery order:
   * those held whose turn committed, and those in a write under way (stored once it commits). A held copy whose turn's
   * commit is still under way is left out, and so is every later one (delivery ids grow with the turns).
   */
  unstoredFor(userID: string, after: number, now: number): { readonly held: Held; readonly delivery: number }[] {
    const copies: { held: Held; delivery: number }[] = [];
    for (const [delivery, held] of this.unstored?.get(userID) ?? []) {
      if (delivery > after && held.body.expiresAt > now) copies.push({ held, delivery });
    }
    copies.sort((x, y) => x.delivery - y.delivery);
    const waiting = copies.findIndex((c) => !c.held.turnDone);
    return waiting < 0 ? copies : copies.slice(0, waiting);
  }

  /** Copy `delivery` of `held`, for `to`, is not in the store yet. */
  private track(to: string, delivery: number, held: Held): void {
    if (!this.unstored) return;
    let mine = this.unstored.get(to);
    if (!mine) this.unstored.set(to, (mine = new Map()));
    mine.set(delivery, held);
  }

  private untrackOne(to: string, delivery: number): void {
    const mine = this.unstored?.get(to);
    if (mine?.delete(delivery) && mine.size === 0) this.unstored?.delete(to);
  }

  /** `held`'s copies are in the store now, or gone. */
  private untrack(held: Held): void {
    if (!this.unstored) return;
    for (const [delivery, to] of held.rows) if (this.unstored.get(to)?.get(delivery) === held) this.untrackOne(to, delivery);
  }

  /**
   * Writes `messages` (held now) in the turn's commit; each settles once it is committed. If that
   * commit fails, they are held again (their copies were handed: a receipt may still settle them),
   * and written again when the window ends.
   */
  private write(messages: readonly Held[]): void {
    if (messages.length === 0) return;
    for (const held of messages) this.forget(held);
    const { store } = this;
    this.commit.write(() => {
      for (const held of messages) {
        store.insertBody(held.body);
        for (const [delivery, to] of held.rows) store.insertDelivery(delivery, to, held.body.id);
      }
    });
    // Before the messages' own effects: those held again see the back-off this failure sets.
    this.commit.after(
      () => this.committed(),
      () => this.failed(),
    );
    for (const held of messages) {
      const rows = held.failedWrite ? [...held.rows] : null;
      this.commit.after(
        () => {
          this.untrack(held);
          this.writtenLate++;
          held.settle(true);
          if (rows) this.counts.writtenLate(held, rows);
        },
        () => this.holdAgain(held),
      );
    }
  }

  /** A held write committed: the store works, the back-off is over (what waits for it is written at its window's end, now if past). */
  private committed(): void {
    if (this.failures === 0) return;
    this.failures = 0;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.held.size > 0) this.wake(0);
  }

  /** A held write failed: the next try waits a window, doubled per earlier failure in a row, up to {@link RETRY_MAX_MS}. */
  private failed(): void {
    const now = this.clock.now();
    if (this.failures > 0 && this.retryAt - this.retryMs === now) return; // two held writes in the failed commit: one failure
    this.failures++;
    this.retryMs = Math.min(this.windowMs * 2 ** (this.failures - 1), RETRY_MAX_MS);
    this.retryAt = now + this.retryMs;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    // Others held meanwhile wait for the try too (none of this write held again, all of its turns failed: still due).
    this.timer = null;
    if (this.held.size > 0) this.wake(this.retryMs);
  }

  private holdAgain(held: Held): void {
    // Its own turn failed too (it was written in that turn: its recipient left, say): it went, as its sender heard.
    if (held.turnFailed) return this.untrack(held);
    // What a cluster moved to streams meanwhile is not written again; moved all, it is settled (its copies are there).
    for (const delivery of held.inStreams ?? []) held.rows.delete(delivery);
    held.inStreams = null;
    if (held.rows.size === 0) return held.settle(true);
    held.heldAt = this.clock.now();
    held.failedWrite = true;
    this.held.set(held.body.id, held);
    this.bytes += held.bytes;
    for (const delivery of held.rows.keys()) this.byDelivery.set(delivery, held);
    this.counts.heldAgain(held);
    if (this.timer === null) this.wake(this.retryMs);
  }
}
