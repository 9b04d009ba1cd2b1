/**
 * What waits in the store, counted in memory beside it: each recipient's stored copies and their
 * payload bytes (bounded by `maxBacklog`, `maxBacklogBytes`), and the copies in all (`maxStored`).
 * The store's bytes in all (`maxStoreBytes`) count payloads only, and a copy costs the server some
 * 300 bytes of memory whatever its payload (this count, its sender's share in `senders.ts`, then its
 * row): before 2026-12-05 nothing bounded copies in all, and senders each within their own quota
 * stored one-byte messages to as many users who never come as they liked, each kept a week.
 */
import type { Backlog, Store } from './store';

/** The stored copies of every recipient, and their total. */
export class Backlogs {
  private byUser = new Map<string, Backlog>();
  /** Copies stored (or held to be) in all: the sum of every recipient's count. */
  total = 0;

  constructor(private readonly store: Pick<Store, 'backlogs'>) {
    this.reload();
  }

  /** Reads every count again from the store. */
  reload(): void {
    this.byUser = this.store.backlogs();
    this.total = 0;
    for (const backlog of this.byUser.values()) this.total += backlog.count;
  }

  /** What waits for `to`, if anything. */
  of(to: string): Backlog | undefined {
    return this.byUser.get(to);
  }

  /** A copy of `bytes` waits for `to`. */
  add(to: string, bytes: number): void {
    const backlog = this.byUser.get(to) ?? { count: 0, bytes: 0 };
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
}
