/**
 * The replicated state of a cluster (grants and groups): every node keeps all of it locally
 * (the single-node stores, so one set of rules decides everywhere), and Redis keeps, per grant
 * room and per group, the history of its changes, each stamped with a version from one counter
 * (`P:ver`). A change goes to Redis in one step (Lua): the version is taken, the change appended
 * to its history (`P:h:<kind>:<id>`) and published to every node, so the order of the histories,
 * of the versions and of the pub/sub frames is one order.
 *
 * A node starting, or back after losing Redis, subscribes first (buffering what arrives), then
 * reads every history and replays all of it in version order, then replays what it buffered
 * that is newer than the history it read for that room or group: nothing made before the read
 * is missed (it is in the history), nothing made after it is missed (it was buffered), and
 * nothing is applied twice. Changes this node made while Redis was unreachable are kept (up to
 * {@link MAX_UNSENT}) and sent when it is back, before it reads.
 *
 * Why histories and not the state itself: the state's rules (quotas, expiry, lingering rooms,
 * group invitations) live in `grants.ts` and `groups.ts`; replaying changes with their
 * timestamps reproduces the state with those same rules, so no second copy of them exists in
 * Lua. The histories stay bounded: a grant's is kept as long as the grant can live as its last
 * change left it, plus a margin (`ClusterGrants.historyTtl`: seconds for a room left on purpose,
 * the idle time for one left empty, two days while someone is in it), a deleted group's is cut to
 * its deletion (kept a week, for nodes away that long).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ServerClock } from '../options';
import { compareVersions, parseJson } from './frames';
import { type HistoryMode, type ReplicaCommands, TOMBSTONE_MS, replicaCommands } from './replicaScripts';

/** How long a grant's history outlives its last change when its sender says nothing else. */
const GRANT_HISTORY_MS = 2 * 86_400_000;
/** Changes kept while Redis is unreachable; older ones beyond are dropped (and logged). */
export const MAX_UNSENT = 10_000;
/** A read that failed (Redis went again) is tried again after this long. */
const RETRY_MS = 1000;
/**
 * A history longer than this is compacted: replaced by the few changes that make its room's
 * grant (`compacted()` in grants.ts) or its group (`compacted()` in groups.ts) as it stands, so
 * entering and leaving a room, or inviting and removing a member, in a loop cannot grow a Redis
 * list without bound, nor the read of a node that starts.
 */
export const COMPACT_AT = 64;

/**
 * Redis answered an error that a later try cannot change (a script error: the history key of another type, say), as
 * opposed to no answer (the change may have run: sent again) or a refusal that passes (memory full, a replica,
 * loading, busy: sent again until it is taken, since the other nodes must have it).
 */
export function refusedForGood(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return false;
  return !/^(OOM|BUSY|LOADING|READONLY|MASTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF|CLUSTERDOWN)\b/.test(error.message);
}

/** A change kept to be sent again: its history key, frame, TTL, how it sets its history, its sequence number, who hears a claim not taken. */
type Unsent = [string, string, number, HistoryMode, number, (() => void)?];

/** A replicated change as it travels: `t` says which store, `v` its version (absent until Redis stamps it). */
export interface Change {
  readonly t: 'grant' | 'group';
  readonly node: string;
  readonly op: string;
  readonly v?: number;
  readonly [field: string]: unknown;
}

export interface ReplicaDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly node: string;
  /** Times {@link Replica.caughtUp}'s wait. */
  readonly clock: ServerClock;
  /** Applies a change (this node's own, replayed from a history, or another node's). */
  apply(change: Change): void;
  lost(what: string, error: unknown): void;
  /** Counts a frame published to the other nodes. */
  published(): void;
  /** The changes that make a room's grant or a group as it stands here now (none: it is gone), and how long to keep them. */
  compacted?(t: Change['t'], id: number | string): { readonly entries: readonly Record<string, unknown>[]; readonly ttl: number };
  warn(message: string, fields: Record<string, unknown>): void;
  error?(message: string, fields: Record<string, unknown>): void;
  /** Counts a change Redis refused for good. */
  dropped?(): void;
}

/** The history key of a change (`null`: not a change of either store). */
function historyOf(prefix: string, c: Record<string, unknown>): string | null {
  if (c.t === 'grant' && typeof c.roomID === 'number') return grantHistoryKey(prefix, c.roomID);
  if (c.t !== 'group') return null;
  const id = groupIdOf(c);
  return id === null ? null : `${prefix}:h:g:${id}`;
}

/** The group a group change is about (`null`: none named). */
function groupIdOf(c: Record<string, unknown>): string | null {
  const group = c.group as { groupID?: unknown } | undefined;
  return typeof c.groupID === 'string' ? c.groupID : typeof group?.groupID === 'string' ? group.groupID : null;
}

/**
 * True when `node` applied `change` as it made it: its own, but for a change Redis made in order (`ordered`:
 * a room's vacate, `rooms.ts`), which every node applies as it hears it, its sender included.
 */
function applied(change: Change, node: string): boolean {
  return change.node === node && change.ordered !== true;
}

/** The history key of a room's grant. */
export const grantHistoryKey = (prefix: string, roomID: number): string => `${prefix}:h:r:${roomID}`;

/** Reads a change from text (a history entry or a frame): null when malformed. */
export function parseChange(text: string): Change | null {
  const c = parseJson(text) as Record<string, unknown> | null;
  if (!c || (c.t !== 'grant' && c.t !== 'group') || typeof c.node !== 'string' || typeof c.op !== 'string' || typeof c.v !== 'number') return null;
  return c as Change;
}

/** This node's side of the replicated state. */
export class Replica {
  /** Changes from other nodes that arrived while the histories were being read (null: not reading). */
  private buffer: Change[] | null = [];
  /** Changes Redis did not take (or took without this node hearing it), oldest first. */
  private readonly unsent: Unsent[] = [];
  /** Redis's change counter (`P:ver`): every change's version is taken from it. */
  private readonly version: string;
  /** This node's changes numbered in the order made, and those not answered yet (in that order: the oldest first). */
  private seq = 0;
  private readonly open = new Set<number>();
  /**
   * Where Redis keeps the numbers of this process's changes it ran (SHARE): one key per start of the node, kept a week
   * from its last change (a node away that long may still send its changes again), deleted when the node closes.
   */
  readonly ran: string;
  private readonly scripts: ReplicaCommands;
  /** Room histories to compact once this node has seen every change up to `v` (pub/sub keeps their order). */
  private readonly compactions = new Map<string, { readonly t: Change['t']; readonly id: number | string; readonly v: number }>();
  /** Reads done (the first replays everything). */
  private loads = 0;
  /**
   * The newest version this node has seen published (its own included). Pub/sub brings changes in
   * version order, so a node back from losing Redis missed exactly the changes newer than this.
   */
  private seen = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  /** The unsent changes sent again while the connection lives on ({@link flushSoon}). */
  private flushing: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** A failed try was logged, and no change was taken since. */
  private quiet = false;
  /** Reads run one after the other. */
  private loading: Promise<void> = Promise.resolve();
  /** SHAREs sent and not settled yet ({@link idle}). */
  private readonly out = new Set<Promise<unknown>>();
  /** Who waits for this node to have seen a version ({@link caughtUp}). */
  private readonly waiters = new Set<{ v: number; readonly done: () => void }>();

  constructor(private readonly deps: ReplicaDeps) {
    this.ran = `${deps.prefix}:ran:${deps.node}:${randomBytes(4).toString('hex')}`;
    this.version = `${deps.prefix}:ver`;
    this.scripts = replicaCommands(deps.redis);
  }

  /**
   * Sends a change this node made (already applied here, unless `ordered`) to Redis and every node. `grantTtl`:
   * how long a grant's history must be kept after it (see `ClusterGrants.historyTtl`). `claim`: a room's claim
   * ordered, which Redis takes only while the room has no history (SHARE's `c` mode, `replicaScripts.ts`); `claim.refused` is told when
   * it did not (not when the step failed: the claim waits for its bound then). Any change made `ordered` (applied
   * by its node as Redis orders it, not made yet) only lengthens its history's TTL.
   */
  send(change: Omit<Change, 'v'>, grantTtl = GRANT_HISTORY_MS, claim?: { refused(): void }): void {
    const key = historyOf(this.deps.prefix, change);
    if (key === null) return;
    const deleted = change.t === 'group' && change.op === 'delete';
    // Only a group's making keeps its history for good; its other changes leave a deletion's tombstone to expire.
    const member = change.t === 'group' && change.op !== 'create' && !deleted;
    const ttl = change.t === 'grant' ? Math.max(1, Math.ceil(grantTtl)) : deleted || member ? TOMBSTONE_MS : 0;
    const id = deleted ? null : change.t === 'grant' ? (change.roomID as number) : groupIdOf(change);
    const mode: HistoryMode = deleted ? '1' : member ? 'g' : claim ? 'c' : change.ordered === true ? 'k' : '0';
    this.push(key, JSON.stringify(change), ttl, mode, id === null ? null : { t: change.t as Change['t'], id }, claim?.refused);
  }

  /**
   * A room's history goes if it holds the change of version `v` alone (a claim this node sent in order and every
   * node refused: kept, it would keep the room ID from others' claims for its TTL). Best effort: not answered, the
   * history expires as it was.
   */
  forgetRefusedClaim(roomID: number, v: number): void {
    this.scripts.forgetClaim(grantHistoryKey(this.deps.prefix, roomID), v).catch((error: unknown) => this.deps.lost('forget a refused claim', error));
  }

  /** Redis is gone: changes that arrive from now on wait for the next {@link load}. */
  hold(): void {
    this.buffer ??= [];
  }

  /** A change another node published. */
  receive(change: Change): void {
    if (this.buffer) {
      if (!applied(change, this.deps.node)) this.buffer.push(change);
      return;
    }
    this.seen = Math.max(this.seen, change.v ?? 0);
    if (!applied(change, this.deps.node)) this.deps.apply(change); // its own: applied when made
    if (this.compactions.size > 0) this.compactSeen();
    if (this.waiters.size > 0) this.wake();
  }

  /**
   * Resolves once this node has applied every change Redis had made when it was asked (the `P:ver` it
   * read then), or `waitMs` of the node's clock after it was asked (its subscription may be gone: a read
   * comes then), or as soon as Redis fails to answer. Pub/sub brings changes in version order, so once
   * this node has seen that version it has applied every change before it.
   */
  caughtUp(waitMs: number): Promise<void> {
    const { redis, clock } = this.deps;
    return new Promise<void>((resolve) => {
      const waiter = {
        v: Number.POSITIVE_INFINITY,
        done: () => {
          this.waiters.delete(waiter);
          clock.clearTimeout(timer);
          resolve();
        },
      };
      const timer = clock.setTimeout(waiter.done, waitMs);
      this.waiters.add(waiter);
      redis.get(this.version).then((text) => {
        waiter.v = Number(text);
        if (!(waiter.v > this.seen) && !this.buffer) waiter.done();
      }, waiter.done);
    });
  }

  /** Lets go of those waiting for a version this node has seen now. */
  private wake(): void {
    if (this.buffer) return;
    for (const waiter of [...this.waiters]) if (waiter.v <= this.seen) waiter.done();
  }

  /** Compacts the room histories whose changes this node has all applied by now. */
  private compactSeen(): void {
    const { compacted, node } = this.deps;
    for (const [key, { t, id, v }] of this.compactions) {
      if (this.seen < v) continue;
      this.compactions.delete(key);
      if (!compacted) continue;
      let made: ReturnType<typeof compacted>;
      try {
        // Reads the group from the store: one failing its reads threw out of Redis's answer to a change (its
        // handler's promise held by nobody: an unhandled rejection). The history's next change tries again.
        made = compacted(t, id);
      } catch (error) {
        this.deps.warn('cluster: a history could not be compacted', { t, id, error: String(error) });
        continue;
      }
      const entries = made.entries.map((op) => JSON.stringify({ v, t, node, ...op }));
      this.scripts.compact(key, String(v), made.ttl, ...entries).catch((error: unknown) => this.deps.lost('compact', error));
    }
  }

  /**
   * Reads every history and replays it (at start, and when Redis is back): call with the
   * subscription already in place, so that what is published meanwhile is buffered.
   */
  load(): Promise<void> {
    this.hold();
    this.loading = this.loading.then(() => this.loadNow());
    return this.loading;
  }

  private async loadNow(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.stopped) return; // a node closing sends no change again (its `P:ran`, the resends' dedup, goes: `idle`)
    this.buffer ??= [];
    try {
      await this.flushUnsent();
      const { redis, prefix } = this.deps;
      // Every change up to this version is in the histories read below, or gone with its history (expired,
      // cut): once they are read, this node has seen it, though no history read holds that version any more.
      const made = Number(await redis.get(this.version)) || 0;
      const read = new Map<string, number>();
      const all: Change[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:h:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length === 0) continue;
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.lrange(key, 0, -1);
        const lists = (await pipeline.exec()) ?? [];
        keys.forEach((key, i) => {
          const [error, entries] = lists[i] ?? [null, []];
          if (error || !Array.isArray(entries)) return;
          for (const text of entries as string[]) {
            const change = parseChange(text);
            if (!change) continue;
            all.push(change);
            read.set(key, Math.max(read.get(key) ?? 0, change.v ?? 0));
          }
        });
      } while (cursor !== '0');
      all.sort(compareVersions);
      // The first read replays everything (a restarted node with a fixed --node-id may lack its
      // own last changes); a later one only what this node missed, never its own (applied here
      // when made: replaying them after newer ones would undo those).
      const first = this.loads === 0;
      const floor = first ? 0 : this.seen;
      for (const change of all) {
        if ((change.v ?? 0) > floor && (first || !applied(change, this.deps.node))) this.safely(change);
        this.seen = Math.max(this.seen, change.v ?? 0);
      }
      const buffered = this.buffer ?? [];
      this.buffer = null;
      for (const change of buffered) {
        const key = historyOf(prefix, change);
        if (key !== null && (change.v ?? 0) > (read.get(key) ?? 0)) this.safely(change);
        this.seen = Math.max(this.seen, change.v ?? 0);
      }
      this.seen = Math.max(this.seen, made);
      this.loads++;
      this.wake();
    } catch (error) {
      // Redis went again: read again soon; what arrived meanwhile stays buffered until then.
      this.deps.lost('replica load', error);
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.load(), RETRY_MS);
        this.retry.unref();
      }
    }
  }

  /**
   * Settles once nothing this node sent to Redis is out (SHAREs, a read or flush under way): after {@link stop}, no
   * change is sent again, so a node closing may then delete its `P:ran`. Deleted while a resend was on its way, the
   * resend missed its dedup there and ran again at a later version (a quit undoing a later invitation), and a SHARE
   * after the delete made the key again for a week (the review of the cluster after a week, 2026-12-06).
   */
  async idle(): Promise<void> {
    for (;;) {
      await this.loading;
      if (this.out.size === 0) return;
      await Promise.allSettled([...this.out]);
    }
  }

  /** True while a SHARE is out (not answered nor failed). */
  get sending(): boolean {
    return this.out.size > 0;
  }

  /** Shutting down: no more reading, and no change sent again. */
  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushing) clearTimeout(this.flushing);
    for (const waiter of [...this.waiters]) waiter.done();
  }

  private safely(change: Change): void {
    try {
      this.deps.apply(change);
    } catch (error) {
      this.deps.warn('cluster: a replicated change failed', { t: change.t, op: change.op, error: String(error) });
    }
  }

  private push(key: string, frame: string, ttl: number, mode: HistoryMode, subject: { readonly t: Change['t']; readonly id: number | string } | null, refused?: () => void): void {
    this.deps.published();
    const seq = ++this.seq;
    this.open.add(seq);
    this.sendShare(key, frame, ttl, mode, seq).then(([v, length]) => {
      if (v === -1) return refused?.();
      if (subject === null || v === 0 || length <= COMPACT_AT) return;
      this.compactions.set(key, { ...subject, v });
      if (!this.buffer) this.compactSeen(); // its publication may have come back before this reply
    }, (error: unknown) => {
      if (refusedForGood(error)) return this.drop(seq, frame, error);
      this.unsent.push([key, frame, ttl, mode, seq, refused]);
      if (this.unsent.length > MAX_UNSENT) this.open.delete((this.unsent.shift() as Unsent)[4]);
      this.failing(error);
      this.flushSoon();
    });
  }

  /**
   * A change Redis refused for good ({@link refusedForGood}): sent again it would fail the same way, each second for
   * ever, holding the floor of `P:ran` and the catch-up behind it. It stays on this node only (its replicas
   * disagree: the other nodes never have it); counted and logged as an error once, it goes.
   */
  private drop(seq: number, frame: string, error: unknown): void {
    this.open.delete(seq);
    const change = parseJson(frame) as Record<string, unknown> | null;
    this.deps.dropped?.();
    this.deps.error?.('cluster: Redis refused a replicated change for good: the other nodes will not have it', { t: change?.t, op: change?.op, error: error instanceof Error ? error.message : String(error) });
  }

  /** A try that failed: logged once until a change is taken again (a Redis away for minutes is not a line a second). */
  private failing(error: unknown): void {
    if (this.quiet) return;
    this.quiet = true;
    this.deps.lost('share', error);
  }

  /**
   * A change not answered while the connection lives on (past the command timeout: Redis runs it later, before
   * anything sent after it) is sent again {@link RETRY_MS} later, answered {0, 0} if it ran. Waiting for the
   * next loss of Redis to send it (as a catch-up's {@link load} does), it stayed unsent for good: the other
   * nodes never had it if it did not run, and each later SHARE named it as the oldest this node may still
   * send, so Redis kept the number of every change this node made after it. A connection down: the catch-up sends it.
   */
  private flushSoon(): void {
    if (this.flushing || this.stopped) return;
    this.flushing = setTimeout(() => {
      this.flushing = null;
      if (this.stopped || this.unsent.length === 0 || this.deps.redis.status !== 'ready') return;
      this.loading = this.loading
        .then(() => this.flushUnsent())
        .catch((error: unknown) => {
          this.failing(error);
          this.flushSoon();
        });
    }, RETRY_MS);
    this.flushing.unref();
  }

  /** One try at sending change `seq`; answered, it is no longer open ({0, 0}: Redis had run it already). */
  private async sendShare(key: string, frame: string, ttl: number, mode: HistoryMode, seq: number): Promise<[number, number]> {
    const floor = this.open.values().next().value ?? seq;
    const sent = this.scripts.share(key, this.version, this.ran, frame, ttl, mode, `${this.deps.prefix}:all`, seq, floor);
    this.out.add(sent);
    const answer = await sent.finally(() => this.out.delete(sent));
    this.open.delete(seq);
    this.quiet = false;
    return answer;
  }

  /**
   * Sends, in order, the changes made while Redis was unreachable. Each leaves the list once answered, itself: a
   * change failing meanwhile past {@link MAX_UNSENT} drops the oldest, which may be the one on its way.
   */
  private async flushUnsent(): Promise<void> {
    while (this.unsent.length > 0 && !this.stopped) {
      const entry = this.unsent[0] as Unsent;
      const [key, frame, ttl, mode, seq, refused] = entry;
      const answer = await this.sendShare(key, frame, ttl, mode, seq).catch((error: unknown) => {
        if (!refusedForGood(error)) throw error; // the next flush, or catch-up, sends it again
        this.drop(seq, frame, error); // the changes behind it go on
      });
      const at = this.unsent.indexOf(entry);
      if (at >= 0) this.unsent.splice(at, 1);
      if (answer?.[0] === -1) refused?.();
    }
  }
}
