/**
 * Counting the store again (after a failed commit, at the hourly purge, on a cluster node after copies moved:
 * `cluster/recountPace.ts`), in slices: the server's counts (each recipient's backlog, each sender's copies, share of
 * each recipient and bodies' bytes, the store's copies and bytes in all) are read again from SQLite, with what
 * write-behind holds, and replace what the server counted.
 *
 * Until 2026-12-07 that was one synchronous pass over every copy stored, 5 µs a copy on this project's 2 shared cores
 * (`bench/server/recountCost.ts`): at the store's default bound of 1M copies, 5 s of the server's only thread. Nothing
 * else ran meanwhile: no frame, and on a cluster node no heartbeat, whose key lives 3.5 s (`cluster/node.ts`): the others
 * could take the node for gone while it counted (its users' sessions then moved, and it fought for them when it woke).
 *
 * Now a pass is a run of steps, each on the server's clock (a timer of 0 ms: what waits runs between two) and once the
 * turn's writes are committed, each reading at most {@link SLICE_COPIES} copies (or one key's, if it holds more:
 * `storeCounts.ts`):
 * 1. the recipients, a range of them at a time, in SQLite's order: each one's backlog;
 * 2. the senders, likewise: each one's copies, its share of each recipient, its bodies' bytes;
 * 3. the recipients and senders the server counted before the pass that steps 1-2 found nothing stored for (a purge
 *    took their copies, say): each read alone (with what is held for them), a few thousand copies' worth a step.
 * A key's counts are read and replaced in one step, with no write waiting, so they are then exactly what the store
 * holds (and write-behind), and every receipt, move, take-in or send after it counts on top of them as it always did:
 * a key counted in an earlier step keeps every later change, and one whose step is still to come is replaced by what
 * the store holds then. The totals move by what each key's count moved: the copies in all are the sum of the
 * recipients' (`Backlogs`), the bytes that of the senders' (`SenderQuotas.storedBytes`).
 *
 * A key that appears during the pass (its first copy stored, or held) is counted as it goes and left alone; one counted
 * before the pass and never found stored by it is read alone in step 3. A step that fails (the store fails its reads)
 * ends the pass: what it counted stays counted, and the others keep their counts until the next pass. Asked for while
 * a pass runs, a recount is one more pass after it (one however many ask): a purge or a move in the middle of a pass may
 * have changed keys it counted already. `stop()` (the server closes) ends it: no step runs on a closed store.
 */
import type { TurnCommit } from './commit';
import type { ServerClock } from './options';
import type { Held as Counted, SenderQuotas } from './senders';
import type { Backlogs } from './backlogs';
import type { CountReader, SenderCounts, Side } from './storeCounts';
import type { Held } from './writeBehind';

/** Copies one step reads at most (but for one key holding more): some 20-40 ms here at 5-10 µs a copy. */
export const SLICE_COPIES = 4096;

/** What a pass found: the copies it left counted, and whether it moved the copies or bytes in all (they were off). */
export interface Recounted {
  readonly copies: number;
  readonly off: boolean;
}

/** One who asked for a pass: told when the pass ends, or fails. */
interface Asker {
  readonly done: ((recounted: Recounted) => void) | undefined;
  readonly failed: ((error: unknown) => void) | undefined;
}

/** A pass under way. */
interface Pass {
  readonly askers: Asker[];
  /** Steps 1, 2 (`Side`) and 3. */
  phase: Side | 'unseen';
  /** Where the next range of the phase begins (SQLite's order; '' is before every key). */
  lo: string;
  /** Step 3's walks (live across steps). */
  unseen: { recipients: IterableIterator<string>; senders: IterableIterator<string> } | null;
  /** How far the pass moved the copies and the bytes in all. */
  copies: number;
  bytes: number;
}

/** What the recount reads and replaces. */
export interface RecountParts {
  readonly counts: CountReader;
  readonly backlogs: Backlogs;
  readonly senders: SenderQuotas;
  /** The messages write-behind holds now (counted as stored). */
  held(): Iterable<Held>;
  readonly commit: TurnCommit;
  readonly clock: ServerClock;
  /** Told when a step failed and whoever asked for the pass gave no `failed`. */
  lost(error: unknown): void;
}

/** The store's counts read again, a slice at a time. */
export class Recount {
  private pass: Pass | null = null;
  /** Who asked while a pass ran: the next pass is theirs. */
  private next: Asker[] | null = null;
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly parts: RecountParts,
    /** Copies a step reads at most (tests make it small). */
    private readonly sliceCopies = SLICE_COPIES,
  ) {}

  /** Counts the store again: a pass begins (after the one under way, if any); `done` is told what it found. */
  request(done?: (recounted: Recounted) => void, failed?: (error: unknown) => void): void {
    if (this.stopped) return;
    const asker = { done, failed };
    if (this.pass === null) this.begin([asker]);
    else (this.next ??= []).push(asker);
  }

  /** True while a pass runs. */
  get running(): boolean {
    return this.pass !== null;
  }

  /** For good (the store closes): the pass under way ends where it is, and none begins; nobody is told. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.parts.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pass = null;
    this.next = null;
  }

  private begin(askers: Asker[]): void {
    this.parts.backlogs.begin();
    this.parts.senders.begin();
    this.pass = { askers, phase: 'recipients', lo: '', unseen: null, copies: 0, bytes: 0 };
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.parts.clock.setTimeout(() => {
      this.timer = null;
      // Once the turn's writes are committed: what the store holds is then what the server counted. Not amid the effects of
      // a commit that failed (a held message's write: held again by one of them): in the next step, after them.
      this.parts.commit.after(
        () => this.step(),
        () => this.schedule(),
      );
    }, 0);
  }

  private step(): void {
    const pass = this.pass;
    if (this.stopped || pass === null) return;
    let ended: boolean;
    try {
      ended = pass.phase === 'unseen' ? this.unseen(pass) : this.slice(pass, pass.phase);
    } catch (error) {
      this.end();
      for (const asker of pass.askers) (asker.failed ?? this.parts.lost)(error);
      return;
    }
    if (!ended) return this.schedule();
    this.end();
    const recounted = { copies: this.parts.backlogs.total, off: pass.copies !== 0 || pass.bytes !== 0 };
    for (const asker of pass.askers) asker.done?.(recounted);
  }

  /** The pass is over: the next one begins, if anyone asked meanwhile. */
  private end(): void {
    this.pass = null;
    const next = this.next;
    this.next = null;
    if (next !== null && !this.stopped) this.begin(next);
  }

  /** Steps 1 and 2: one range of keys, counted and replaced; true when the pass is over. */
  private slice(pass: Pass, side: Side): boolean {
    const { counts, backlogs, senders } = this.parts;
    const hi = counts.end(side, pass.lo, this.sliceCopies);
    const held = heldCounts(this.parts.held());
    if (side === 'recipients') {
      for (const row of counts.recipients(pass.lo, hi)) {
        const h = held.recipients.get(row.key);
        pass.copies += backlogs.recounted(row.key, row.count + (h?.count ?? 0), row.bytes + (h?.bytes ?? 0));
      }
    } else {
      for (const [from, read] of bySender(counts.senders(pass.lo, hi))) pass.bytes += senders.recounted(from, ...withHeld(read, held.senders.get(from)));
    }
    if (hi !== null) pass.lo = hi;
    else if (side === 'recipients') [pass.phase, pass.lo] = ['senders', ''];
    else pass.phase = 'unseen';
    return false;
  }

  /** Step 3: keys counted before the pass that it found nothing stored for, each read alone; true when none is left. */
  private unseen(pass: Pass): boolean {
    const { counts, backlogs, senders } = this.parts;
    const walks = (pass.unseen ??= { recipients: backlogs.unseen(), senders: senders.unseen() });
    const held = heldCounts(this.parts.held());
    // Each key costs a query even when it stores nothing now (it is one such): a bound on keys as well as copies.
    let read = 0;
    for (let keys = 0; read < this.sliceCopies && keys < this.sliceCopies; keys++) {
      const to = walks.recipients.next();
      if (!to.done) {
        const row = counts.recipient(to.value);
        const h = held.recipients.get(to.value);
        pass.copies += backlogs.recounted(to.value, (row?.count ?? 0) + (h?.count ?? 0), (row?.bytes ?? 0) + (h?.bytes ?? 0));
        read += row?.count ?? 0;
        continue;
      }
      const from = walks.senders.next();
      if (from.done) return true;
      const rows = counts.sender(from.value);
      const found = bySender(rows).get(from.value) ?? { count: 0, bytes: 0, pairs: new Map<string, Counted>() };
      pass.bytes += senders.recounted(from.value, ...withHeld(found, held.senders.get(from.value)));
      read += found.count;
    }
    return false;
  }
}

/** One sender's counts: its copies, its bodies' bytes, its copies per recipient. */
interface SenderRead {
  count: number;
  bytes: number;
  pairs: Map<string, Counted>;
}

/** The rows of some senders, per sender. */
function bySender(rows: SenderCounts): Map<string, SenderRead> {
  const out = new Map<string, SenderRead>();
  for (const { from, to, count, bytes } of rows.pairs) {
    const sender = entry(out, from, newSender);
    sender.count += count;
    sender.pairs.set(to, { count, bytes });
  }
  for (const { from, bytes } of rows.bodies) entry(out, from, newSender).bytes += bytes;
  return out;
}

/** A sender's counts as read, with what write-behind holds of its (`SenderQuotas.recounted`'s arguments). */
function withHeld(read: SenderRead, held: SenderRead | undefined): [Counted, Map<string, Counted>] {
  if (held === undefined) return [{ count: read.count, bytes: read.bytes }, read.pairs];
  for (const [to, h] of held.pairs) {
    const pair = read.pairs.get(to);
    read.pairs.set(to, { count: (pair?.count ?? 0) + h.count, bytes: (pair?.bytes ?? 0) + h.bytes });
  }
  return [{ count: read.count + held.count, bytes: read.bytes + held.bytes }, read.pairs];
}

/** What the held messages count, per recipient and per sender (as `Mailer.send` counted them: a copy per row, the body once). */
function heldCounts(held: Iterable<Held>): { recipients: Map<string, Counted>; senders: Map<string, SenderRead> } {
  const recipients = new Map<string, Counted>();
  const senders = new Map<string, SenderRead>();
  for (const { body, bytes, rows } of held) {
    const sender = entry(senders, body.from, newSender);
    sender.bytes += bytes;
    for (const to of rows.values()) {
      const r = entry(recipients, to, newCount);
      r.count++;
      r.bytes += bytes;
      sender.count++;
      const pair = entry(sender.pairs, to, newCount);
      pair.count++;
      pair.bytes += bytes;
    }
  }
  return { recipients, senders };
}

const newCount = (): Counted => ({ count: 0, bytes: 0 });
const newSender = (): SenderRead => ({ count: 0, bytes: 0, pairs: new Map() });

/** `map`'s entry for `key`, made (and set) if it has none. */
function entry<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
