/**
 * What senders hold in the users' streams (`P:o:s:<sender>`, `P:o:b:<sender>`) and in one user's stream (their
 * share of it), as a node last learned it from its moves, its reads and the senders' logins: the store's
 * {@link RemoteHeld}, so that a send counts what its sender holds in Redis as well as here (`senders.ts`).
 */
import type { Held, RemoteHeld } from '../senders';
import type { MailboxHost } from './mailbox';

/** Senders (and sender-user pairs) whose holdings in Redis a node remembers at most. */
const HOLDINGS = 10_000;

export class StreamHoldings implements RemoteHeld {
  /** What senders hold in every stream, as the last move (or read) of theirs here saw it. */
  private readonly holdings = new Map<string, Held>();
  /** ... and in one user's stream (`<sender>\n<user>`): their share of it, copies its node refused included. */
  private readonly shares = new Map<string, Held>();
  private readonly reading = new Set<string>();

  constructor(private readonly host: Pick<MailboxHost, 'redis' | 'clock' | 'key' | 'lost'>) {}

  held(from: string): Held | undefined {
    return this.holdings.get(from);
  }

  refresh(from: string): void {
    const { redis, clock } = this.host;
    this.read(from, () => redis.hcHeld(this.host.key('o', `s:${from}`), this.host.key('o', `b:${from}`), clock.now()), ([count, bytes]) => this.hold(from, count, bytes));
  }

  share(from: string, to: string): Held | undefined {
    return this.shares.get(`${from}\n${to}`);
  }

  refreshShare(from: string, to: string): void {
    const { redis, clock } = this.host;
    const [inbox, counts, parked] = [this.host.key('i', to), this.host.key('q', to), this.host.key('p', to)];
    this.read(`${from}\n${to}`, () => redis.hcStreamShare(inbox, counts, parked, this.host.key('o', ''), to, clock.now(), from), (text) => {
      const [count, bytes] = text.split(' ').map(Number);
      this.holdShare(from, to, count ?? 0, bytes ?? 0);
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

  /** `from` holds `count` copies of `bytes` in the streams now (its move, a read, its login here). */
  hold(from: string, count: number, bytes: number): void {
    remember(this.holdings, from, count, bytes);
  }

  /** `from` holds `count` copies of `bytes` in `to`'s stream now (its move, a read). */
  holdShare(from: string, to: string, count: number, bytes: number): void {
    remember(this.shares, `${from}\n${to}`, count, bytes);
  }
}

/** Remembers a sender's count under `key` (none: forgotten); bounded, the oldest entry goes (its sender is then counted by its local copies alone until its next move). */
function remember(map: Map<string, Held>, key: string, count: number, bytes: number): void {
  map.delete(key);
  if (count > 0) map.set(key, { count, bytes });
  if (map.size > HOLDINGS) map.delete(map.keys().next().value as string);
}
