/**
 * The store's bounds, counted in memory beside it: each recipient's backlog (`backlogs.ts`), each sender's share and
 * quota (`senders.ts`) and the store's bytes in all, a message held by write-behind counted as stored. A send is checked
 * against them, a cluster's take-in admitted within them; a receipt, a cluster's move out and a dropped held message
 * uncount what each took, and after a purge or a failed commit they are read again from the store. Taken out of
 * `mail.ts`, which counts through it: the counting needs none of its sessions, windows or paging.
 */
import type { Limits } from './limits';
import { type Refusal, refuse } from './refusal';
import { type RemoteHeld, SenderQuotas } from './senders';
import { Backlogs } from './backlogs';
import type { Removed, Store } from './store';
import type { Held } from './writeBehind';

/** What is stored (or held to be), counted against the store's bounds. */
export class StoredCounts {
  private readonly backlogs: Backlogs;
  private storeBytes: number;
  readonly senders: SenderQuotas;

  constructor(
    private readonly limits: Limits,
    private readonly store: Store,
    remote?: RemoteHeld,
  ) {
    this.backlogs = new Backlogs(store);
    this.storeBytes = store.storedBytes();
    this.senders = new SenderQuotas(limits, store, remote);
  }

  /** What refuses a stored send of `bytes` from `from` to `recipients` (a C2C message has one), if anything. */
  refusal(from: string, recipients: readonly string[], bytes: number, c2c: boolean): Refusal | null {
    const limits = this.limits;
    if (c2c && recipients[0] !== undefined && this.full(recipients[0], bytes)) {
      return refuse('quotaExceeded', `${recipients[0]} has as many messages waiting as it may`, 'maxBacklog');
    }
    if (c2c && recipients[0] !== undefined && this.senders.full(from, recipients[0], bytes)) {
      return refuse('quotaExceeded', `you have as many messages waiting for ${recipients[0]} as one sender may`, 'maxBacklogPerSender');
    }
    if (this.storeBytes + bytes > limits.maxStoreBytes) {
      return refuse('quotaExceeded', 'the message store is full', 'maxStoreBytes');
    }
    // A copy per recipient at most (one per user with many devices), whatever its payload: see `backlogs.ts`.
    if (this.backlogs.total + recipients.length > limits.maxStored) {
      return refuse('quotaExceeded', 'the message store holds as many messages as it may', 'maxStored');
    }
    return this.senders.check(from, recipients.length, bytes);
  }

  /** After a failed commit, the counts are read again from what the store holds, and what is `held`; returns the copies counted, and whether the counts were off (copies or bytes in all). */
  recount(held: Iterable<Held>): [copies: number, off: boolean] {
    const [copies, bytes] = [this.backlogs.total, this.storeBytes];
    this.backlogs.reload();
    this.storeBytes = this.store.storedBytes();
    this.senders.reload();
    for (const h of held) this.countHeld(h);
    return [this.backlogs.total, copies !== this.backlogs.total || bytes !== this.storeBytes];
  }

  /** A held message counts as stored: its body in the store's bound and its sender's, its copies. */
  countHeld(held: Held): void {
    const { bytes, body } = held;
    this.countBody(body.from, bytes);
    for (const to of held.rows.values()) this.countCopy(body.from, to, bytes);
  }

  /** A copy from `from` waits for `to`: its sender's share and its recipient's backlog count it. */
  countCopy(from: string, to: string, bytes: number): void {
    this.senders.copy(from, to, bytes);
    this.backlogs.add(to, bytes);
  }

  /** A copy from `from` to `to` counts no more (the inverse of {@link StoredCounts.countCopy}); a cluster's move out too. */
  uncountCopy(from: string, to: string, bytes: number): void {
    this.senders.confirmed(from, to, bytes);
    this.backlogs.remove(to, bytes);
  }

  /**
   * What {@link Store.removeCopy} deleted of a copy from `from` to `to` counts no more; what it found gone was uncounted by
   * whoever took it (a receipt, a cluster's move: each uncounts only what it deleted; the purge recounts).
   */
  removed(from: string, to: string, bytes: number, gone: Removed): void {
    if (gone.copy) this.uncountCopy(from, to, bytes);
    if (gone.body) this.countBody(from, -bytes);
  }

  /** A body of `bytes` from `from` is stored or held (negative: gone, or never stored): the store's bound and its sender's count it. */
  countBody(from: string, bytes: number): void {
    this.storeBytes += bytes;
    this.senders.body(from, bytes);
  }

  /** A cluster's take-in: stored here within this store's bounds, counted at once; else what refused it (its `sender`'s share or total, or the `store`'s). */
  admit(from: string, to: string, bytes: number): 'sender' | 'store' | null {
    const { maxStoreBytes, maxStored } = this.limits;
    if (this.full(to, bytes) || this.storeBytes + bytes > maxStoreBytes || this.backlogs.total >= maxStored) return 'store';
    if (this.senders.full(from, to, bytes, true) || this.senders.check(from, 1, bytes, true)) return 'sender';
    this.countCopy(from, to, bytes);
    this.countBody(from, bytes);
    return null;
  }

  full(to: string, bytes: number): boolean {
    const b = this.backlogs.of(to);
    return b !== undefined && (b.count >= this.limits.maxBacklog || b.bytes + bytes > this.limits.maxBacklogBytes);
  }
}
