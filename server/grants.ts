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
 * - Bounded: rooms per owner, rooms in all, users per room.
 *
 * Grants are kept in memory and written behind (in the turn's commit) to SQLite, so they survive
 * a restart like the invitations that made them.
 */
import type Database from 'better-sqlite3';
import type { Limits } from './limits';
import { type Refusal, refuse } from './refusal';

/** Who may use the rooms of calls (in-process + SQLite here; a shared store in a cluster). */
export interface RoomGrants {
  /** `userID` reserves `roomID` for a call it is about to dial. */
  claim(userID: string, roomID: number, nowMs: number): Refusal | null;
  /**
   * `sender` invites `users` into `roomID`, ringing until `ringUntil`; `groupID`: through that IM
   * group, whose members may then join the call in progress (joinInGroupCall) while it lasts.
   */
  grant(sender: string, roomID: number, users: readonly string[], ringUntil: number, nowMs: number, groupID?: string): Refusal | null;
  /** Administration: admits `users` to `roomID` (the first owns it if it is new), whoever holds it. */
  admit(roomID: number, users: readonly string[], nowMs: number): void;
  /**
   * True when `userID` may enter or read `roomID`: its invitations named the user, or (`viaGroup`,
   * joining without an invitation) the call was made through that IM group and the user is a member.
   */
  allows(roomID: number, userID: string, nowMs: number, viaGroup?: string): boolean;
  /** Someone is in the room now. */
  occupied(roomID: number): void;
  /**
   * The room became empty. `deliberate`: its last members left on purpose (the call is over),
   * so the grant ends as soon as its invitations have; else it waits `roomIdleMs` for them.
   */
  vacated(roomID: number, nowMs: number, deliberate?: boolean): void;
  /** Forgets expired grants; returns how many. */
  sweep(nowMs: number): number;
  /** Live grants. */
  readonly size: number;
}

/**
 * A grant's entry for the IM group a call was made through (stored with the users: a user ID
 * never has a `:`). Its members may enter while the grant lasts: they are the group's call.
 */
const GROUP_MARK = 'group:';

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
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS room_grants (room_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, ring_until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS room_grant_users (room_id INTEGER NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (room_id, user_id));
`;

/** {@link RoomGrants} in memory, written behind to SQLite. */
export class SqliteRoomGrants implements RoomGrants {
  private readonly grants = new Map<number, Grant>();
  private readonly byOwner = new Map<string, Set<number>>();
  private readonly s;

  /**
   * @param persist runs a write in the current turn's transaction
   */
  constructor(
    db: Database.Database,
    private readonly limits: Pick<Limits, 'maxRoomsPerUser' | 'maxRooms' | 'maxRoomUsers' | 'roomIdleMs'>,
    private readonly persist: (write: () => void) => void,
    nowMs: number,
    /** Whether `userID` is a member of IM group `groupID` (who may join that group's call). */
    private readonly isMember: (groupID: string, userID: string) => boolean = () => false,
  ) {
    db.exec(SCHEMA);
    this.s = {
      upsert: db.prepare<[number, string, number]>(
        'INSERT INTO room_grants (room_id, owner, ring_until) VALUES (?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET ring_until = excluded.ring_until',
      ),
      addUser: db.prepare<[number, string]>('INSERT OR IGNORE INTO room_grant_users (room_id, user_id) VALUES (?, ?)'),
      drop: db.prepare<[number]>('DELETE FROM room_grants WHERE room_id = ?'),
      dropUsers: db.prepare<[number]>('DELETE FROM room_grant_users WHERE room_id = ?'),
    };
    // After a restart every room is empty: each gets `roomIdleMs` for its call to come back.
    const rows = db.prepare<[], { room_id: number; owner: string; ring_until: number }>('SELECT * FROM room_grants').all();
    const users = db.prepare<[], { room_id: number; user_id: string }>('SELECT * FROM room_grant_users').all();
    for (const row of rows) this.remember(row.room_id, { owner: row.owner, users: new Set([row.owner]), ringUntil: row.ring_until, emptySince: nowMs, lingering: false });
    for (const row of users) this.grants.get(row.room_id)?.users.add(row.user_id);
  }

  get size(): number {
    return this.grants.size;
  }

  claim(userID: string, roomID: number, nowMs: number): Refusal | null {
    return this.grant(userID, roomID, [], nowMs, nowMs);
  }

  grant(sender: string, roomID: number, users: readonly string[], ringUntil: number, nowMs: number, groupID?: string): Refusal | null {
    let grant = this.live(roomID, nowMs);
    if (grant && !grant.users.has(sender)) return refuse('roomInUse', `room ${roomID} belongs to another call`);
    const named = groupID ? [...users, `${GROUP_MARK}${groupID}`] : users;
    const fresh = named.filter((u) => !grant?.users.has(u) && u !== sender);
    const size = (grant?.users.size ?? 1) + new Set(fresh).size;
    if (size > this.limits.maxRoomUsers) return refuse('quotaExceeded', `a room admits at most ${this.limits.maxRoomUsers} users`, 'maxRoomUsers');
    if (!grant) {
      if (this.grants.size >= this.limits.maxRooms) this.sweep(nowMs);
      if (this.grants.size >= this.limits.maxRooms) return refuse('quotaExceeded', 'the server holds as many rooms as it may', 'maxRooms');
      if (this.heldBy(sender, nowMs) >= this.limits.maxRoomsPerUser) {
        return refuse('quotaExceeded', `a user holds at most ${this.limits.maxRoomsPerUser} rooms at once`, 'maxRoomsPerUser');
      }
      grant = { owner: sender, users: new Set([sender]), ringUntil, emptySince: nowMs, lingering: false };
      this.remember(roomID, grant);
    }
    grant.ringUntil = Math.max(grant.ringUntil, ringUntil);
    for (const user of fresh) grant.users.add(user);
    const { owner } = grant;
    const until = grant.ringUntil;
    this.persist(() => {
      this.s.upsert.run(roomID, owner, until);
      for (const user of fresh) this.s.addUser.run(roomID, user);
    });
    return null;
  }

  admit(roomID: number, users: readonly string[], nowMs: number): void {
    const [first] = users;
    if (first === undefined) return;
    const grant = this.live(roomID, nowMs);
    const owner = grant?.owner ?? first;
    if (!grant) this.remember(roomID, { owner, users: new Set([owner]), ringUntil: nowMs, emptySince: nowMs, lingering: false });
    const g = this.grants.get(roomID) as Grant;
    const until = g.ringUntil;
    for (const user of users) g.users.add(user);
    this.persist(() => {
      this.s.upsert.run(roomID, owner, until);
      for (const user of users) if (user !== owner) this.s.addUser.run(roomID, user);
    });
  }

  allows(roomID: number, userID: string, nowMs: number, viaGroup?: string): boolean {
    const grant = this.live(roomID, nowMs);
    if (!grant || userID.startsWith(GROUP_MARK)) return false;
    if (grant.users.has(userID)) return true;
    return viaGroup !== undefined && grant.users.has(`${GROUP_MARK}${viaGroup}`) && this.isMember(viaGroup, userID);
  }

  occupied(roomID: number): void {
    const grant = this.grants.get(roomID);
    if (!grant) return;
    grant.emptySince = null;
    grant.lingering = false;
  }

  vacated(roomID: number, nowMs: number, deliberate = false): void {
    const grant = this.grants.get(roomID);
    if (!grant) return;
    grant.emptySince = deliberate ? nowMs - this.limits.roomIdleMs : nowMs;
    // Left on purpose, the call is over: its invitations were withdrawn or answered, though the
    // server does not read those signals. They keep the room only long enough for an accept that
    // crossed the hang-up to enter and hear the cancel, not for their whole ring time (a day at
    // most), and it stops counting against its owner's quota.
    if (!deliberate) return;
    grant.ringUntil = Math.min(grant.ringUntil, nowMs + DELIBERATE_LINGER_MS);
    // A user making short calls in a row must not run out of rooms meanwhile.
    grant.lingering = true;
  }

  /** How many rooms `owner` holds for calls in progress (expired ones are forgotten on the way). */
  private heldBy(owner: string, nowMs: number): number {
    let n = 0;
    for (const id of [...(this.byOwner.get(owner) ?? [])]) {
      const grant = this.live(id, nowMs);
      if (grant && !grant.lingering) n++;
    }
    return n;
  }

  sweep(nowMs: number): number {
    let n = 0;
    for (const roomID of [...this.grants.keys()]) if (!this.live(roomID, nowMs)) n++;
    return n;
  }

  /** The grant of `roomID` if it has not expired (an expired one is forgotten here). */
  private live(roomID: number, nowMs: number): Grant | undefined {
    const grant = this.grants.get(roomID);
    if (!grant) return undefined;
    const idle = grant.emptySince !== null && nowMs >= grant.ringUntil && nowMs - grant.emptySince >= this.limits.roomIdleMs;
    if (!idle) return grant;
    this.grants.delete(roomID);
    const owned = this.byOwner.get(grant.owner);
    owned?.delete(roomID);
    if (owned?.size === 0) this.byOwner.delete(grant.owner);
    this.persist(() => {
      this.s.drop.run(roomID);
      this.s.dropUsers.run(roomID);
    });
    return undefined;
  }

  private remember(roomID: number, grant: Grant): void {
    this.grants.set(roomID, grant);
    const owned = this.byOwner.get(grant.owner) ?? new Set<number>();
    owned.add(roomID);
    this.byOwner.set(grant.owner, owned);
  }
}
