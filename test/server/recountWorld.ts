/**
 * A store and the counts the server keeps beside it (`Backlogs`, `SenderQuotas`), a recount over them (`Recount`), and
 * the moves the mailer makes on them, as `Mailer` makes them: a copy stored is counted at once and inserted in the
 * turn's commit; a copy confirmed (or moved out) is deleted in the commit, uncounted if that delete took it; a message
 * held by write-behind is counted and not written, written later (held again if that write fails, still counted), and
 * its copies confirmed in memory. The server's clock is a {@link StepClock}: its timers run one at a time, each a turn
 * of the event loop, so that a test does what it likes between two steps of a recount.
 */
import { Backlogs } from '../../server/backlogs';
import { TurnCommit } from '../../server/commit';
import type { ServerClock } from '../../server/options';
import { Recount, type Recounted } from '../../server/recount';
import { SenderQuotas } from '../../server/senders';
import { type Body, Store } from '../../server/store';
import { type CountReader, StoreCounts } from '../../server/storeCounts';
import { Held } from '../../server/writeBehind';

/** A server clock whose timers run only when the test says, one at a time (each one a step of its own). */
export class StepClock implements ServerClock {
  private at = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.at;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { due: this.at + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }

  /** Timers set and not run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Runs the earliest timer (the first set, among those due together); false when none is set. */
  step(): boolean {
    return this.runNext(Infinity);
  }

  /** Runs every timer due by `at` (those they set too), in order, and moves the clock there. */
  runUntil(at: number): void {
    while (this.runNext(at));
    this.at = Math.max(this.at, at);
  }

  private runNext(by: number): boolean {
    let next: [number, { due: number; fn: () => void }] | undefined;
    for (const entry of this.timers) if (!next || entry[1].due < next[1].due) next = entry;
    if (!next || next[1].due > by) return false;
    this.timers.delete(next[0]);
    this.at = Math.max(this.at, next[1].due);
    next[1].fn();
    return true;
  }
}

/** No quota refuses anything here: the counts are what is looked at. */
const LIMITS = { maxSenderStored: 1e9, maxSenderStoredBytes: 1e12, maxBacklogPerSender: 1e9, maxBacklogBytesPerSender: 1e12 };

/** A copy stored (or held): its row, its body, who sent it to whom, its payload's bytes. */
export interface Copy {
  readonly delivery: number;
  readonly body: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}

/** What one step of a recount read: the phase (which read) and the copies it counted. */
export interface StepRead {
  readonly reads: string[];
  copies: number;
}

/** The world: a store, its counts, a recount (`sliceCopies` a step; read without the indexes unless `indexed`), what the test may do between its steps. */
export function recountWorld(sliceCopies?: number, indexed = true) {
  const store = new Store(':memory:');
  const clock = new StepClock();
  const turn: (() => void)[] = [];
  let failNext = false;
  let breakReads = false;
  const commit = new TurnCommit(
    (writes) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      store.transact(writes);
    },
    (fn) => void turn.push(fn),
    // As the server does after a failed commit (`index.ts`).
    () => recount.request(undefined, (error) => failures.push(String(error))),
  );
  const backlogs = new Backlogs(store);
  const senders = new SenderQuotas(LIMITS, store);
  const held: Held[] = [];
  const failures: string[] = [];
  /** What each step read (a timer of the clock that read the store). */
  const steps: StepRead[] = [];
  let current: StepRead | null = null;
  // Not `indexed`: as where the indexes could not be built (the disk full), the counts read without them.
  const counts = new StoreCounts(store.db, indexed ? { sizes: store.sizesIndexed, senders: store.sendersIndexed } : { sizes: false, senders: false });
  const read = (what: string, copies: number) => {
    if (breakReads) throw new Error('no such table: deliveries');
    current ??= { reads: [], copies: 0 };
    if (!current.reads.includes(what)) current.reads.push(what);
    current.copies += copies;
  };
  const sum = (rows: readonly { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
  // What the recount reads, told to the test (the copies each read counted).
  const reader: CountReader = {
    end: (side, lo, copies) => counts.end(side, lo, copies),
    recipients: (lo, hi) => {
      const rows = counts.recipients(lo, hi);
      read('recipients', sum(rows));
      return rows;
    },
    recipient: (to) => {
      const row = counts.recipient(to);
      read('unseen', row?.count ?? 0);
      return row;
    },
    senders: (lo, hi) => {
      const rows = counts.senders(lo, hi);
      read('senders', sum(rows.pairs));
      return rows;
    },
    sender: (from) => {
      const rows = counts.sender(from);
      read('unseen', sum(rows.pairs));
      return rows;
    },
  };
  const recount = new Recount({ counts: reader, backlogs, senders, held: () => held.values(), commit, clock, lost: (error) => failures.push(String(error)) }, sliceCopies);
  let nextMsg = 0;

  const countCopy = (c: Copy, sign: 1 | -1) => {
    if (sign > 0) {
      senders.copy(c.from, c.to, c.bytes);
      backlogs.add(c.to, c.bytes);
    } else {
      senders.confirmed(c.from, c.to, c.bytes);
      backlogs.remove(c.to, c.bytes);
    }
  };
  const bodyOf = (id: number, from: string, bytes: number): Body => ({ id, msgID: `m${nextMsg++}`, from, groupID: null, payload: 'x'.repeat(bytes), sentAt: 0, expiresAt: 9e12, call: null });
  const insert = (body: Body, copies: readonly Copy[]) => {
    store.insertBody(body);
    for (const c of copies) store.insertDelivery(c.delivery, c.to, body.id);
  };

  return {
    store,
    clock,
    backlogs,
    senders,
    recount,
    held,
    failures,
    steps,
    /** Ends the turn: its writes are committed (and what waited for them runs). */
    endTurn(): void {
      for (const fn of turn.splice(0)) fn();
    },
    /** Runs one timer of the server's clock (a step of the recount, if one is due); false when none is set. */
    step(): boolean {
      current = null;
      const ran = clock.step();
      if (current) steps.push(current);
      return ran;
    },
    /** Asks for a recount; resolves with what it found (rejects if it failed). */
    recounted(): Promise<Recounted> {
      return new Promise((resolve, reject) => recount.request(resolve, reject));
    },
    /** `from` sends `to` (each) a message of `bytes`, stored: counted now, inserted in the turn's commit. */
    send(from: string, to: readonly string[], bytes = 10): Copy[] {
      const body = bodyOf(store.bodyID(), from, bytes);
      const copies = to.map((t) => ({ delivery: store.deliveryID(), body: body.id, from, to: t, bytes }));
      copies.forEach((c) => countCopy(c, 1));
      senders.body(from, bytes);
      commit.write(() => insert(body, copies));
      return copies;
    },
    /** A copy confirmed, or moved out (`Mailer.removed`): deleted in the commit, uncounted if that delete took it. */
    remove(c: Copy): void {
      commit.write(() => {
        const gone = store.removeCopy(c.delivery, c.to, c.body);
        if (gone.copy) countCopy(c, -1);
        if (gone.body) senders.body(c.from, -c.bytes);
      });
    },
    /** `from` sends `to` a message handed at once and held by write-behind: counted, not written. */
    hold(from: string, to: readonly string[], bytes = 10): Held {
      const h = new Held(bodyOf(store.bodyID(), from, bytes), bytes, clock.now());
      for (const t of to) {
        const delivery = store.deliveryID();
        h.rows.set(delivery, t);
        countCopy({ delivery, body: h.body.id, from, to: t, bytes }, 1);
      }
      senders.body(from, bytes);
      held.push(h);
      return h;
    },
    /** A held copy confirmed within the window: never written, uncounted (its body too with its last copy). */
    confirmHeld(h: Held, delivery: number): void {
      const to = h.rows.get(delivery);
      if (to === undefined) return;
      h.rows.delete(delivery);
      countCopy({ delivery, body: h.body.id, from: h.body.from, to, bytes: h.bytes }, -1);
      if (h.rows.size > 0) return;
      held.splice(held.indexOf(h), 1);
      senders.body(h.body.from, -h.bytes);
    },
    /** A held message written (its window ended): held no more, inserted in the commit; held again (still counted) if that fails. */
    writeHeld(h: Held): void {
      held.splice(held.indexOf(h), 1);
      const copies = [...h.rows].map(([delivery, to]) => ({ delivery, body: h.body.id, from: h.body.from, to, bytes: h.bytes }));
      commit.write(() => insert(h.body, copies));
      commit.after(
        () => undefined,
        () => void held.push(h),
      );
    },
    /** The next commit fails (the disk full): its writes are not made, its counts stay as they were counted. */
    failNextCommit(): void {
      failNext = true;
    },
    /** The store fails its reads (an I/O error) until told otherwise. */
    breakReads(broken: boolean): void {
      breakReads = broken;
    },
    /**
     * What the store holds now, with what is held, as counts loaded afresh (as a server starting on it counts them),
     * for `users`: the counts kept should be exactly these.
     */
    truth(users: readonly string[]) {
      return snapshot(new Backlogs(store), withHeld(new SenderQuotas(LIMITS, store), held), users, held);
    },
    /** The counts kept, for `users`. */
    kept(users: readonly string[]) {
      return snapshot(backlogs, senders, users);
    },
  };
}

/** Fresh counts plus what is held (as the mailer counted it when it held it). */
function withHeld(senders: SenderQuotas, held: readonly Held[]): SenderQuotas {
  for (const h of held) {
    for (const to of h.rows.values()) senders.copy(h.body.from, to, h.bytes);
    senders.body(h.body.from, h.bytes);
  }
  return senders;
}

function snapshot(backlogs: Backlogs, senders: SenderQuotas, users: readonly string[], held: readonly Held[] = []) {
  for (const h of held) for (const to of h.rows.values()) backlogs.add(to, h.bytes);
  const shares: Record<string, unknown> = {};
  for (const from of users) for (const to of users) if (senders.shareOf(from, to)) shares[`${from}->${to}`] = senders.shareOf(from, to);
  return {
    copies: backlogs.total,
    bytes: senders.storedBytes,
    backlogs: Object.fromEntries(users.flatMap((u) => ((b) => (b ? [[u, { count: b.count, bytes: b.bytes }]] : []))(backlogs.of(u)))),
    senders: Object.fromEntries(users.filter((u) => senders.of(u)).map((u) => [u, senders.of(u)])),
    shares,
  };
}
