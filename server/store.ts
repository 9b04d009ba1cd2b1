/**
 * The durable part of the server, in SQLite (WAL, synchronous FULL): messages waiting for an
 * offline recipient, and IM groups. Rooms and sessions are soft state, held in memory.
 * Every write happens before the server acknowledges it, so an acknowledged message or group
 * change survives a restart.
 */
import Database from 'better-sqlite3';

/** A message waiting in the store. */
export interface StoredMessage {
  /** Storage order: delivery order. */
  readonly rowid: number;
  readonly id: string;
  readonly to: string;
  readonly from: string;
  readonly groupID: string | null;
  readonly payload: string;
  readonly sentAt: number;
  readonly expiresAt: number;
}

/** A message to store, before it has a rowid. */
export type NewMessage = Omit<StoredMessage, 'rowid'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  to_user TEXT NOT NULL,
  from_user TEXT NOT NULL,
  group_id TEXT,
  payload TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_recipient ON messages (to_user, rowid);
CREATE INDEX IF NOT EXISTS messages_by_expiry ON messages (expires_at);
CREATE TABLE IF NOT EXISTS groups (group_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS group_members (
  seq INTEGER PRIMARY KEY,
  group_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  UNIQUE (group_id, user_id)
);
`;

interface MessageRow {
  rowid: number;
  id: string;
  to_user: string;
  from_user: string;
  group_id: string | null;
  payload: string;
  sent_at: number;
  expires_at: number;
}

/** The SQLite store. Synchronous: a frame is handled start to finish without yielding. */
export class Store {
  private readonly db: Database.Database;
  private readonly statements;

  /** Opens (creating if needed) the database at `path`. */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO messages (id, to_user, from_user, group_id, payload, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      pending: db.prepare<[string, number], MessageRow>(
        'SELECT rowid, * FROM messages WHERE to_user = ? AND expires_at > ? ORDER BY rowid',
      ),
      remove: db.prepare<[number, string]>('DELETE FROM messages WHERE rowid = ? AND to_user = ?'),
      expire: db.prepare<[number]>('DELETE FROM messages WHERE expires_at <= ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM messages'),
      groupExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM groups WHERE group_id = ?'),
      createGroup: db.prepare<[string, number]>('INSERT INTO groups (group_id, created_at) VALUES (?, ?)'),
      join: db.prepare<[string, string]>('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)'),
      quit: db.prepare<[string, string]>('DELETE FROM group_members WHERE group_id = ? AND user_id = ?'),
      members: db.prepare<[string], { user_id: string }>('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY seq'),
      health: db.prepare<[], { one: number }>('SELECT 1 AS one'),
    };
  }

  /** Stores messages (one transaction); returns their rowids. */
  storeMessages(messages: readonly NewMessage[]): number[] {
    const { insert } = this.statements;
    return this.db.transaction(() =>
      messages.map((m) => Number(insert.run(m.id, m.to, m.from, m.groupID, m.payload, m.sentAt, m.expiresAt).lastInsertRowid)),
    )();
  }

  /** The unexpired messages waiting for `userID`, in storage order. */
  pendingFor(userID: string, nowMs: number): StoredMessage[] {
    return this.statements.pending.all(userID, nowMs).map((r) => ({
      rowid: r.rowid,
      id: r.id,
      to: r.to_user,
      from: r.from_user,
      groupID: r.group_id,
      payload: r.payload,
      sentAt: r.sent_at,
      expiresAt: r.expires_at,
    }));
  }

  /** Forgets delivered messages of `userID`; returns how many were removed. */
  removeMessages(userID: string, rowids: readonly number[]): number {
    const { remove } = this.statements;
    return this.db.transaction(() => rowids.reduce((n, rowid) => n + remove.run(rowid, userID).changes, 0))();
  }

  /** Drops expired messages; returns how many. */
  expireMessages(nowMs: number): number {
    return this.statements.expire.run(nowMs).changes;
  }

  /** How many messages wait in the store. */
  storedCount(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  hasGroup(groupID: string): boolean {
    return this.statements.groupExists.get(groupID) !== undefined;
  }

  /** Creates a group with its members; false when the ID is taken. */
  createGroup(groupID: string, members: readonly string[], nowMs: number): boolean {
    const { createGroup, join } = this.statements;
    return this.db.transaction(() => {
      if (this.hasGroup(groupID)) return false;
      createGroup.run(groupID, nowMs);
      for (const member of members) join.run(groupID, member);
      return true;
    })();
  }

  /** Adds a member (idempotent). */
  joinGroup(groupID: string, userID: string): void {
    this.statements.join.run(groupID, userID);
  }

  /** Removes a member (idempotent). */
  quitGroup(groupID: string, userID: string): void {
    this.statements.quit.run(groupID, userID);
  }

  /** A group's members in join order (empty for an unknown group). */
  groupMembers(groupID: string): string[] {
    return this.statements.members.all(groupID).map((r) => r.user_id);
  }

  /** Throws when the database is unusable. */
  check(): void {
    this.statements.health.get();
  }

  close(): void {
    this.db.close();
  }
}
