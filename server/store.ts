/**
 * The durable part of the server, in SQLite (WAL): every message copy not yet
 * confirmed by its recipient, online or not. A message's body is stored once (`bodies`) and each
 * recipient's copy is a row of `deliveries`, so a group message costs one body and a small row
 * per member. Groups (`groups.ts`) and room grants (`grants.ts`) live in the same database.
 *
 * Row ids are chosen by the server (counters seeded from the database), so a message can be
 * routed and counted while its rows wait for the turn's commit (`commit.ts`).
 */
import Database from 'better-sqlite3';
import type { ServerFrame } from '../adapters/ws/protocol';

/** A message body, as stored once for all its recipients. */
export interface Body {
  readonly id: number;
  /** The message id the clients see. */
  readonly msgID: string;
  readonly from: string;
  readonly groupID: string | null;
  readonly payload: string;
  readonly sentAt: number;
  readonly expiresAt: number;
  /**
   * The invitation this message carries, as the server granted its room (`call` of the send): told
   * to its recipients, whose client enters no other room for it than the one granted here (a payload
   * is the sender's word). Null for any other message, and for rows stored before it was kept.
   */
  readonly call: CallRef | null;
}

/** An invitation's ID and the room the server granted for it. */
export interface CallRef {
  readonly inviteID: string;
  readonly roomID: number;
}

/** A recipient's message frame for its copy `seq` of `copy`. */
export function messageFrame(copy: Body, seq: number): ServerFrame {
  const { msgID: id, from, groupID, payload, sentAt, call } = copy;
  if (call == null) return groupID === null ? { type: 'message', id, seq, from, payload, sentAt } : { type: 'message', id, seq, from, groupID, payload, sentAt };
  const granted = { inviteID: call.inviteID, roomID: call.roomID };
  return groupID === null ? { type: 'message', id, seq, from, payload, sentAt, call: granted } : { type: 'message', id, seq, from, groupID, payload, sentAt, call: granted };
}

/** One recipient's copy, with its body. */
export interface PendingCopy extends Body {
  /** The delivery row: confirming the copy deletes it. */
  readonly delivery: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bodies (
  id INTEGER PRIMARY KEY,
  msg_id TEXT NOT NULL,
  from_user TEXT NOT NULL,
  group_id TEXT,
  payload TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS bodies_by_expiry ON bodies (expires_at);
CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, to_user TEXT NOT NULL, body_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_recipient ON deliveries (to_user, id);
CREATE INDEX IF NOT EXISTS deliveries_by_body ON deliveries (body_id);
`;

/**
 * Each body's size, for the counts (`Store.sizesIndexed`). Built apart from the schema: on a file from before it, the
 * build reads every payload once, and where it cannot be built (the disk full) the server starts all the same, its
 * counts reading the payloads as before 2026-12-06 night (the review: a server that had run on that disk could not start).
 */
const SIZES_INDEX = 'CREATE INDEX IF NOT EXISTS bodies_sizes ON bodies (id, from_user, length(CAST(payload AS BLOB)))';

/** The offline store of the first version (one row per copy), moved into the tables above. */
const MIGRATE_MESSAGES = `
INSERT INTO bodies (id, msg_id, from_user, group_id, payload, sent_at, expires_at)
  SELECT rowid, id, from_user, group_id, payload, sent_at, expires_at FROM messages;
INSERT INTO deliveries (id, to_user, body_id) SELECT rowid, to_user, rowid FROM messages;
DROP TABLE messages;
`;

interface CopyRow {
  delivery: number;
  id: number;
  msg_id: string;
  from_user: string;
  group_id: string | null;
  payload: string;
  sent_at: number;
  expires_at: number;
  call_invite: string | null;
  call_room: number | null;
}

/** What {@link Store.removeCopy} deleted: the copy's row, and its body (its last copy went). */
export interface Removed {
  readonly copy: boolean;
  readonly body: boolean;
}

/** A recipient's stored copies: how many and how many payload bytes. */
export interface Backlog {
  count: number;
  bytes: number;
}

/** The SQLite store. Synchronous: a frame is handled start to finish without yielding. */
export class Store {
  readonly db: Database.Database;
  private readonly statements;
  /** Whether the counts read the sizes from `bodies_sizes` (false: it could not be built, the disk full, say). */
  readonly sizesIndexed: boolean;
  /** The transaction of {@link Store.transact}, made once rather than once per turn. */
  private readonly writeTransaction: (writes: readonly (() => void)[]) => void;
  private nextBody: number;
  private nextDelivery: number;
  /** {@link Store.pendingStatement}'s, by limit. */
  private readonly pageStatements = new Map<number, Database.Statement<[string, number, number], CopyRow>>();

  /**
   * Opens (creating or upgrading if needed) the database at `path`. Commits are durable against
   * a crash of the process (kill -9: SQLite's WAL is in the operating system's hands once a
   * transaction returns); `fsync: true` makes each commit wait for the disk too (`synchronous =
   * FULL`), durable against a power loss, at the price of one fsync per turn with writes.
   * `shared: true` lets other processes open the file meanwhile (ServerOptions.sharedDatabase).
   */
  constructor(path: string, options: { readonly fsync?: boolean; readonly shared?: boolean } = {}) {
    this.db = new Database(path);
    try {
      // One server per database file (unless `shared`): the lock is taken at the first read below
      // and held until close, so a second server on the same file is refused at start instead of
      // interleaving its ids with ours; and with no other process to coordinate with, a
      // transaction takes no file locks and the WAL index lives in this process's memory (no -shm
      // file). Set before WAL is first used, or SQLite keeps using the shared-memory index.
      if (!options.shared) this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(options.fsync ? 'synchronous = FULL' : 'synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
      this.sizesIndexed = this.buildSizesIndex();
      const sized = this.sizesIndexed ? 'INDEXED BY bodies_sizes' : '';
      // Databases from before invitations kept their granted room get the columns (null: none told).
      const columns = this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('bodies')").all();
      for (const column of ['call_invite', 'call_room'] as const) {
        if (!columns.some((c) => c.name === column)) this.db.exec(`ALTER TABLE bodies ADD COLUMN ${column} ${column === 'call_room' ? 'INTEGER' : 'TEXT'}`);
      }
      const old = this.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('messages') WHERE name = 'to_user'").get();
      if (old) this.db.transaction(() => this.db.exec(MIGRATE_MESSAGES))();
      const db = this.db;
      this.writeTransaction = db.transaction((writes: readonly (() => void)[]) => {
        for (const write of writes) write();
      });
      this.statements = {
        insertBody: db.prepare('INSERT INTO bodies (id, msg_id, from_user, group_id, payload, sent_at, expires_at, call_invite, call_room) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
        insertDelivery: db.prepare<[number, string, number]>('INSERT INTO deliveries (id, to_user, body_id) VALUES (?, ?, ?)'),
        removeDelivery: db.prepare<[number, string]>('DELETE FROM deliveries WHERE id = ? AND to_user = ?'),
        hasCopy: db.prepare<[number], { n: number }>('SELECT 1 AS n FROM deliveries WHERE id = ?'),
        removeOrphan: db.prepare<[number, number]>('DELETE FROM bodies WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE body_id = ?)'),
        expireDeliveries: db.prepare<[number]>('DELETE FROM deliveries WHERE body_id IN (SELECT id FROM bodies WHERE expires_at <= ?)'),
        expireBodies: db.prepare<[number]>('DELETE FROM bodies WHERE expires_at <= ?'),
        count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM deliveries'),
        // The counts read each body's size from \`bodies_sizes\` (INDEXED BY: a join would read the row itself), never its
        // payload: summed from the rows, a recount read every payload stored, 0.4-0.9 s for 64 MiB, on a cluster node after
        // every move of copies (up to four times a second), before 2026-12-06 night.
        bytes: db.prepare<[], { n: number }>(`SELECT coalesce(sum(length(CAST(payload AS BLOB))), 0) AS n FROM bodies ${sized}`),
        backlogs: db.prepare<[], { user: string; count: number; bytes: number }>(
          `SELECT d.to_user AS user, count(*) AS count, coalesce(sum(length(CAST(b.payload AS BLOB))), 0) AS bytes
           FROM deliveries d JOIN bodies b ${sized} ON b.id = d.body_id GROUP BY d.to_user`,
        ),
        senderBacklogs: db.prepare<[], { from: string; to: string; count: number; bytes: number }>(
          `SELECT b.from_user AS "from", d.to_user AS "to", count(*) AS count, coalesce(sum(length(CAST(b.payload AS BLOB))), 0) AS bytes
           FROM deliveries d JOIN bodies b ${sized} ON b.id = d.body_id GROUP BY b.from_user, d.to_user`,
        ),
        senderBodies: db.prepare<[], { from: string; bytes: number }>(
          `SELECT from_user AS "from", coalesce(sum(length(CAST(payload AS BLOB))), 0) AS bytes FROM bodies ${sized} GROUP BY from_user`,
        ),
        maxIds: db.prepare<[], { body: number | null; delivery: number | null }>(
          'SELECT (SELECT max(id) FROM bodies) AS body, (SELECT max(id) FROM deliveries) AS delivery',
        ),
        health: db.prepare<[], { one: number }>('SELECT 1 AS one'),
      };
      const max = this.statements.maxIds.get();
      this.nextBody = (max?.body ?? 0) + 1;
      this.nextDelivery = (max?.delivery ?? 0) + 1;
    } catch (error) {
      // Refused (the file is another server's, or unreadable): let go of the file.
      this.db.close();
      throw error;
    }
  }

  /** Runs `writes` in one transaction. */
  transact(writes: readonly (() => void)[]): void {
    this.writeTransaction(writes);
  }

  /** A fresh body id (its row is written by {@link Store.insertBody}). */
  bodyID(): number {
    return this.nextBody++;
  }

  /** A fresh delivery id: delivery ids grow in routing order, which is delivery order. */
  deliveryID(): number {
    return this.nextDelivery++;
  }

  /** Writes a body (inside the turn's transaction). */
  insertBody(b: Body): void {
    this.statements.insertBody.run(b.id, b.msgID, b.from, b.groupID, b.payload, b.sentAt, b.expiresAt, b.call?.inviteID ?? null, b.call?.roomID ?? null);
  }

  /** Writes one recipient's copy of body `bodyID` (inside the turn's transaction). */
  insertDelivery(id: number, to: string, bodyID: number): void {
    this.statements.insertDelivery.run(id, to, bodyID);
  }

  /** Up to `limit` unexpired copies for `userID` after delivery `afterID`, in order. */
  pendingFor(userID: string, afterID: number, nowMs: number, limit: number): PendingCopy[] {
    return this.pendingStatement(limit).all(userID, afterID, nowMs).map((r) => ({
      delivery: r.delivery,
      id: r.id,
      msgID: r.msg_id,
      from: r.from_user,
      groupID: r.group_id,
      payload: r.payload,
      sentAt: r.sent_at,
      expiresAt: r.expires_at,
      call: r.call_invite === null || r.call_room === null ? null : { inviteID: r.call_invite, roomID: r.call_room },
    }));
  }

  /**
   * The page query with its `LIMIT` written in. Bound as a parameter (`LIMIT ?`), a read of a one-copy page cost 5-10
   * times as much (30-54 µs against 5.7 µs, `bench/server/storeCost.ts`; better-sqlite3 12: the same plan and bytecode
   * but for where the limit comes from), and a cluster node reads a page for every copy it moves to a stream (9% of its
   * CPU). One statement per limit asked for: the mailbox's page and the window's room (at most `PAGE` of them).
   */
  private pendingStatement(limit: number): Database.Statement<[string, number, number], CopyRow> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`a page of ${limit} copies`);
    let statement = this.pageStatements.get(limit);
    if (!statement) {
      statement = this.db.prepare<[string, number, number], CopyRow>(
        `SELECT d.id AS delivery, b.* FROM deliveries d JOIN bodies b ON b.id = d.body_id
         WHERE d.to_user = ? AND d.id > ? AND b.expires_at > ? ORDER BY d.id LIMIT ${limit}`,
      );
      this.pageStatements.set(limit, statement);
    }
    return statement;
  }

  /**
   * Deletes a copy (confirmed, or moved to a cluster's stream), and its body once no copy needs it. Says what it deleted:
   * the row may be gone already (its recipient confirmed it while a cluster's move of it waited for Redis, the purge took
   * it), and only the one that deletes it may uncount it (before 2026-12-06 night a move uncounted such a copy again).
   */
  removeCopy(delivery: number, userID: string, bodyID: number): Removed {
    const copy = this.statements.removeDelivery.run(delivery, userID).changes > 0;
    return { copy, body: this.statements.removeOrphan.run(bodyID, bodyID).changes > 0 };
  }

  /** Builds `bodies_sizes` where it is missing: false when it cannot be (the counts then read the payloads). */
  private buildSizesIndex(): boolean {
    try {
      this.db.exec(SIZES_INDEX);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether copy `delivery` is stored (not confirmed and deleted, nor expired). */
  hasCopy(delivery: number): boolean {
    return this.statements.hasCopy.get(delivery) !== undefined;
  }

  /** Drops expired messages; returns how many copies went. */
  expireMessages(nowMs: number): number {
    return this.db.transaction(() => {
      const copies = this.statements.expireDeliveries.run(nowMs).changes;
      this.statements.expireBodies.run(nowMs);
      return copies;
    })();
  }

  /** Copies waiting for confirmation. */
  storedCount(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  /** Payload bytes of all stored bodies. */
  storedBytes(): number {
    return this.statements.bytes.get()?.n ?? 0;
  }

  /** Every recipient's backlog. */
  backlogs(): Map<string, Backlog> {
    return new Map(this.statements.backlogs.all().map((r) => [r.user, { count: r.count, bytes: r.bytes }]));
  }

  /** Stored copies and their bytes, per sender and recipient. */
  senderBacklogs(): { from: string; to: string; count: number; bytes: number }[] {
    return this.statements.senderBacklogs.all();
  }

  /** Payload bytes of the stored bodies, per sender. */
  senderBodies(): { from: string; bytes: number }[] {
    return this.statements.senderBodies.all();
  }

  /** Throws when the database is unusable. */
  check(): void {
    this.statements.health.get();
  }

  close(): void {
    this.db.close();
  }
}
