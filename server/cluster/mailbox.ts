/**
 * The offline store's moves between a node's SQLite and the users' Redis streams (`P:i:<user>`):
 * copies for a user held elsewhere (or nowhere) go out to its stream; copies in the stream of a
 * user held here come in, are committed, delivered, and only then deleted from the stream. The
 * moves of one user run one after another, never interleaved.
 *
 * A copy for a user with no session on the sending node is committed to that node's SQLite first, or held
 * by its write-behind and moved from memory, never written (`outbox.ts`; the ack waits for either, and for
 * the move), then moved to the stream, which tells the user's node;
 * that node (or the next one the user logs in to) moves it into its own SQLite, deletes it from the
 * stream, and delivers it. Each step deletes only after the next holds it, so a lost node loses
 * nothing it acked (its SQLite file keeps what was not moved yet) and at worst a copy comes twice,
 * with one id. A stream takes copies only within the store's quotas, counted in Redis (`scripts.ts`,
 * DELIVER); what it refuses waits in the sending node's SQLite, counted there, and the user's node
 * takes copies in only within its own store's quotas; the copies it refuses for their senders' sake
 * are parked (`P:p:<user>`): out of the user's own count, still its senders'.
 */
import type { TurnCommit } from '../commit';
import type { Hub } from '../hub';
import type { Limits } from '../limits';
import type { ServerClock } from '../options';
import type { Store } from '../store';
import { Backoff } from './backoff';
import { StreamHoldings } from './holdings';
import { compareIds, parseTravelling, type Travelling } from './frames';
import { movedOut, outPage } from './outbox';
import { RecountPace } from './recountPace';
import type { Scripted } from './scripts';

/** Messages moved from a stream per round trip. */
const PAGE = 64;

/** What the mailbox needs of its node. */
export interface MailboxHost {
  readonly redis: Scripted;
  /** The prefix of the nodes' channels (`P:n:`). */
  readonly channel: string;
  readonly clock: ServerClock;
  /** The store's bounds, which the streams keep too (`scripts.ts`, DELIVER). */
  readonly limits: Limits;
  readonly counts: { forwarded: number; drained: number; parked: number; recounts: number; recountsOff: number; published: number };
  key(kind: string, id: string): string;
  lost(what: string, error: unknown): void;
}

export class StreamMailbox {
  private hub: Hub | null = null;
  private store: Store | null = null;
  private commit: TurnCommit | null = null;
  private readonly chains = new Map<string, Promise<void>>();
  /**
   * The last stream entry taken in per user held here (entries at or before it are never taken
   * twice). Forgotten when its session here ends ({@link forget}): the next session's first
   * take-in reads the stream itself, which holds exactly what nobody took in yet.
   */
  private readonly lastIn = new Map<string, string>();
  /**
   * Per user held here: the stream entries this node parked (or found parked), so that a take-in that
   * reads them again (the back-off's retry does while entries stay) does not ask Redis to park them again.
   */
  private readonly parkedIn = new Map<string, Set<string>>();
  /**
   * Per user held here: stream entries in this node's store whose delete (hcTaken) failed: it may not have run (a
   * command in flight when the connection dies is not sent again). Never taken in again; deleted with the next take-in.
   */
  private readonly untaken = new Map<string, Set<string>>();
  /** The store counted again after copies moved, paced by what a recount costs (`recountPace.ts`). */
  private readonly recounts: RecountPace;
  /**
   * Users whose stream refused copies of this node (a sender's share of it, or the user's, is
   * full): the copies wait in this node's store, still counted in their senders' quotas here, and
   * are offered again until they all moved (or the user is held here).
   */
  private readonly stranded: Backoff;
  /**
   * Per user in {@link stranded}: whom its stream refused at the last offer (their senders, or `all` once the user's
   * own cap was reached). Until the back-off's try, a move offers none of their copies again: every message routed to
   * the user (a ping of a few bytes) would send them all to Redis again, payloads included, to be refused again.
   */
  private readonly refusedOut = new Map<string, Set<string> | 'all'>();
  /**
   * Users held here whose stream keeps copies this store's bounds refused (their sender's share
   * here is full): taken in again later, from the stream's start; their position is forgotten meanwhile.
   */
  private readonly behind: Backoff;
  /**
   * Per user in {@link behind}: the senders the last read of the stream refused (and why), and the newest entry it
   * read. Until the back-off's try, a notice takes in only what it announces past that entry, those senders still
   * refused: read from its start at each notice, a stream holding a sender's parked copies was read whole, payloads
   * included, for every message anyone sent the user (a ping of a few bytes too).
   */
  private readonly refusedIn = new Map<string, { readonly senders: Map<string, 'sender' | 'store'>; seen: string }>();
  /**
   * The subscription was lost and {@link resync} has not been called since: notices published meanwhile are lost, so a
   * notice heard before the resync reads the stream instead (taken in alone, its copy overtook its sender's earlier
   * ones whose notices were lost, which the resync brought after it: the catch-up takes round trips before it).
   */
  private unsynced = false;

  /** What senders hold in the streams, as this node last learned it: the store's {@link RemoteHeld}. */
  readonly holdings: StreamHoldings;

  constructor(private readonly host: MailboxHost) {
    this.holdings = new StreamHoldings(host, (user) => this.hub?.session(user) !== undefined);
    this.stranded = new Backoff(host.clock, (user) => void this.forward(user));
    this.behind = new Backoff(host.clock, (user) => void this.drain(user));
    this.recounts = new RecountPace(host.clock, (ran) => this.recount(ran));
  }

  /** Binds the mailbox to its server's hub, store and commit (once they exist). */
  attach(hub: Hub, store: Store, commit: TurnCommit): void {
    this.hub = hub;
    this.store = store;
    this.commit = commit;
  }

  /**
   * `user` has no session here: what this node stores for it goes to its stream (`closing`: even if it has), but
   * for the copies of the senders its stream refused while their retry is due ({@link refusedOut}).
   */
  forward(user: string, closing = false): Promise<void> {
    return this.chain(user, () => this.forwardNow(user, closing));
  }

  /** A node shutting down: what it stores for `user` goes to its stream whatever the quotas; false when Redis failed it. */
  async moveAway(user: string): Promise<boolean> {
    let moved = false;
    await this.chain(user, async () => {
      await this.forwardNow(user, true);
      moved = true;
    });
    return moved;
  }

  /** What waits in `user`'s stream comes in (`user` is held here). */
  drain(user: string): Promise<void> {
    return this.chain(user, () => this.drainNow(user));
  }

  /**
   * `user` logged in here: what waits in its stream comes in, unless a take-in is due already (the back-off of
   * {@link behind}: what stays there was refused by this node, for this user, and a login changes nothing of that).
   * Read again at each login, a user whose copies this node refuses would have it read her whole stream, payloads
   * included, for each login frame. A user this node forgot (its session here ended, {@link forget}) has none due.
   */
  loggedIn(user: string): Promise<void> {
    return this.chain(user, () => (this.behind.pending(user) ? Promise.resolve() : this.drainNow(user)));
  }

  /**
   * Stream entries another node announced for `user` (taken in only if it is held here). With no
   * position known for the user (its first take-in here since its session began), the stream is
   * read instead: an announcement may be older than a take-in that already deleted its entries. But while the
   * take-in's back-off is due ({@link refusedIn}), only the entries no read has seen are taken, as that read left them.
   */
  takeIn(user: string, entries: readonly (readonly [string, string | undefined])[]): Promise<void> {
    if (this.unsynced) {
      return this.chain(user, () => {
        this.lastIn.delete(user);
        return this.drainNow(user);
      });
    }
    return this.chain(user, async () => {
      if (this.lastIn.has(user)) return void (await this.takeInNow(user, entries));
      const refused = this.behind.pending(user) ? this.refusedIn.get(user) : undefined;
      if (!refused) return this.drainNow(user);
      // The back-off's try reads the stream again: meanwhile only what no read has seen comes in.
      const fresh = entries.filter(([id]) => compareIds(id, refused.seen) > 0);
      if (fresh.length === 0) return;
      refused.seen = (fresh[fresh.length - 1] as readonly [string, unknown])[0];
      // Not stored (its commit failed): a later copy of these senders must not overtake them, so notices read again.
      if ((await this.takeInNow(user, fresh, true, refused.senders)) === 'failed') this.refusedIn.delete(user);
    });
  }

  /**
   * Notices may have been lost (the subscription was down): every position is forgotten and each
   * user's stream read again from its start, so nothing published meanwhile is skipped; the copies
   * stranded here while Redis was away are offered again at once.
   */
  resync(): void {
    this.unsynced = false; // a notice heard from now on is taken in after the reads below
    this.stranded.due();
    for (const user of new Set([...(this.hub?.heldUsers() ?? []), ...this.lastIn.keys()])) {
      void this.chain(user, () => {
        this.lastIn.delete(user);
        return this.drainNow(user);
      });
    }
  }

  /** The subscription is gone: until the next {@link resync}, a notice reads its user's stream (notices were lost). */
  unsubscribed(): void {
    this.unsynced = true;
  }

  /** `user` has no session here now: its position in its stream, and what it holds as a sender, are forgotten (after the moves under way). */
  forget(user: string): Promise<void> {
    return this.chain(user, async () => {
      if (this.hub?.session(user)) return;
      // As a sender (read only for sends from a session here): before the await below, which a login of the user here
      // may end meanwhile, its PREPARE's total kept (`node.ts`, loggedIn); forgotten after it, its quota lost that total.
      this.holdings.forget(user);
      const untaken = [...(this.untaken.get(user) ?? [])];
      this.untaken.delete(user); // one last try: the user's next node would take them in again
      if (untaken.length > 0) await this.taken(user, untaken).catch((error: unknown) => this.host.lost('taken', error));
      this.lastIn.delete(user);
      this.parkedIn.delete(user);
      this.refusedIn.delete(user);
      this.behind.done(user);
    });
  }

  /** Per-user entries this node keeps (metrics: they must not outlive the users' sessions here). */
  get users(): number {
    return Math.max(this.lastIn.size, this.parkedIn.size, this.untaken.size, this.refusedIn.size);
  }

  /** Resolves when every move under way has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Users whose moves are under way (metrics, tests). */
  get moving(): number {
    return this.chains.size;
  }

  /** Users with copies here that their stream refused (metrics, tests). */
  get strandedUsers(): number {
    return this.stranded.size;
  }

  stop(): void {
    this.recounts.stop();
    this.stranded.stop();
    this.refusedOut.clear();
    this.behind.stop();
  }

  /** Runs `step` after the user's earlier moves (forward and drain never interleave for one user). */
  private chain(user: string, step: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(user) ?? Promise.resolve())
      .then(step)
      .catch((error: unknown) => this.host.lost(`moving messages of ${user}`, error));
    this.chains.set(user, next);
    void next.then(() => {
      if (this.chains.get(user) === next) this.chains.delete(user);
    });
    return next;
  }

  private async forwardNow(user: string, closing: boolean): Promise<void> {
    const commit = this.commit;
    // What this node wrote for the user and has not committed yet is read with the rest: copies
    // written as the user's session here ended (a takeover), say; and held copies whose turn it is.
    if (commit) await new Promise<void>((committed) => commit.after(committed));
    let left = true;
    try {
      left = await this.forwardPages(user, closing);
    } finally {
      // Held copies for the user that stay here (refused, Redis failed): written now, their acks waiting for it (`outbox.ts`).
      if (left) this.hub?.mailer.writeBehind.flushTo(user);
      // The next move of this user reads the store: the copies moved must be gone from it by then.
      if (commit) await new Promise<void>((committed) => commit.after(committed));
    }
  }

  /** Moves `user`'s copies out; true when some stay here (refused by its stream). */
  private async forwardPages(user: string, closing: boolean): Promise<boolean> {
    const { store, commit, hub, host } = this;
    if (!store || !commit || !hub) return false;
    if (!closing && hub.session(user)) return this.unstranded(user); // it is here: delivered from here
    // Refused at the last offer, a retry due: those senders' copies (every copy, past the user's cap) wait for it.
    const before = closing || !this.stranded.pending(user) ? undefined : this.refusedOut.get(user);
    if (before === 'all') return true;
    const { maxBacklog, maxBacklogBytes, maxBacklogPerSender, maxBacklogBytesPerSender, maxSenderStored, maxSenderStoredBytes } = host.limits;
    // A node going away leaves nothing behind (its disk may go with it): its copies, counted in its own
    // quotas until now, move whatever the streams hold (the overshoot is at most that node's quotas).
    const caps = closing ? Array<number>(6).fill(Number.MAX_SAFE_INTEGER) : [maxBacklog, maxBacklogBytes, maxBacklogPerSender, maxBacklogBytesPerSender, maxSenderStored, maxSenderStoredBytes];
    // Senders a copy of whom the stream refused: their later copies stay too (their order holds).
    const blocked = new Set<string>(before);
    let after = 0;
    let refused = false;
    let capped = false;
    for (;;) {
      const now = host.clock.now();
      const page = outPage(store, hub.mailer, user, after, now, PAGE);
      if (page.length === 0) break;
      after = (page[page.length - 1] as { delivery: number }).delivery;
      const offered = page.filter((c) => !blocked.has(c.from));
      const entries = offered.flatMap((c) => [
        JSON.stringify({ msgID: c.msgID, from: c.from, groupID: c.groupID, payload: c.payload, sentAt: c.sentAt, expiresAt: c.expiresAt, call: c.call } satisfies Travelling),
        c.from,
        c.bytes,
        c.expiresAt,
      ]);
      const ttl = Math.max(1, Math.max(...page.map((c) => c.expiresAt)) - now);
      let flags: (number | string)[] = [0];
      try {
        if (offered.length > 0) flags = await host.redis.hcDeliver(host.key('i', user), host.key('d', user), host.key('q', user), host.key('p', user), ttl, host.channel, user, now, host.key('o', ''), ...caps, ...entries);
      } catch (error) {
        if (!closing) this.stranded.later(user); // Redis did not answer: offered again later, as a refusal is
        throw error;
      }
      for (let i = offered.length + 1; i + 4 < flags.length; i += 5) {
        const from = String(flags[i]);
        this.holdings.moved(from, Number(flags[i + 1]), Number(flags[i + 2]));
        this.holdings.movedShare(from, user, Number(flags[i + 3]), Number(flags[i + 4]));
      }
      const moved = offered.filter((c, i) => flags[i] === 1 || (blocked.add(c.from), false));
      if (moved.length < page.length) refused = true;
      if (moved.length > 0) {
        host.counts.forwarded += moved.length;
        host.counts.published++;
        // In Redis now (counted there: its holdings above): the local copies go, held ones from memory, stored ones with the
        // turn's commit, and count no more here as they go, a body once its last copy went (`outbox.ts`). Uncounted at once
        // whatever the delete found, before 2026-12-06 night, a raced copy left its sender one past its quota until a recount.
        movedOut(store, commit, hub.mailer, user, moved);
        this.recountSoon();
      }
      if (!closing && hub.session(user)) return this.unstranded(user);
      // The user's own cap is reached (the last flag): nothing more moves now.
      capped = flags[offered.length] === 1;
      if (page.length < PAGE || capped) break;
    }
    if (!refused || closing) return this.unstranded(user);
    this.stranded.later(user);
    this.refusedOut.set(user, capped ? 'all' : blocked);
    return true;
  }

  /** No copy for `user` waits here refused (or it is held here): no retry. False: none stays. */
  private unstranded(user: string): false {
    this.stranded.done(user);
    this.refusedOut.delete(user);
    return false;
  }

  /** Takes in what the user's stream holds, page by page from its start. */
  private async drainNow(user: string): Promise<void> {
    let start = '-';
    let left = false;
    // The senders refused in this read, over its pages: a later copy of one never overtakes its refused ones.
    const senders = new Map<string, 'sender' | 'store'>();
    this.refusedIn.delete(user);
    for (;;) {
      if (!this.hub?.session(user)) return;
      const entries = await this.host.redis.xrange(this.host.key('i', user), start, '+', 'COUNT', PAGE);
      const took: 'all' | 'left' | 'failed' = entries.length > 0 ? await this.takeInNow(user, entries.map(([id, fields]) => [id, fields[1]]), left, senders) : 'all';
      // Its commit failed: nothing after it is read now (the retry starts from the stream's start).
      if (took === 'failed') return;
      left ||= took === 'left';
      if (entries.length > 0) start = `(${(entries[entries.length - 1] as [string, unknown])[0]}`;
      if (entries.length < PAGE) break;
    }
    if (!left) return this.behind.done(user);
    if (start !== '-' && this.hub?.session(user)) this.refusedIn.set(user, { senders, seen: start.slice(1) });
  }

  /**
   * Takes stream entries of `user` (held here) into this node's store, as far as its bounds admit
   * them (`StoredCounts.admit`: a sender's share of the recipient, its own, the recipient's): committed,
   * then delivered, then deleted from the stream. A sender's copy refused stays in the stream, and so
   * do its later ones (their order holds); the others come in. Not held here: they all stay.
   * Answers `left` when some stayed (`behind`: entries stayed before these, so no position is kept), `failed`
   * when the commit failed (all stay; taken in again shortly).
   */
  private async takeInNow(
    user: string,
    entries: readonly (readonly [string, string | undefined])[],
    behind = false,
    blocked = new Map<string, 'sender' | 'store'>(),
  ): Promise<'all' | 'left' | 'failed'> {
    const { store, commit, hub } = this;
    const session = hub?.session(user);
    if (!store || !commit || !hub || !session) return 'all';
    const last = this.lastIn.get(user);
    const fresh = entries.filter(([id]) => last === undefined || compareIds(id, last) > 0);
    if (fresh.length === 0) return 'all';
    const now = this.host.clock.now();
    const rows: { body: Travelling & { id: number }; delivery: number }[] = [];
    const taken: string[] = [];
    // Per sender refused (`blocked`, those of the pages before included): why (its later copies stay too, so that its order holds).
    // Refused for their senders' sake: parked, out of the user's own count in Redis (scripts.ts, PARK).
    const parked: string[] = [];
    const untaken = this.untaken.get(user);
    for (const [id, text] of fresh) {
      if (untaken?.has(id)) continue; // in the store already: deleted below
      const m = parseTravelling(text);
      if (m && m.expiresAt > now) {
        const refused = blocked.get(m.from) ?? hub.mailer.counts.admit(m.from, user, Buffer.byteLength(m.payload));
        if (refused !== null) {
          blocked.set(m.from, refused);
          if (refused === 'sender') parked.push(id);
          continue;
        }
        rows.push({ body: { ...m, id: store.bodyID() }, delivery: store.deliveryID() });
      }
      taken.push(id);
    }
    // Entries that stayed: the next take-in reads the stream from its start (a position past them would skip them).
    if (blocked.size > 0 || behind) this.lastIn.delete(user);
    else this.lastIn.set(user, (fresh[fresh.length - 1] as readonly [string, unknown])[0]);
    if (blocked.size > 0) this.behind.later(user);
    commit.write(() => {
      for (const r of rows) {
        store.insertBody(r.body);
        store.insertDelivery(r.delivery, user, r.body.id);
      }
    });
    this.recountSoon();
    this.host.counts.drained += rows.length;
    session.backlog = true;
    hub.mailer.pump(session); // after the commit, as every delivery
    if (!(await new Promise<boolean>((done) => commit.after(() => done(true), () => done(false))))) {
      // Not stored here: they stay in the stream (an acked copy is never in neither), taken in again shortly.
      // Its position forgotten: a notice before the retry reads the stream from its start (taken in
      // alone, it would move the position past these entries for good).
      this.lastIn.delete(user);
      this.behind.later(user); // a store that keeps failing is tried each time later (up to 30 s)
      return 'failed';
    }
    const { redis } = this.host;
    const [inbox, counts, parkedKey] = [this.host.key('i', user), this.host.key('q', user), this.host.key('p', user)];
    const known = this.parkedIn.get(user) ?? new Set<string>();
    // With those whose delete failed before (an id deleted already counts nothing).
    const deleting = [...taken, ...(untaken ?? [])];
    if (deleting.length > 0) {
      try {
        await this.taken(user, deleting);
        this.untaken.delete(user);
      } catch (error) {
        if (hub.session(user)) this.untaken.set(user, new Set(deleting));
        throw error;
      }
    }
    for (const id of taken) known.delete(id);
    const toPark = parked.filter((id) => !known.has(id));
    if (toPark.length > 0) await redis.hcPark(inbox, counts, parkedKey, ...toPark);
    this.host.counts.parked += toPark.length;
    for (const id of toPark) known.add(id);
    if (known.size > 0 && hub.session(user)) this.parkedIn.set(user, known);
    else this.parkedIn.delete(user);
    return blocked.size === 0 ? 'all' : 'left';
  }

  /** Deletes entries of `user`'s stream taken into this store (and their counts). */
  private taken(user: string, ids: readonly string[]): Promise<number> {
    const { redis, key } = this.host;
    return redis.hcTaken(key('i', user), key('q', user), key('p', user), key('o', ''), user, ...ids);
  }

  /** Copies moved in or out: the store is counted again, as `recountPace.ts` paces it. */
  private recountSoon(): void {
    this.recounts.soon();
  }

  /** Counts the store again once the turn's writes are committed; tells `ran` the copies it counted. */
  private recount(ran: (copies: number) => void): void {
    // With no commit under way the count runs here, in the timer: a store failing its reads (an I/O error)
    // threw out of it, and ended the process. The next move counts again.
    try {
      this.commit?.after(() => {
        const mailer = this.hub?.mailer;
        if (!mailer) return;
        this.host.counts.recounts++;
        const [copies, off] = mailer.recount();
        if (off) this.host.counts.recountsOff++; // a drift the moves' own counting missed: none is known (`recountPace.ts`)
        ran(copies);
      });
    } catch (error) {
      this.host.lost('recount', error);
    }
  }
}
