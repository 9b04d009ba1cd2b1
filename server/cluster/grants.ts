/**
 * Room grants in a cluster: every node keeps the whole grant table (the single-node
 * {@link SqliteRoomGrants}, so its rules are the same rules), and every change one node makes is
 * replayed, with the same arguments and the same timestamp, on every other node through the
 * service's broadcast channel. A decision (`allows`) is then a local read, synchronous as the
 * hub needs it. Redis orders the changes (their versions), but a node applies its own at once and
 * another's as it hears it, each through the local checks: changes that commute (invitations adding
 * users, entries) converge once every node has heard them; a room's vacate is decided in Redis and applied
 * in its order everywhere (`vacatedInOrder`, `rooms.ts`). So is a room's first holder (the review of 2026-12-04
 * found two claims of one free room ID made on two nodes within a pub/sub hop both acked, each node keeping its
 * own): a claim, or an invitation carrying a room ID, that finds no grant of its room here goes to Redis as an
 * ordered change (`inOrder`). Redis takes it only while the room's history is absent or names the claimer as its
 * owner (SHARE's `c:` mode, `replica.ts`): a history outlives its grant, so another user's claim is refused while
 * any node may still hold the grant, an owner's renewal on its way included (the review of 2026-12-06). What Redis
 * takes every node, its maker included, applies in Redis's order, through the same `claim`. The request and the
 * connection's frames behind it (the SDK writes the enter and the invitation right behind its claim) wait until
 * the maker has applied it, or, not taken, has heard what Redis had, and are handled again then: taken, the
 * claim's outcome is every node's; not taken, the room is decided here as it now stands (a member's claim passes),
 * refused `roomInUse` if no grant of it is here. Redis away, a node decides alone as before (a blip keeps calls going).
 * Known limits of a bound (the review of 2026-12-05): the room's bounds are checked where an invitation is made, the
 * owner's share not again on replay (`replayed`), so two members who are not its owner inviting at once on
 * two nodes can fill every place together; `maxRoomUsers` is checked on replay, so three invitations racing
 * on three nodes can leave nodes admitting different invitees (as `groups.ts`'s member cap, passed by joins at
 * once). Deciding them needs the bound decided in Redis's order before the ack: each invitation adding users
 * goes to SHARE as an ordered change (as a vacate is: every node, its maker included, applies it as Redis
 * orders it), SHARE checks the room's size and owner as its history makes them (the owner in its first
 * entry) and records the change only within the bound, answering a refusal otherwise; the invitation's copies
 * and ack wait for that answer (and for the maker to have seen the change's version), and the replays skip
 * the bounds Redis decided. A refusal is then final and an ack never undone.
 */
import { DELIBERATE_LINGER_MS, type GrantState, type RoomGrants } from '../grants';
import type { ServerClock } from '../options';
import { type Deferral, type Refusal, refuse } from '../refusal';

/**
 * How long a grant's history outlives the grant as its last change left it: the nodes' clocks
 * (which stamp and judge the changes) and Redis's (which expires the history) differ a little.
 */
export const HISTORY_MARGIN_MS = 10_000;
/**
 * The history of a room someone is in: the grant lives as long as they stay (a room's members
 * refresh it with each change; see `replica.ts`).
 */
export const OCCUPIED_HISTORY_MS = 2 * 86_400_000;
/**
 * How long a claim ordered in Redis is waited for (its connection's next frames behind it) before it is answered
 * `unavailable`: Redis's command timeout (`scripts.ts`).
 */
export const CLAIM_WAIT_MS = 2000;
/**
 * How long an ordered claim is kept for its request to hear the outcome (handled again as soon as it is applied,
 * unless its connection closed; a resend after the outcome went reads the grant as it stands).
 */
const OUTCOME_KEPT_MS = 5 * CLAIM_WAIT_MS;

/** One replicated change. */
export type GrantOp =
  /** `ordered`: a room's first holder, decided in Redis's order (`token`: which of its maker's claims). */
  | { readonly op: 'claim'; readonly user: string; readonly roomID: number; readonly now: number; readonly ordered?: true; readonly token?: string }
  | {
      readonly op: 'grant';
      readonly user: string;
      readonly roomID: number;
      readonly users: readonly string[];
      readonly until: number;
      readonly now: number;
      /** The IM group the call was made through (its members may join it), if any. */
      readonly groupID?: string;
    }
  /** `ordered`: into a room its node held no grant of, applied by every node in Redis's order. */
  | { readonly op: 'admit'; readonly roomID: number; readonly users: readonly string[]; readonly now: number; readonly ordered?: true }
  /** `user`: who entered (the owner's entry makes a lingering room count again; absent in older histories: nobody's). */
  | { readonly op: 'occupied'; readonly roomID: number; readonly user?: string }
  /**
   * `ordered`: recorded by Redis in the step of the leave that emptied the room's hash (see `ClusterRooms`),
   * so applied by every node in the order Redis gave it, the node that sent it included.
   */
  | { readonly op: 'vacated'; readonly roomID: number; readonly now: number; readonly deliberate: boolean; readonly ordered?: boolean }
  /** A compacted history: the grant as it stood (see {@link compacted}). */
  | { readonly op: 'restore'; readonly roomID: number; readonly state: GrantState };

/** What ordering a room's claim in Redis needs of its node. */
export interface ClaimOrdering {
  /** True while Redis answers (else the node decides alone). */
  ready(): boolean;
  /** Settles once this node has every change Redis had when asked (or after a bound: `Replica.caughtUp`). */
  caughtUp(): Promise<void>;
  /** A claim of `roomID` (version `v`) its maker refused in order: its history goes if it holds that claim alone. */
  refusedEverywhere(roomID: number, v: number): void;
  readonly clock: ServerClock;
  /** Unique to this node's process: the start of its claims' tokens. */
  readonly stem: string;
}

/** A claim this node sent to be ordered in Redis, and what the order made of it once applied here. */
interface OrderedClaim {
  readonly token: string;
  readonly wait: Promise<void>;
  readonly settle: () => void;
  readonly at: number;
  /**
   * Unset until known: null, applied here and the room is the claimer's; a refusal, applied here and refused;
   * `'held'`, Redis did not take it (another user's grant holds the room there) and this node has caught up since.
   */
  outcome?: Refusal | null | 'held';
}

/** {@link RoomGrants} replicated over the cluster's broadcast channel. */
export class ClusterGrants implements RoomGrants {
  /** This node's members of a room (see {@link watch}). */
  private here: (roomID: number) => Iterable<string> = () => [];
  /** This node's claims ordered in Redis (by room and claimer), until their request hears the outcome. */
  private readonly claims = new Map<string, OrderedClaim>();
  private tokens = 0;

  constructor(
    private readonly inner: RoomGrants,
    /**
     * Sends a change this node made to every other node; `ttl`: how long its history must be kept. `claim`: an
     * ordered claim, which Redis takes only while the room has no history (`claim.refused` is told when it does
     * not: see `replica.ts`, SHARE's `c` mode).
     */
    private readonly share: (op: GrantOp, ttl: number, claim?: { refused(): void }) => void,
    private readonly roomIdleMs = 300_000,
    /** Absent: every change is decided where it is made (no claim is ordered). */
    private readonly ordering?: ClaimOrdering,
  ) {}

  /**
   * Who first holds a room this node holds no grant of, decided in Redis's order (see the header): asked
   * before a claim and before an invitation carrying a room ID. Null: decide here (the room is held here,
   * or Redis is away); `'won'`: the room is the claimer's; a refusal: its claim lost; a {@link Deferral}: the
   * claim is on its way, the request handled again once this node has applied it (or {@link CLAIM_WAIT_MS} later).
   */
  inOrder(user: string, roomID: number, now: number): 'won' | Refusal | null {
    const key = `${roomID}:${user}`;
    let made = this.claims.get(key);
    // An outcome nobody came for in time (its connection closed, its answer `unavailable`) is not read by a
    // later request: the room may have ended and passed to another since (the review of 2026-12-06).
    if (made && now - made.at >= OUTCOME_KEPT_MS) {
      this.claims.delete(key);
      made = undefined;
    }
    if (made?.outcome !== undefined) {
      this.claims.delete(key);
      const held = this.inner.describe?.(roomID, now);
      // Another's grant in Redis, heard here since: decided here as it stands (a member's claim, an invitation into
      // the call it is in, passes); not heard, or ended here though Redis keeps its history (its last moments, a
      // renewal on its way): refused, as a claim of a room another call holds.
      if (made.outcome === 'held') return held ? null : refuse('roomInUse', `room ${roomID} belongs to another call (or did a moment ago): try again`);
      if (made.outcome !== null) return made.outcome;
      // Won, and the room still lets its claimer in: acked; else decided here as it stands.
      return held && (held.owner === user || held.users.includes(user)) ? 'won' : null;
    }
    // Redis away: a claim it never ordered is decided here, as every other (the review of 2026-12-06).
    if (made && !this.ordering?.ready()) {
      this.claims.delete(key);
      return null;
    }
    if (made) return this.deferral(roomID, made.wait);
    if (!this.ordering?.ready() || this.inner.describe?.(roomID, now)) return null;
    // Refused here for the quotas, it goes nowhere (in Redis it would keep the room ID from others for the idle time).
    const overQuota = this.inner.mayClaim?.(user, roomID, now) ?? null;
    if (overQuota) return overQuota;
    this.prune(now);
    const { clock, stem } = this.ordering;
    const token = `${stem}.${++this.tokens}`;
    let release = () => {};
    const wait = new Promise<void>((resolve) => (release = resolve));
    const timer = clock.setTimeout(release, CLAIM_WAIT_MS);
    const sending: OrderedClaim = { token, wait, at: now, settle: () => (clock.clearTimeout(timer), release()) };
    this.claims.set(key, sending);
    const refused = () =>
      void this.ordering?.caughtUp().then(() => {
        if (sending.outcome !== undefined) return;
        sending.outcome = 'held';
        sending.settle();
      });
    // Its history as the claim leaves a free room (held for the idle time).
    this.share({ op: 'claim', user, roomID, now, ordered: true, token }, this.roomIdleMs + HISTORY_MARGIN_MS, { refused });
    const sent: Deferral = { ...this.deferral(roomID, wait), fresh: true };
    return sent;
  }

  private deferral(roomID: number, wait: Promise<void>): Deferral {
    return { ...refuse('unavailable', `the cluster did not order the claim of room ${roomID} in time: try again`), wait };
  }

  /** Outcomes nobody came for (their connection closed), and claims Redis never ordered. */
  private prune(now: number): void {
    for (const [key, claim] of this.claims) {
      if (now - claim.at < OUTCOME_KEPT_MS) return;
      this.claims.delete(key);
    }
  }

  /**
   * How long the history of `roomID` must be kept after a change: as long as the grant can live as
   * it stands now (its ring time, the idle time after its room emptied) and a margin, so that a
   * node starting later still rebuilds it; a room cycled through claim, enter and exit leaves a
   * history for seconds, not days. Redis keeps the TTL of the last change made.
   */
  historyTtl(roomID: number, now: number): number {
    const state = this.inner.describe?.(roomID, now) ?? null;
    if (!state) return HISTORY_MARGIN_MS;
    if (state.emptySince === null) return OCCUPIED_HISTORY_MS;
    return Math.max(state.ringUntil, state.emptySince + this.roomIdleMs) - now + HISTORY_MARGIN_MS;
  }

  /**
   * How long the history of `roomID` must be kept once its room is vacated at `now` (see {@link historyTtl});
   * null when its grant is not occupied (nothing to vacate).
   */
  vacatedTtl(roomID: number, now: number, deliberate: boolean): number | null {
    const state = this.inner.describe?.(roomID, now) ?? null;
    if (!state || state.emptySince !== null) return null;
    // As `SqliteRoomGrants.vacated` leaves it: over (left on purpose, or lingering already), it lasts its
    // ring time cut to the linger; else the idle time too.
    const over = deliberate || state.lingering;
    const until = over ? Math.max(now, Math.min(state.ringUntil, now + DELIBERATE_LINGER_MS)) : Math.max(state.ringUntil, now + this.roomIdleMs);
    return until - now + HISTORY_MARGIN_MS;
  }

  /** Tells the grants who of a room is on this node (the rooms do: see the `vacated` case of {@link apply}). */
  watch(here: (roomID: number) => Iterable<string>): void {
    this.here = here;
  }

  get size(): number {
    return this.inner.size;
  }

  claim(user: string, roomID: number, now: number): Refusal | null {
    const refused = this.inner.claim(user, roomID, now);
    if (!refused) this.share({ op: 'claim', user, roomID, now }, this.historyTtl(roomID, now));
    return refused;
  }

  grant(user: string, roomID: number, users: readonly string[], until: number, now: number, groupID?: string, replayed = false, pay?: () => Refusal | null): Refusal | null {
    const refused = this.inner.grant(user, roomID, users, until, now, groupID, replayed, pay);
    if (!refused) this.share({ op: 'grant', user, roomID, users, until, now, ...(groupID === undefined ? {} : { groupID }) }, this.historyTtl(roomID, now));
    return refused;
  }

  /**
   * The administrator's word. Into a room this node holds no grant of it goes in Redis's order, applied by every
   * node (this one too) as Redis orders it: applied here at once, it raced a claim of the room ordered elsewhere
   * (the review of 2026-12-06: a node holding the room for the claimer, another for the administrator's owner).
   */
  admit(roomID: number, users: readonly string[], now: number): void {
    if (this.ordering?.ready() && !this.inner.describe?.(roomID, now)) {
      this.share({ op: 'admit', roomID, users, now, ordered: true }, this.roomIdleMs + HISTORY_MARGIN_MS);
      return;
    }
    this.inner.admit(roomID, users, now);
    this.share({ op: 'admit', roomID, users, now }, this.historyTtl(roomID, now));
  }

  allows(roomID: number, userID: string, now: number, viaGroup?: string): boolean {
    return this.inner.allows(roomID, userID, now, viaGroup);
  }

  mayOccupy(roomID: number, userID: string, now: number): Refusal | null {
    return this.inner.mayOccupy(roomID, userID, now);
  }

  occupied(roomID: number, userID: string): void {
    this.inner.occupied(roomID, userID);
    this.share({ op: 'occupied', roomID, user: userID }, OCCUPIED_HISTORY_MS);
  }

  vacated(roomID: number, now: number, deliberate = false): void {
    this.inner.vacated(roomID, now, deliberate);
    this.share({ op: 'vacated', roomID, now, deliberate }, this.historyTtl(roomID, now));
  }

  sweep(now: number): number {
    return this.inner.sweep(now);
  }

  describe(roomID: number, now: number): GrantState | null {
    return this.inner.describe?.(roomID, now) ?? null;
  }

  holds(roomID: number, now: number): boolean {
    return this.inner.holds?.(roomID, now) ?? false;
  }

  /** Replays a change another node made. */
  apply(op: GrantOp): void {
    switch (op.op) {
      case 'claim': {
        const refused = this.inner.claim(op.user, op.roomID, op.now);
        const made = op.token === undefined ? undefined : this.claims.get(`${op.roomID}:${op.user}`);
        if (made !== undefined && made.token === op.token && made.outcome === undefined) {
          made.outcome = refused;
          made.settle();
        }
        // This node's claim, refused in order (its quotas passed here before the claims ahead of it were heard):
        // its history, if nothing else is in it, goes, or it kept the room ID from others for the idle time (the
        // review of 2026-12-06).
        const version = (op as { readonly v?: number }).v;
        if (refused && version !== undefined && this.ordering && op.token?.startsWith(`${this.ordering.stem}.`) && !this.inner.describe?.(op.roomID, op.now)) {
          this.ordering.refusedEverywhere(op.roomID, version);
        }
        return;
      }
      case 'grant':
        this.inner.grant(op.user, op.roomID, op.users, op.until, op.now, op.groupID, true);
        return;
      case 'admit':
        this.inner.admit(op.roomID, op.users, op.now);
        return;
      case 'occupied':
        this.inner.occupied(op.roomID, op.user ?? '');
        return;
      case 'vacated':
        if (op.ordered) return this.vacatedInOrder(op.roomID, op.now, op.deliberate);
        this.inner.vacated(op.roomID, op.now, op.deliberate);
        // Another node's member left the room empty as that node saw it, while a member of ours had entered
        // (its entry not heard there yet): occupied again, and shared, so every node keeps the call's room.
        for (const user of this.here(op.roomID)) this.occupied(op.roomID, user);
        return;
      case 'restore':
        this.inner.restore?.(op.roomID, op.state);
        return;
    }
  }

  /**
   * A vacate Redis recorded with the leave that emptied the room (every node applies it in Redis's order,
   * its sender's included): only an occupied grant is vacated (said again after a blip, the leave may
   * find its room vacated already, or its ID taken by another call). A member of this node in the room
   * entered after it in Redis's order (it would have kept the room's hash from emptying), but its entry
   * was applied here at once; or its entry is gone from the hash while it is still in the call (the hash
   * expired, a Redis restart lost the entry): it is occupied again, and that is shared, so that every node
   * (the leaving one, which holds nobody in the room, too) takes the live call's room as occupied again.
   */
  private vacatedInOrder(roomID: number, now: number, deliberate: boolean): void {
    if (this.inner.describe && this.inner.describe(roomID, now)?.emptySince !== null) return;
    this.inner.vacated(roomID, now, deliberate);
    for (const user of this.here(roomID)) this.occupied(roomID, user);
  }
}

/**
 * The change that makes `state` again on a node that has none of it (or another), so that a long
 * history can be compacted into it: the grant restored as it stands, checked against nothing (a
 * replay of the grants that made it would meet its owner's quota as it is now, and a room that
 * does not count against it would be refused).
 */
export function compacted(roomID: number, state: GrantState): GrantOp[] {
  return [{ op: 'restore', roomID, state }];
}
