/**
 * IM groups whose members agreed to be in them. A group has an owner (its creator; none for a
 * group the administrator made), a join rule the owner chose (`invite`: only users the owner
 * invited may join; `open`: anyone may), members and pending invitations. Only members (and the
 * owner) read the member list or send to the group; only the owner invites, removes or deletes.
 * Quotas: groups per owner, members plus invitations per group.
 *
 * Group changes are rare: each commits at once in its own transaction (after the turn's pending
 * writes), so every read sees every acknowledged change.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { JoinRule, ServerFrame } from '../adapters/ws/protocol';
import type { Limits } from './limits';
import { type Refusal, refuse } from './refusal';

/** A group as stored. */
export interface GroupRecord {
  readonly groupID: string;
  /** The creator; `''` for a group made by the administrator (nobody manages it over the wire). */
  readonly owner: string;
  readonly joinRule: JoinRule;
  /**
   * Which group of that ID this is: random, made with it, kept by every node (a cluster's compacted
   * history makes it again with the same one). A group deleted and made again under its ID is
   * another group: a call made through the first admits none of the second's members ({@link groupKey}).
   */
  readonly incarnation: string;
}

/** A group as a call made through it names it: its ID and its incarnation. */
export function groupKey(group: Pick<GroupRecord, 'groupID' | 'incarnation'>): string {
  return `${group.groupID}\n${group.incarnation}`;
}

/** The group ID of a {@link groupKey}. */
export function groupOfKey(key: string): string {
  const end = key.indexOf('\n');
  return end < 0 ? key : key.slice(0, end);
}

/** A new group's incarnation. */
export const newIncarnation = (): string => randomBytes(9).toString('base64url');

/** Where groups are kept (SQLite here; a shared store in a cluster). */
export interface GroupStore {
  get(groupID: string): GroupRecord | undefined;
  /** Creates the group with its members and invitations; false when the ID is taken. */
  create(group: GroupRecord, members: readonly string[], invited: readonly string[], nowMs: number): boolean;
  delete(groupID: string): void;
  members(groupID: string): string[];
  invited(groupID: string): string[];
  isMember(groupID: string, userID: string): boolean;
  isInvited(groupID: string, userID: string): boolean;
  /** Makes `userID` a member (its invitation, if any, is used up). */
  join(groupID: string, userID: string): void;
  invite(groupID: string, users: readonly string[]): void;
  /** Removes members and invitations. */
  remove(groupID: string, users: readonly string[]): void;
  /** Members plus invitations. */
  size(groupID: string): number;
  /** Groups `userID` owns. */
  owned(userID: string): number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS groups (group_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS group_members (seq INTEGER PRIMARY KEY, group_id TEXT NOT NULL, user_id TEXT NOT NULL, UNIQUE (group_id, user_id));
CREATE TABLE IF NOT EXISTS group_invites (group_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (group_id, user_id));
`;

/** {@link GroupStore} in the server's SQLite database. */
export class SqliteGroupStore implements GroupStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    // Groups of the first version had no owner and no rule: the administrator's, invite-only.
    const columns = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('groups')").all().map((c) => c.name));
    if (!columns.has('owner')) db.exec("ALTER TABLE groups ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
    if (!columns.has('join_rule')) db.exec("ALTER TABLE groups ADD COLUMN join_rule TEXT NOT NULL DEFAULT 'invite'");
    // Groups made before incarnations: one each (a call made through one before is not admitted by it).
    if (!columns.has('incarnation')) db.exec("ALTER TABLE groups ADD COLUMN incarnation TEXT NOT NULL DEFAULT ''");
    db.exec('CREATE INDEX IF NOT EXISTS groups_by_owner ON groups (owner)');
    this.s = {
      get: db.prepare<[string], { owner: string; join_rule: string; incarnation: string }>('SELECT owner, join_rule, incarnation FROM groups WHERE group_id = ?'),
      create: db.prepare<[string, number, string, string, string]>(
        'INSERT INTO groups (group_id, created_at, owner, join_rule, incarnation) VALUES (?, ?, ?, ?, ?)',
      ),
      drop: db.prepare<[string]>('DELETE FROM groups WHERE group_id = ?'),
      dropMembers: db.prepare<[string]>('DELETE FROM group_members WHERE group_id = ?'),
      dropInvites: db.prepare<[string]>('DELETE FROM group_invites WHERE group_id = ?'),
      join: db.prepare<[string, string]>('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)'),
      uninvite: db.prepare<[string, string]>('DELETE FROM group_invites WHERE group_id = ? AND user_id = ?'),
      invite: db.prepare<[string, string]>('INSERT OR IGNORE INTO group_invites (group_id, user_id) VALUES (?, ?)'),
      quit: db.prepare<[string, string]>('DELETE FROM group_members WHERE group_id = ? AND user_id = ?'),
      members: db.prepare<[string], { user_id: string }>('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY seq'),
      invited: db.prepare<[string], { user_id: string }>('SELECT user_id FROM group_invites WHERE group_id = ? ORDER BY rowid'),
      isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM group_members WHERE group_id = ? AND user_id = ?'),
      isInvited: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM group_invites WHERE group_id = ? AND user_id = ?'),
      size: db.prepare<[string, string], { n: number }>(
        'SELECT (SELECT count(*) FROM group_members WHERE group_id = ?) + (SELECT count(*) FROM group_invites WHERE group_id = ?) AS n',
      ),
      owned: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM groups WHERE owner = ?'),
    };
  }

  get(groupID: string): GroupRecord | undefined {
    const row = this.s.get.get(groupID);
    return row ? { groupID, owner: row.owner, joinRule: row.join_rule === 'open' ? 'open' : 'invite', incarnation: row.incarnation } : undefined;
  }

  create(group: GroupRecord, members: readonly string[], invited: readonly string[], nowMs: number): boolean {
    return this.db.transaction(() => {
      if (this.s.get.get(group.groupID)) return false;
      this.s.create.run(group.groupID, nowMs, group.owner, group.joinRule, group.incarnation);
      for (const user of members) this.s.join.run(group.groupID, user);
      for (const user of invited) this.s.invite.run(group.groupID, user);
      return true;
    })();
  }

  delete(groupID: string): void {
    this.db.transaction(() => {
      this.s.drop.run(groupID);
      this.s.dropMembers.run(groupID);
      this.s.dropInvites.run(groupID);
    })();
  }

  members(groupID: string): string[] {
    return this.s.members.all(groupID).map((r) => r.user_id);
  }

  invited(groupID: string): string[] {
    return this.s.invited.all(groupID).map((r) => r.user_id);
  }

  isMember(groupID: string, userID: string): boolean {
    return this.s.isMember.get(groupID, userID) !== undefined;
  }

  isInvited(groupID: string, userID: string): boolean {
    return this.s.isInvited.get(groupID, userID) !== undefined;
  }

  join(groupID: string, userID: string): void {
    this.db.transaction(() => {
      this.s.uninvite.run(groupID, userID);
      this.s.join.run(groupID, userID);
    })();
  }

  invite(groupID: string, users: readonly string[]): void {
    this.db.transaction(() => {
      for (const user of users) if (!this.isMember(groupID, user)) this.s.invite.run(groupID, user);
    })();
  }

  remove(groupID: string, users: readonly string[]): void {
    this.db.transaction(() => {
      for (const user of users) {
        this.s.quit.run(groupID, user);
        this.s.uninvite.run(groupID, user);
      }
    })();
  }

  size(groupID: string): number {
    return this.s.size.get(groupID, groupID)?.n ?? 0;
  }

  owned(userID: string): number {
    return this.s.owned.get(userID)?.n ?? 0;
  }
}

type Reply = ServerFrame | Refusal;

/** The rules of groups over a {@link GroupStore}. */
export class Groups {
  /**
   * @param beforeWrite commits the turn's pending writes, so a group change is never
   *   acknowledged ahead of a message sent before it
   */
  constructor(
    private readonly store: GroupStore,
    private readonly limits: Pick<Limits, 'maxGroupsPerUser' | 'maxGroupMembers'>,
    private readonly beforeWrite: () => void,
  ) {}

  /** Whether `userID` is a member of `groupID` (who may join the group's call in progress). */
  isMember(groupID: string, userID: string): boolean {
    return this.store.isMember(groupID, userID);
  }

  /** Administration: a group with these members, managed by nobody over the wire. */
  adminCreate(groupID: string, members: readonly string[], nowMs: number): boolean {
    this.beforeWrite();
    return this.store.create({ groupID, owner: '', joinRule: 'invite', incarnation: newIncarnation() }, [...new Set(members)], [], nowMs);
  }

  /**
   * `owner` creates a group, inviting `invitees`. `afford` spends a creation of the owner's (`--group-creates-per-hour`),
   * asked only once nothing else refuses it: a creation refused otherwise makes nothing, and spends nothing.
   */
  create(owner: string, groupID: string, invitees: readonly string[], joinRule: JoinRule, rid: number, nowMs: number, afford: () => Refusal | null = () => null): Reply {
    const invited = [...new Set(invitees)].filter((u) => u !== owner);
    if (this.store.owned(owner) >= this.limits.maxGroupsPerUser) {
      return refuse('quotaExceeded', `a user owns at most ${this.limits.maxGroupsPerUser} groups`, 'maxGroupsPerUser');
    }
    if (invited.length + 1 > this.limits.maxGroupMembers) {
      return refuse('quotaExceeded', `a group has at most ${this.limits.maxGroupMembers} members and invitations`, 'maxGroupMembers');
    }
    const exists = () => refuse('groupExists', `group ${groupID} already exists`);
    if (this.store.get(groupID)) return exists();
    const unaffordable = afford();
    if (unaffordable) return unaffordable;
    this.beforeWrite();
    if (!this.store.create({ groupID, owner, joinRule, incarnation: newIncarnation() }, [owner], invited, nowMs)) return exists();
    return this.info(owner, groupID, rid);
  }

  /** The owner invites more users. */
  invite(actor: string, groupID: string, users: readonly string[], rid: number): Reply {
    const group = this.owned(actor, groupID);
    if ('refused' in group) return group;
    const named = [...new Set(users)];
    // More names than a group may hold are more than it can take, whoever is in it: refused before a query each.
    if (named.length > this.limits.maxGroupMembers) {
      return refuse('quotaExceeded', `a group has at most ${this.limits.maxGroupMembers} members and invitations`, 'maxGroupMembers');
    }
    const fresh = named.filter((u) => !this.store.isMember(groupID, u) && !this.store.isInvited(groupID, u));
    if (this.store.size(groupID) + fresh.length > this.limits.maxGroupMembers) {
      return refuse('quotaExceeded', `a group has at most ${this.limits.maxGroupMembers} members and invitations`, 'maxGroupMembers');
    }
    this.beforeWrite();
    this.store.invite(groupID, fresh);
    return this.info(actor, groupID, rid);
  }

  /** The owner removes members or withdraws invitations (never itself: it deletes the group instead). */
  remove(actor: string, groupID: string, users: readonly string[], rid: number): Reply {
    const group = this.owned(actor, groupID);
    if ('refused' in group) return group;
    // Only names in the group (at most maxGroupMembers of them) cost a write: 1,000 others cost none.
    const inGroup = new Set([...this.store.members(groupID), ...this.store.invited(groupID)]);
    const removed = [...new Set(users)].filter((u) => u !== actor && inGroup.has(u));
    this.beforeWrite();
    if (removed.length > 0) this.store.remove(groupID, removed);
    return this.info(actor, groupID, rid);
  }

  /** The owner deletes the group. */
  delete(actor: string, groupID: string, rid: number): Reply {
    const group = this.owned(actor, groupID);
    if ('refused' in group) return group;
    this.beforeWrite();
    this.store.delete(groupID);
    return { type: 'ack', rid };
  }

  /** Joins an open group, or one that invited `actor`. */
  join(actor: string, groupID: string, rid: number): Reply {
    const group = this.store.get(groupID);
    if (!group) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    if (this.store.isMember(groupID, actor)) return this.info(actor, groupID, rid);
    const invited = this.store.isInvited(groupID, actor);
    if (!invited && group.joinRule !== 'open') return refuse('notInvited', `group ${groupID} is invite-only and ${actor} was not invited`);
    if (!invited && this.store.size(groupID) >= this.limits.maxGroupMembers) {
      return refuse('quotaExceeded', `a group has at most ${this.limits.maxGroupMembers} members and invitations`, 'maxGroupMembers');
    }
    this.beforeWrite();
    this.store.join(groupID, actor);
    return this.info(actor, groupID, rid);
  }

  /** Leaves a group, or declines its invitation. */
  quit(actor: string, groupID: string, rid: number): Reply {
    if (!this.store.get(groupID)) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    this.beforeWrite();
    this.store.remove(groupID, [actor]);
    return { type: 'ack', rid };
  }

  /** The member list, for members and the owner. */
  info(actor: string, groupID: string, rid: number): Reply {
    const group = this.store.get(groupID);
    if (!group) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    const members = this.store.members(groupID);
    const isOwner = group.owner !== '' && group.owner === actor;
    if (!isOwner && !members.includes(actor)) return refuse('notGroupMember', `${actor} is not a member of ${groupID}`);
    return {
      type: 'groupInfo',
      rid,
      groupID,
      members,
      owner: group.owner,
      joinRule: group.joinRule,
      ...(isOwner ? { invited: this.store.invited(groupID) } : {}),
    };
  }

  /** Whom a group message from `sender` goes to: every other member; only members may send. */
  /** The {@link groupKey} of group `groupID` as it is now, if it exists. */
  keyOf(groupID: string): string | undefined {
    const group = this.store.get(groupID);
    return group ? groupKey(group) : undefined;
  }

  recipients(sender: string, groupID: string): string[] | Refusal {
    if (!this.store.get(groupID)) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    const members = this.store.members(groupID);
    if (!members.includes(sender)) return refuse('notGroupMember', `${sender} is not a member of ${groupID}`);
    return members.filter((u) => u !== sender);
  }

  private owned(actor: string, groupID: string): GroupRecord | Refusal {
    const group = this.store.get(groupID);
    if (!group) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    if (group.owner === '' || group.owner !== actor) return refuse('notGroupOwner', `only the owner of ${groupID} may do that`);
    return group;
  }
}
