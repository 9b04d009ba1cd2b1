/**
 * Room grants: a room belongs to a call, and only the users its invitations name may enter it,
 * read its members or relay into it.
 *
 * - A user claims a room ID before dialling (`roomClaim`), or the first invitation carrying it
 *   does: the claimer (the inviter) owns the room. A room ID held by another call is refused
 *   (`roomInUse`).
 * - Each invitation the server relays adds the invitees that actually receive it (the C2C
 *   recipient, the group's members) to the room, if its sender is already allowed in it: so more
 *   people can be invited into a call in progress, by someone in the call.
 * - A grant lasts while anyone is in the room, until its invitations have run out of time, and
 *   `roomIdleMs` after the room was last left empty by a lost connection (so a client that
 *   reconnects, or a server that restarts, finds its room again; a room its members left on
 *   purpose does not wait, and its invitations keep it at most {@link DELIBERATE_LINGER_MS} more).
 * - Bounded: rooms per owner, rooms in all, users per room. A lingering room stops counting
 *   against its owner; only the owner makes it count again (its invitation into it, or its entry),
 *   within the quota: so lingering cannot keep rooms alive outside it. The owner's invitations
 *   alone extend a room's ring time: another member's invitation adds its invitees, but cannot
 *   keep the owner's room (and its quota) for a day, nor fill its last quarter of places
 *   ({@link OWNERS_SHARE}): those are the owner's to invite into. Checks are cheap: a count per owner and a
 *   queue of expiry times (at most a few entries per grant), never a walk over every room.
 *
 * Grants are kept in memory and written behind (in the turn's commit) to SQLite, so they survive
 * a restart like the invitations that made them, a deliberate linger included (its shortened
 * ring time and its not counting are written when the room is left).
 */
import type Database from 'better-sqlite3';
import { groupOfKey } from './groups';
import type { Limits } from './limits';
import { type Refusal, refuse } from './refusal';

/** Who may use the rooms of calls (in-process + SQLite here; a shared store in a cluster). */
export interface RoomGrants {
  /** `userID` reserves `roomID` for a call it is about to dial. */
  claim(userID: string, roomID: number, nowMs: number): Refusal | null;
  /**
   * `sender` invites `users` into `roomID`, ringing until `ringUntil`; `groupID`: through that IM
   * group (its `groupKey`: the group of that ID now, not one made later under it), whose members
   * may then join the call in progress (joinInGroupCall) while it lasts. `replayed`: a change another
   * node granted (a cluster's replica), not refused for the owner's share of the places. `pay`: what
   * the invitation costs its sender, spent once nothing else refuses it and before anything is granted.
   */
  grant(sender: string, roomID: number, users: readonly string[], ringUntil: number, nowMs: number, groupID?: string, replayed?: boolean, pay?: () => Refusal | null): Refusal | null;
  /** Administration: admits `users` to `roomID` (the first owns it if it is new), whoever holds it. */
  admit(roomID: number, users: readonly string[], nowMs: number): void;
  /**
   * True when `userID` may enter or read `roomID`: its invitations named the user, or (`viaGroup`,
   * the `groupKey` of the group it names, joining without an invitation) the call was made through
   * that very group and the user is a member.
   */
  allows(roomID: number, userID: string, nowMs: number, viaGroup?: string): boolean;
  /**
   * Refused when `userID` entering `roomID` would make it count against its owner again past the
   * quota (the owner coming back to a room it left on purpose); checked before {@link occupied}.
   */
  mayOccupy(roomID: number, userID: string, nowMs: number): Refusal | null;
  /** `userID` is in the room now (the owner's entry makes a lingering room count again). */
  occupied(roomID: number, userID: string): void;
  /**
   * The room became empty. `deliberate`: its last members left on purpose (the call is over),
   * so the grant ends as soon as its invitations have; else it waits `roomIdleMs` for them.
   */
  vacated(roomID: number, nowMs: number, deliberate?: boolean): void;
  /** Forgets expired grants; returns how many. */
  sweep(nowMs: number): number;
  /**
   * Makes the grant of `roomID` exactly `state` (a cluster's compacted history, see
   * `server/cluster/grants.ts`): nothing is checked, as it was when it was made.
   */
  restore?(roomID: number, state: GrantState): void;
  /**
   * A cluster: who first holds a room this node holds no grant of is decided in Redis's order, every node
   * applying the claims in that order (`server/cluster/grants.ts`). Asked before a claim, and before an
   * invitation carrying a room ID: null, decide here (the room is held here, or Redis is away); `'won'`, the
   * room is `userID`'s, claimed in order; a {@link Refusal}, refused in order; a {@link Deferral}, not decided yet.
   */
  inOrder?(userID: string, roomID: number, nowMs: number): 'won' | Refusal | null;
  /**
   * What a claim of `roomID` by `userID` would be refused for if no grant holds it (the server's rooms, the user's
   * quota), changing nothing: a cluster asks before it sends a claim to be ordered (a claim every node refuses
   * would leave a history that keeps the room ID from others for the idle time).
   */
  mayClaim?(userID: string, roomID: number, nowMs: number): Refusal | null;
  /** Live grants. */
  readonly size: number;
  /** What is held of `roomID` now (a cluster compacts its history into this), or null: no live grant. */
  describe?(roomID: number, nowMs: number): GrantState | null;
  /**
   * True while a grant of `roomID` lives, changing nothing: an expired grant is not ended here (asked while the
   * server is being built, as the answer journal does at start, ending one told a mailer not made yet).
   */
  holds?(roomID: number, nowMs: number): boolean;
}

/** A grant as it stands: enough to make it again (see `server/cluster/grants.ts`, `compacted`). */
export interface GrantState {
  readonly owner: string;
  /** Everyone it admits besides its owner, and `group:<id>` for the IM group it was made through. */
  readonly users: readonly string[];
  readonly ringUntil: number;
  readonly emptySince: number | null;
  readonly lingering: boolean;
}

/**
 * A grant's entry for the IM group a call was made through (stored with the users: a user ID
 * never has a `:`), followed by the group's key (its ID and incarnation). Its members may enter
 * while the grant lasts: they are the group's call.
 */
export const GROUP_MARK = 'group:';

/** The part of a room's places (one in this many) that only its owner's invitations take. */
export const OWNERS_SHARE = 4;

/** How long a room its members left on purpose stays its call's for invitations still out. */
export const DELIBERATE_LINGER_MS = 5_000;

interface Grant {
  readonly owner: string;
  readonly users: Set<string>;
  ringUntil: number;
  /** When the room was last left empty; `null` while someone is in it. */
  emptySince: number | null;
  /** Left on purpose and kept only for invitations still out: it no longer counts against its owner. */
  lingering: boolean;
  /** The time of its entry in the expiry queue, `null` when it has none. */
  queued: number | null;
}

/** Stale entries the expiry queue may hold beyond two per grant before it is made again. */
const REBUILD_SLACK = 64;

/** A min-heap of (time, room ID): when to look at a grant again. Entries may be stale; the grant decides. */
class ExpiryQueue {
  private readonly heap: [number, number][] = [];

  get size(): number {
    return this.heap.length;
  }

  clear(): void {
    this.heap.length = 0;
  }

  push(at: number, roomID: number): void {
    const h = this.heap;
    h.push([at, roomID]);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as [number, number])[0] <= at) break;
      [h[i], h[parent]] = [h[parent] as [number, number], h[i] as [number, number]];
      i = parent;
    }
  }

  /** Removes and returns the earliest entry if it is due at `nowMs`. */
  popDue(nowMs: number): [number, number] | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top || top[0] > nowMs) return undefined;
    const last = h.pop() as [number, number];
    if (h.length === 0) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as [number, number])[0] < (h[m] as [number, number])[0]) m = l;
      if (r < h.length && (h[r] as [number, number])[0] < (h[m] as [number, number])[0]) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as [number, number], h[i] as [number, number]];
      i = m;
    }
    return top;
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS room_grants (room_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, ring_until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS room_grant_users (room_id INTEGER NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
`;

/** Databases written before lingering was persisted get the column (0: not lingering). */
const ADD_LINGERING = 'ALTER TABLE room_grants ADD COLUMN lingering INTEGER NOT NULL DEFAULT 0';

/** {@link RoomGrants} in memory, written behind to SQLite. */
export class SqliteRoomGrants implements RoomGrants {
  private readonly grants = new Map<number, Grant>();
  private readonly byOwner = new Map<string, Set<number>>();
  /** Grants per owner that count against its quota (not lingering), expired ones included until forgotten. */
  private readonly counted = new Map<string, number>();
  private readonly queue = new ExpiryQueue();
  private readonly s;

  /**
   * @param persist runs a write in the current turn's transaction (`failed`: if that fails)
   */
  constructor(
    db: Database.Database,
    private readonly limits: Pick<Limits, 'maxRoomsPerUser' | 'maxRooms' | 'maxRoomUsers' | 'roomIdleMs'>,
    private readonly persist: (write: () => void, failed?: () => void) => void,
    nowMs: number,
    /** Whether `userID` is a member of IM group `groupID` (who may join that group's call). */
    private readonly isMember: (groupID: string, userID: string) => boolean = () => false,
    /** The grant of `roomID` ended (expired, or never stored): nobody may enter the room for its call any more. */
    private readonly ended: (roomID: number) => void = () => undefined,
  ) {
    db.exec(SCHEMA);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('room_grants')").all();
    if (!columns.some((c) => c.name === 'lingering')) db.exec(ADD_LINGERING);
    this.s = {
      upsert: db.prepare<[number, string, number, number]>(
        'INSERT INTO room_grants (room_id, owner, ring_until, lingering) VALUES (?, ?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET ring_until = excluded.ring_until, lingering = excluded.lingering',
      ),
      addUser: db.prepare<[number, string]>('INSERT OR IGNORE INTO room_grant_users (room_id, user_id) VALUES (?, ?)'),
      drop: db.prepare<[number]>('DELETE FROM room_grants WHERE room_id = ?'),
      dropUsers: db.prepare<[number]>('DELETE FROM room_grant_users WHERE room_id = ?'),
    };
    // After a restart every room is empty: each gets `roomIdleMs` for its call to come back, but
    // a room left on purpose keeps only what was left of its linger, as it would have.
    const rows = db.prepare<[], { room_id: number; owner: string; ring_until: number; lingering: number }>('SELECT * FROM room_grants').all();
    const users = db.prepare<[], { room_id: number; user_id: string }>('SELECT * FROM room_grant_users').all();
    for (const row of rows) {
      const lingering = row.lingering !== 0;
      const emptySince = lingering ? nowMs - limits.roomIdleMs : nowMs;
      this.remember(row.room_id, { owner: row.owner, users: new Set([row.owner]), ringUntil: row.ring_until, emptySince, lingering, queued: null });
    }
    for (const row of users) this.grants.get(row.room_id)?.users.add(row.user_id);
  }

  get size(): number {
    return this.grants.size;
  }

  claim(userID: string, roomID: number, nowMs: number): Refusal | null {
    return this.grant(userID, roomID, [], nowMs, nowMs);
  }

  grant(sender: string, roomID: number, users: readonly string[], ringUntil: number, nowMs: number, groupID?: string, replayed = false, pay?: () => Refusal | null): Refusal | null {
    let grant = this.live(roomID, nowMs);
    if (grant && !grant.users.has(sender)) return refuse('roomInUse', `room ${roomID} belongs to another call`);
    // Another member's invitation adds its invitees to the owner's room, no more (see above).
    const owns = !grant || grant.owner === sender;
    const named = groupID ? [...users, `${GROUP_MARK}${groupID}`] : users;
    const fresh = named.filter((u) => !grant?.users.has(u) && u !== sender);
    const size = (grant?.users.size ?? 1) + new Set(fresh).size;
    if (size > this.limits.maxRoomUsers) return refuse('quotaExceeded', `a room admits at most ${this.limits.maxRoomUsers} users`, 'maxRoomUsers');
    // The last quarter of the places is its owner's: another member (one who never answered, naming users who
    // receive nothing) cannot fill the room and leave its owner unable to invite into its own call. Decided by the
    // node the invitation came to: a cluster's replicas replay what it granted (`replayed`), whatever order they
    // heard an owner's invitation made at once on another node in, so they agree (but two other members inviting
    // at once on two nodes pass it together: a known limit, `server/cluster/grants.ts`).
    const others = this.limits.maxRoomUsers - Math.floor(this.limits.maxRoomUsers / OWNERS_SHARE);
    if (!owns && !replayed && fresh.length > 0 && size > others) {
      return refuse('quotaExceeded', `another member's invitation fills a room to ${others} of its ${this.limits.maxRoomUsers} places; the rest are its owner's`, 'maxRoomUsers');
    }
    const overQuota = () => refuse('quotaExceeded', `a user holds at most ${this.limits.maxRoomsPerUser} rooms at once`, 'maxRoomsPerUser');
    const created = !grant;
    // A renewal (lingering, its owner's): the room is its call's again and counts again, if its owner has room for it.
    const renewed = grant?.lingering === true && owns;
    const refused = !grant ? this.newRoomRefused(sender, nowMs) : renewed && this.heldBy(grant.owner, nowMs) >= this.limits.maxRoomsPerUser ? overQuota() : null;
    const unpaid = refused ?? pay?.() ?? null;
    if (unpaid) return unpaid;
    if (!grant) {
      grant = { owner: sender, users: new Set([sender]), ringUntil, emptySince: nowMs, lingering: false, queued: null };
      this.remember(roomID, grant);
    } else if (renewed) this.linger(grant, false);
    if (owns) grant.ringUntil = Math.max(grant.ringUntil, ringUntil);
    for (const user of fresh) grant.users.add(user);
    this.schedule(roomID, grant);
    const made = grant;
    const { owner, lingering } = grant;
    const until = grant.ringUntil;
    this.persist(
      () => {
        this.s.upsert.run(roomID, owner, until, lingering ? 1 : 0);
        for (const user of fresh) this.s.addUser.run(roomID, user);
      },
      // Not stored (the sender heard `unavailable`): a room it made goes, never held against others or its
      // quota; unless someone entered it meanwhile (an enter right behind the claim, in the same turn).
      () => created && made.emptySince !== null && this.grants.get(roomID) === made && this.end(roomID, made),
    );
    return null;
  }

  mayClaim(userID: string, roomID: number, nowMs: number): Refusal | null {
    return this.live(roomID, nowMs) ? null : this.newRoomRefused(userID, nowMs);
  }

  /** Why `owner` may not make a new room now (the server's rooms, its own), if it may not. */
  private newRoomRefused(owner: string, nowMs: number): Refusal | null {
    if (this.grants.size >= this.limits.maxRooms) this.sweep(nowMs);
    if (this.grants.size >= this.limits.maxRooms) return refuse('quotaExceeded', 'the server holds as many rooms as it may', 'maxRooms');
    if (this.heldBy(owner, nowMs) >= this.limits.maxRoomsPerUser) return refuse('quotaExceeded', `a user holds at most ${this.limits.maxRoomsPerUser} rooms at once`, 'maxRoomsPerUser');
    return null;
  }

  admit(roomID: number, users: readonly string[], nowMs: number): void {
    const [first] = users;
    if (first === undefined) return;
    const grant = this.live(roomID, nowMs);
    const owner = grant?.owner ?? first;
    if (!grant) this.remember(roomID, { owner, users: new Set([owner]), ringUntil: nowMs, emptySince: nowMs, lingering: false, queued: null });
    const g = this.grants.get(roomID) as Grant;
    if (g.lingering) this.linger(g, false); // the administrator's word: no quota
    const until = g.ringUntil;
    for (const user of users) g.users.add(user);
    this.schedule(roomID, g);
    this.persist(() => {
      this.s.upsert.run(roomID, owner, until, 0);
      for (const user of users) if (user !== owner) this.s.addUser.run(roomID, user);
    });
  }

  describe(roomID: number, nowMs: number): GrantState | null {
    const grant = this.live(roomID, nowMs);
    if (!grant) return null;
    const { owner, ringUntil, emptySince, lingering } = grant;
    return { owner, users: [...grant.users].filter((u) => u !== owner), ringUntil, emptySince, lingering };
  }

  allows(roomID: number, userID: string, nowMs: number, viaGroup?: string): boolean {
    const grant = this.live(roomID, nowMs);
    if (!grant || userID.startsWith(GROUP_MARK)) return false;
    if (grant.users.has(userID)) return true;
    return viaGroup !== undefined && grant.users.has(`${GROUP_MARK}${viaGroup}`) && this.isMember(groupOfKey(viaGroup), userID);
  }

  mayOccupy(roomID: number, userID: string, nowMs: number): Refusal | null {
    const grant = this.live(roomID, nowMs);
    if (!grant?.lingering || grant.owner !== userID || this.heldBy(userID, nowMs) < this.limits.maxRoomsPerUser) return null;
    return refuse('quotaExceeded', `a user holds at most ${this.limits.maxRoomsPerUser} rooms at once`, 'maxRoomsPerUser');
  }

  occupied(roomID: number, userID: string): void {
    const grant = this.grants.get(roomID);
    if (!grant) return;
    grant.emptySince = null;
    // Others entering a room its owner left on purpose (an accept that crossed the hang-up, say) keep it off the owner's count.
    if (!grant.lingering || grant.owner !== userID) return;
    this.linger(grant, false);
    const { owner, ringUntil } = grant;
    this.persist(() => this.s.upsert.run(roomID, owner, ringUntil, 0));
  }

  vacated(roomID: number, nowMs: number, deliberate = false): void {
    const grant = this.grants.get(roomID);
    if (!grant) return;
    // A room its owner left on purpose and others entered since (an accept that crossed the
    // hang-up) ends with its linger however it empties again: it counts against nobody, so a lost
    // connection must not keep it `roomIdleMs`, again and again.
    const over = deliberate || grant.lingering;
    grant.emptySince = over ? nowMs - this.limits.roomIdleMs : nowMs;
    // Left on purpose, the call is over: its invitations were withdrawn or answered, though the
    // server does not read those signals. They keep the room only long enough for an accept that
    // crossed the hang-up to enter and hear the cancel, not for their whole ring time (a day at
    // most), and it stops counting against its owner's quota.
    if (over) {
      grant.ringUntil = Math.min(grant.ringUntil, nowMs + DELIBERATE_LINGER_MS);
      // A user making short calls in a row must not run out of rooms meanwhile.
      this.linger(grant, true);
      const { owner, ringUntil } = grant;
      this.persist(() => this.s.upsert.run(roomID, owner, ringUntil, 1));
    }
    this.schedule(roomID, grant);
  }

  /**
   * How many rooms `owner` holds for calls in progress. Read from its count; only at the quota
   * are its rooms looked at, to forget the expired ones (its own rooms, never everyone's).
   */
  private heldBy(owner: string, nowMs: number): number {
    if ((this.counted.get(owner) ?? 0) < this.limits.maxRoomsPerUser) return this.counted.get(owner) ?? 0;
    for (const id of [...(this.byOwner.get(owner) ?? [])]) this.live(id, nowMs);
    return this.counted.get(owner) ?? 0;
  }

  /** Forgets the grants due to expire by `nowMs`, from the expiry queue (not a walk over all rooms). */
  sweep(nowMs: number): number {
    let n = 0;
    for (let due = this.queue.popDue(nowMs); due; due = this.queue.popDue(nowMs)) {
      const [at, roomID] = due;
      const grant = this.grants.get(roomID);
      if (!grant || grant.queued !== at) continue; // stale: forgotten, or queued again earlier
      grant.queued = null;
      if (!this.live(roomID, nowMs)) n++;
      else this.schedule(roomID, grant);
    }
    return n;
  }

  /** Entries in the expiry queue (tests: it stays proportional to the rooms). */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * Queues the grant for when it may expire, unless an entry at or before that time is queued.
   * An entry queued earlier than one already there leaves that one stale until its time (a day, for
   * a room left on purpose and renewed in a loop): past two entries per grant the queue is made
   * again from the grants' own, so it stays proportional to the rooms.
   */
  private schedule(roomID: number, grant: Grant): void {
    if (grant.emptySince === null) return; // occupied: its vacating queues it
    const at = Math.max(grant.ringUntil, grant.emptySince + this.limits.roomIdleMs);
    if (grant.queued !== null && grant.queued <= at) return;
    grant.queued = at;
    this.queue.push(at, roomID);
    if (this.queue.size > 2 * this.grants.size + REBUILD_SLACK) {
      this.queue.clear();
      for (const [id, g] of this.grants) if (g.queued !== null) this.queue.push(g.queued, id);
    }
  }

  /** Sets whether the grant lingers (and so whether it counts against its owner). */
  private linger(grant: Grant, lingering: boolean): void {
    if (grant.lingering === lingering) return;
    grant.lingering = lingering;
    this.count(grant.owner, lingering ? -1 : 1);
  }

  private count(owner: string, delta: number): void {
    const n = (this.counted.get(owner) ?? 0) + delta;
    if (n > 0) this.counted.set(owner, n);
    else this.counted.delete(owner);
  }

  restore(roomID: number, state: GrantState): void {
    const old = this.grants.get(roomID);
    if (old) this.forgetGrant(roomID, old);
    const { owner, users, ringUntil, emptySince, lingering } = state;
    this.remember(roomID, { owner, users: new Set([owner, ...users]), ringUntil, emptySince, lingering, queued: null });
    this.persist(() => {
      this.s.dropUsers.run(roomID);
      this.s.upsert.run(roomID, owner, ringUntil, lingering ? 1 : 0);
      for (const user of users) if (user !== owner) this.s.addUser.run(roomID, user);
    });
  }

  holds(roomID: number, nowMs: number): boolean {
    const grant = this.grants.get(roomID);
    return grant !== undefined && !this.expired(grant, nowMs);
  }

  /** True when `grant` has run out: empty past the idle time, its invitations out of time. */
  private expired(grant: Grant, nowMs: number): boolean {
    return grant.emptySince !== null && nowMs >= grant.ringUntil && nowMs - grant.emptySince >= this.limits.roomIdleMs;
  }

  /** The grant of `roomID` if it has not expired (an expired one is forgotten here). */
  private live(roomID: number, nowMs: number): Grant | undefined {
    const grant = this.grants.get(roomID);
    if (!grant) return undefined;
    if (!this.expired(grant, nowMs)) return grant;
    this.end(roomID, grant);
    this.persist(() => {
      this.s.drop.run(roomID);
      this.s.dropUsers.run(roomID);
    });
    return undefined;
  }

  /** The grant of `roomID` ends: forgotten, and told. */
  private end(roomID: number, grant: Grant): void {
    this.forgetGrant(roomID, grant);
    this.ended(roomID);
  }

  /** Takes `grant` out of memory and out of its owner's count. */
  private forgetGrant(roomID: number, grant: Grant): void {
    this.grants.delete(roomID);
    if (!grant.lingering) this.count(grant.owner, -1);
    const owned = this.byOwner.get(grant.owner);
    owned?.delete(roomID);
    if (owned?.size === 0) this.byOwner.delete(grant.owner);
  }

  private remember(roomID: number, grant: Grant): void {
    this.grants.set(roomID, grant);
    if (!grant.lingering) this.count(grant.owner, 1);
    this.schedule(roomID, grant);
    const owned = this.byOwner.get(grant.owner) ?? new Set<number>();
    owned.add(roomID);
    this.byOwner.set(grant.owner, owned);
  }
}
