/**
 * What each sender holds in the message store, so that no one user can fill it or a victim's
 * backlog: a sender's stored copies and the bytes of its stored bodies are bounded
 * (`maxSenderStored`, `maxSenderStoredBytes`), and so is its share of any one recipient's backlog
 * (`maxBacklogPerSender`, `maxBacklogBytesPerSender`), below the recipient's own cap: the others
 * can still reach a recipient one sender has flooded. Counts are kept in memory beside the
 * mailer's and read again from the store after a purge or a failed commit.
 */
import type { Limits } from './limits';
import { type Refusal, refuse } from './refusal';
import type { Store } from './store';

export interface Held {
  count: number;
  bytes: number;
}

/**
 * Cluster: what a sender holds in the users' Redis streams, as this node last learned it (its moves
 * tell it; `refresh` asks Redis). A send counts it with the sender's local copies, so a sender whose
 * quota is full in Redis is refused here as one node would refuse it, instead of acked copies waiting
 * on this node for room in Redis that copies to users who stay away may never make.
 */
export interface RemoteHeld {
  held(from: string): Held | undefined;
  /** What `from` holds is read again from Redis (it may have gone down: its copies were taken in). */
  refresh(from: string): void;
  /** What `from` holds in `to`'s stream: its share of `to` there (copies `to`'s node refused included). */
  share(from: string, to: string): Held | undefined;
  /** ... read again from Redis. */
  refreshShare(from: string, to: string): void;
}

/** The per-sender side of the store's bounds. */
export class SenderQuotas {
  /** Per sender: stored copies, and payload bytes of its stored bodies (a body counts once). */
  private senders = new Map<string, Held>();
  /**
   * Per sender, per recipient: stored copies and their bytes (as the recipient's backlog counts them). A sender's one
   * recipient (a caller's callee: the common case, while a message is in flight) is one {@link Share}; a `Map` (32
   * bytes and a table of 152, made and dropped with each message before) only from a second recipient on.
   */
  private pairs = new Map<string, Share | Map<string, Held>>();

  constructor(
    private readonly limits: Pick<Limits, 'maxSenderStored' | 'maxSenderStoredBytes' | 'maxBacklogPerSender' | 'maxBacklogBytesPerSender'>,
    private readonly store: Pick<Store, 'senderBacklogs' | 'senderBodies'>,
    private readonly remote?: RemoteHeld,
  ) {
    this.reload();
  }

  /**
   * Refuses a message of `bytes` that would store up to `copies` copies beyond `from`'s quota (with
   * what it holds in Redis, unless `here`: a copy taken in from Redis is counted there already).
   */
  check(from: string, copies: number, bytes: number, here = false): Refusal | null {
    const local = this.senders.get(from) ?? { count: 0, bytes: 0 };
    const remote = here ? undefined : this.remote?.held(from);
    const count = local.count + (remote?.count ?? 0) + copies;
    if (count <= this.limits.maxSenderStored && local.bytes + (remote?.bytes ?? 0) + bytes <= this.limits.maxSenderStoredBytes) return null;
    if (remote) this.remote?.refresh(from); // refused on what it held in Redis: the next send sees what it holds now
    return refuse('quotaExceeded', 'you have as many messages waiting for their recipients as one user may', 'maxSenderStored');
  }

  /**
   * True when one more copy of `bytes` from `from` would take more than its share of `to`'s backlog
   * (with what it holds in `to`'s Redis stream, unless `here`, as {@link SenderQuotas.check}).
   */
  full(from: string, to: string, bytes: number, here = false): boolean {
    const held = this.share(from, to);
    const remote = here ? undefined : this.remote?.share(from, to);
    if (!held && !remote) return false;
    const count = (held?.count ?? 0) + (remote?.count ?? 0);
    if (count < this.limits.maxBacklogPerSender && (held?.bytes ?? 0) + (remote?.bytes ?? 0) + bytes <= this.limits.maxBacklogBytesPerSender) return false;
    if (remote) this.remote?.refreshShare(from, to); // refused on what it held in Redis: the next send sees what it holds now
    return true;
  }

  /** A copy from `from` to `to` is stored. */
  copy(from: string, to: string, bytes: number): void {
    this.addShare(from, to, 1, bytes);
    add(this.senders, from, 1, 0);
  }

  /** What `from` holds of `to`'s backlog here. */
  private share(from: string, to: string): Held | undefined {
    const shares = this.pairs.get(from);
    if (shares instanceof Map) return shares.get(to);
    return shares?.to === to ? shares : undefined;
  }

  /** Adds to `from`'s share of `to`'s backlog (as {@link add} does: forgotten once nothing is held). */
  private addShare(from: string, to: string, count: number, bytes: number): void {
    const shares = this.pairs.get(from);
    if (shares instanceof Map) {
      add(shares, to, count, bytes);
      if (shares.size === 0) this.pairs.delete(from);
    } else if (shares?.to === to) {
      shares.count += count;
      shares.bytes += bytes;
      if (shares.count <= 0 && shares.bytes <= 0) this.pairs.delete(from);
    } else if (count > 0 || bytes > 0) {
      if (shares === undefined) return void this.pairs.set(from, { to, count, bytes });
      const byTo = new Map<string, Held>([[shares.to, { count: shares.count, bytes: shares.bytes }]]);
      add(byTo, to, count, bytes);
      this.pairs.set(from, byTo);
    }
  }

  /** A body of `bytes` from `from` is stored (negative: it went with its last copy). */
  body(from: string, bytes: number): void {
    add(this.senders, from, 0, bytes);
  }

  /** A copy is confirmed (its row deleted). */
  confirmed(from: string, to: string, bytes: number): void {
    this.addShare(from, to, -1, -bytes);
    add(this.senders, from, -1, 0);
  }

  /** Reads every count again from the store. */
  reload(): void {
    this.senders = new Map();
    this.pairs = new Map();
    for (const row of this.store.senderBacklogs()) {
      this.addShare(row.from, row.to, row.count, row.bytes);
      add(this.senders, row.from, row.count, 0);
    }
    for (const row of this.store.senderBodies()) add(this.senders, row.from, 0, row.bytes);
  }
}

/** A sender's share of its one recipient's backlog (see `SenderQuotas.pairs`). */
interface Share extends Held {
  readonly to: string;
}

/** Adds to a count, forgetting it once nothing is held. */
function add(map: Map<string, Held>, key: string, count: number, bytes: number): void {
  const held = map.get(key) ?? { count: 0, bytes: 0 };
  held.count += count;
  held.bytes += bytes;
  if (held.count <= 0 && held.bytes <= 0) map.delete(key);
  else map.set(key, held);
}
