/**
 * What senders hold in the users' streams (`P:o:s:<sender>`, `P:o:b:<sender>`) and in one user's stream (their
 * share of it), as a node last learned it from its moves, its reads and the senders' logins: the store's
 * {@link RemoteHeld}, so that a send counts what its sender holds in Redis as well as here (`senders.ts`).
 * Only a send from a session here reads it (a copy taken in from a stream is counted there already), so a
 * sender's entries go with its session here ({@link StreamHoldings.forget}), and a move or read that ends after
 * that remembers nothing: the next login's lookup seeds its total again (`node.ts`, PREPARE), kept once that login
 * made its session (`loggedIn`: a login that made none left an entry nothing forgot). Kept for every
 * sender ever seen, up to the bound, a node held 2 x 10,000 entries of senders long gone (the week test, 2026-12-06).
 */
import type { Held, RemoteHeld } from '../senders';
import type { MailboxHost } from './mailbox';

/** Senders (and sender-user pairs) whose holdings in Redis a node remembers at most. */
const HOLDINGS = 10_000;

export class StreamHoldings implements RemoteHeld {
  /** What senders hold in every stream, as the last move (or read) of theirs here saw it. */
  private readonly holdings = new Map<string, Held>();
  /** ... and in one user's stream, by sender, then user: their share of it, copies its node refused included. */
  private readonly shares = new Map<string, Map<string, Held>>();
  /** The sender-user pairs in {@link shares}. */
  private pairs = 0;
  private readonly reading = new Set<string>();

  constructor(
    private readonly host: Pick<MailboxHost, 'redis' | 'clock' | 'key' | 'lost'>,
    /** True while `user` has a session on this node (only then are its holdings read). */
    private readonly here: (user: string) => boolean,
  ) {}

  /** Entries kept (metrics: they go with their senders' sessions here). */
  get size(): number {
    return this.holdings.size + this.pairs;
  }

  held(from: string): Held | undefined {
    return this.holdings.get(from);
  }

  refresh(from: string): void {
    const { redis, clock } = this.host;
    this.read(from, () => redis.hcHeld(this.host.key('o', `s:${from}`), this.host.key('o', `b:${from}`), clock.now()), ([count, bytes]) => this.moved(from, count, bytes));
  }

  share(from: string, to: string): Held | undefined {
    return this.shares.get(from)?.get(to);
  }

  refreshShare(from: string, to: string): void {
    const { redis, clock } = this.host;
    const [inbox, counts, parked] = [this.host.key('i', to), this.host.key('q', to), this.host.key('p', to)];
    this.read(`${from}\n${to}`, () => redis.hcStreamShare(inbox, counts, parked, this.host.key('o', ''), to, clock.now(), from), (text) => {
      const [count, bytes] = text.split(' ').map(Number);
      this.movedShare(from, to, count ?? 0, bytes ?? 0);
    });
  }

  /** Reads what `what` holds in Redis (one read at a time per key), then `got` it. */
  private read<T>(key: string, what: () => Promise<T>, got: (value: T) => void): void {
    if (this.reading.has(key)) return;
    this.reading.add(key);
    what()
      .then(got)
      .catch((error: unknown) => this.host.lost('reading a sender\'s holdings', error))
      .finally(() => this.reading.delete(key));
  }

  /** `from` holds `count` copies of `bytes` in the streams now (its login here: its session is on its way). */
  hold(from: string, count: number, bytes: number): void {
    this.holdings.delete(from);
    if (count > 0) this.holdings.set(from, { count, bytes });
    if (this.holdings.size > HOLDINGS) this.holdings.delete(this.holdings.keys().next().value as string);
  }

  /** As {@link hold}, learned from a move or a read: kept only while `from` has a session here. */
  moved(from: string, count: number, bytes: number): void {
    if (this.here(from)) this.hold(from, count, bytes);
    else this.holdings.delete(from);
  }

  /** `from` holds `count` copies of `bytes` in `to`'s stream now (its move, a read): kept only while `from` has a session here. */
  movedShare(from: string, to: string, count: number, bytes: number): void {
    const byTo = this.shares.get(from);
    if (byTo?.delete(to)) this.pairs--;
    if (count > 0 && this.here(from)) {
      this.shares.delete(from); // the newest sender last: the oldest goes first past the bound
      this.shares.set(from, (byTo ?? new Map<string, Held>()).set(to, { count, bytes }));
      this.pairs++;
    } else if (byTo?.size === 0) this.shares.delete(from);
    while (this.pairs > HOLDINGS) this.evictShare();
  }

  /** `from` has no session here now: what it holds is learned again at its next login here, and its next moves. */
  forget(from: string): void {
    this.holdings.delete(from);
    this.pairs -= this.shares.get(from)?.size ?? 0;
    this.shares.delete(from);
  }

  /** The oldest sender's oldest pair goes (its sender is then counted by its local copies alone there until its next move). */
  private evictShare(): void {
    const [from, byTo] = this.shares.entries().next().value as [string, Map<string, Held>];
    byTo.delete(byTo.keys().next().value as string);
    this.pairs--;
    if (byTo.size === 0) this.shares.delete(from);
  }
}
