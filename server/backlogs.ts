/**
 * What waits in the store, counted in memory beside it: each recipient's stored copies and their
 * payload bytes (bounded by `maxBacklog`, `maxBacklogBytes`), and the copies in all (`maxStored`).
 * The store's bytes in all (`maxStoreBytes`) count payloads only, and a copy costs the server some
 * 300 bytes of memory whatever its payload (this count, its sender's share in `senders.ts`, then its
 * row): before 2026-12-05 nothing bounded copies in all, and senders each within their own quota
 * stored one-byte messages to as many users who never come as they liked, each kept a week.
 */
import type { Backlog, Store } from './store';

/** A recipient's backlog, and the recount pass that last counted it, or in which it began (`recount.ts`). */
interface Entry extends Backlog {
  seen: number;
}

/** The stored copies of every recipient, and their total. */
export class Backlogs {
  private byUser = new Map<string, Entry>();
  /** Copies stored (or held to be) in all: the sum of every recipient's count. */
  total = 0;
  /** The recount pass under way, or the last one ({@link Backlogs.begin}). */
  private pass = 0;

  constructor(private readonly store: Pick<Store, 'backlogs'>) {
    this.reload();
  }

  /** Reads every count again from the store. */
  reload(): void {
    this.byUser = new Map([...this.store.backlogs()].map(([to, { count, bytes }]) => [to, { count, bytes, seen: this.pass }]));
    this.total = 0;
    for (const backlog of this.byUser.values()) this.total += backlog.count;
  }

  /** What waits for `to`, if anything. */
  of(to: string): Backlog | undefined {
    return this.byUser.get(to);
  }

  /** A copy of `bytes` waits for `to`. */
  add(to: string, bytes: number): void {
    const backlog = this.byUser.get(to) ?? { count: 0, bytes: 0, seen: this.pass };
    backlog.count++;
    backlog.bytes += bytes;
    this.byUser.set(to, backlog);
    this.total++;
  }

  /** A copy of `bytes` for `to` waits no more (nothing when none was counted: a purge's recount took it already). */
  remove(to: string, bytes: number): void {
    const backlog = this.byUser.get(to);
    if (!backlog) return;
    backlog.count--;
    backlog.bytes -= bytes;
    this.total--;
    if (backlog.count <= 0) this.byUser.delete(to);
  }

  /** A recount's pass begins: a backlog it counts, or that begins meanwhile, is its own ({@link Backlogs.unseen}). */
  begin(): void {
    this.pass++;
  }

  /** `to`'s backlog as the pass read it (with what is held): returns by how many copies the total moved. */
  recounted(to: string, count: number, bytes: number): number {
    const moved = count - (this.byUser.get(to)?.count ?? 0);
    this.total += moved;
    if (count > 0) this.byUser.set(to, { count, bytes, seen: this.pass });
    else this.byUser.delete(to);
    return moved;
  }

  /**
   * The recipients counted before this pass began and not by it (the store held nothing for them when it read their
   * range): walked live, across turns, each yielded only while it is still so.
   */
  *unseen(): IterableIterator<string> {
    for (const [to, backlog] of this.byUser) if (backlog.seen !== this.pass) yield to;
  }
}
