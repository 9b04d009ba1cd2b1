/**
 * The store's counts read in slices (`recount.ts`): each recipient's backlog, each sender's copies per recipient and
 * bodies' bytes, for the keys of one range at a time, `[lo, hi)` in SQLite's order of the keys (BINARY: never compared
 * in JavaScript). A slice ends before the key of the copy that would make it hold more than the copies asked for, so
 * it counts at most that many, or one key's own if that key alone holds more (a recipient's backlog, a sender's quota:
 * 1,000 and 10,000 by default). The ends are found by walking the indexes (`deliveries_by_recipient`,
 * `bodies_by_sender`), which read no payload; so do the counts (`bodies_sizes`).
 *
 * Without `bodies_sizes` or `bodies_by_sender` (they could not be built: the disk full), a range has no end: one slice
 * holds every key, read in one step as before 2026-12-07.
 */
import type Database from 'better-sqlite3';

/** One key's stored copies and their payload bytes. */
export interface Count {
  readonly key: string;
  readonly count: number;
  readonly bytes: number;
}

/** What some senders store: their copies per recipient, and their bodies' bytes (a body counts once). */
export interface SenderCounts {
  readonly pairs: readonly { readonly from: string; readonly to: string; readonly count: number; readonly bytes: number }[];
  readonly bodies: readonly { readonly from: string; readonly bytes: number }[];
}

/** Which keys a slice ranges over. */
export type Side = 'recipients' | 'senders';

type Key = { key: string };

/** What a recount reads of the store (`recount.ts`). */
export type CountReader = Pick<StoreCounts, 'end' | 'recipients' | 'recipient' | 'senders' | 'sender'>;

/** Read-only statements over the store's tables (the store's own connection: one thread, no snapshot to keep). */
export class StoreCounts {
  /** False when an index is missing: a slice then holds every key ({@link StoreCounts.end} is null). */
  readonly sliced: boolean;
  private readonly q;

  constructor(db: Database.Database, indexed: { readonly sizes: boolean; readonly senders: boolean }) {
    this.sliced = indexed.sizes && indexed.senders;
    const sized = indexed.sizes ? 'INDEXED BY bodies_sizes' : '';
    const bySender = indexed.senders ? 'INDEXED BY bodies_by_sender' : '';
    const size = 'coalesce(sum(length(CAST(b.payload AS BLOB))), 0)';
    // The copies of `d.to_user` / `b.from_user` in a range: `>= ? AND < ?`, `>= ?` (to the end), `= ?` (one key).
    const where = { range: (k: string) => `${k} >= ? AND ${k} < ?`, tail: (k: string) => `${k} >= ?`, one: (k: string) => `${k} = ?` };
    const recipients = (w: string) =>
      `SELECT d.to_user AS key, count(*) AS count, ${size} AS bytes FROM deliveries d INDEXED BY deliveries_by_recipient
       JOIN bodies b ${sized} ON b.id = d.body_id WHERE ${w} GROUP BY d.to_user`;
    // The bodies first (CROSS JOIN: SQLite keeps the order), in the senders' order, then each one's copies.
    const pairs = (w: string) =>
      `SELECT b.from_user AS "from", d.to_user AS "to", count(*) AS count, ${size} AS bytes FROM bodies b ${bySender}
       CROSS JOIN deliveries d INDEXED BY deliveries_by_body ON d.body_id = b.id WHERE ${w} GROUP BY b.from_user, d.to_user`;
    const bodies = (w: string) => `SELECT b.from_user AS "from", ${size} AS bytes FROM bodies b ${bySender} WHERE ${w} GROUP BY b.from_user`;
    const r = 'd.to_user';
    const s = 'b.from_user';
    this.q = {
      recipients: {
        first: db.prepare<[string], Key>('SELECT to_user AS key FROM deliveries INDEXED BY deliveries_by_recipient WHERE to_user >= ? ORDER BY to_user LIMIT 1'),
        // The recipient of the copy at an offset from `lo`, in their order (the index alone: no body read).
        at: db.prepare<[string, number], Key>('SELECT to_user AS key FROM deliveries INDEXED BY deliveries_by_recipient WHERE to_user >= ? ORDER BY to_user LIMIT 1 OFFSET ?'),
        next: db.prepare<[string], Key>('SELECT to_user AS key FROM deliveries INDEXED BY deliveries_by_recipient WHERE to_user > ? ORDER BY to_user LIMIT 1'),
        range: db.prepare<[string, string], Count>(recipients(where.range(r))),
        tail: db.prepare<[string], Count>(recipients(where.tail(r))),
        one: db.prepare<[string], Count>(recipients(where.one(r))),
      },
      senders: {
        first: db.prepare<[string], Key>(`SELECT b.from_user AS key FROM bodies b ${bySender} WHERE b.from_user >= ? ORDER BY b.from_user LIMIT 1`),
        // A body with no copy left counts as one (LEFT JOIN): the slice reads it too.
        at: db.prepare<[string, number], Key>(
          `SELECT b.from_user AS key FROM bodies b ${bySender} LEFT JOIN deliveries d INDEXED BY deliveries_by_body ON d.body_id = b.id
           WHERE b.from_user >= ? ORDER BY b.from_user LIMIT 1 OFFSET ?`,
        ),
        next: db.prepare<[string], Key>(`SELECT b.from_user AS key FROM bodies b ${bySender} WHERE b.from_user > ? ORDER BY b.from_user LIMIT 1`),
        pairs: { range: db.prepare<[string, string], SenderCounts['pairs'][number]>(pairs(where.range(s))), tail: db.prepare<[string], SenderCounts['pairs'][number]>(pairs(where.tail(s))), one: db.prepare<[string], SenderCounts['pairs'][number]>(pairs(where.one(s))) },
        bodies: { range: db.prepare<[string, string], SenderCounts['bodies'][number]>(bodies(where.range(s))), tail: db.prepare<[string], SenderCounts['bodies'][number]>(bodies(where.tail(s))), one: db.prepare<[string], SenderCounts['bodies'][number]>(bodies(where.one(s))) },
      },
    };
  }

  /**
   * Where the slice of `side` from `lo` ends (exclusive): before the key of its copy number `copies` + 1, so that it
   * holds at most `copies`; after the first key from `lo` if that one alone holds more. Null: it runs to the end (fewer
   * copies are left, or the counts are not {@link StoreCounts.sliced}).
   */
  end(side: Side, lo: string, copies: number): string | null {
    if (!this.sliced) return null;
    const q = this.q[side];
    const first = q.first.get(lo)?.key;
    if (first === undefined) return null;
    const at = q.at.get(first, copies)?.key;
    if (at === undefined) return null;
    return at !== first ? at : (q.next.get(first)?.key ?? null);
  }

  /** The backlogs of the recipients in `[lo, hi)` (`hi` null: to the end). */
  recipients(lo: string, hi: string | null): Count[] {
    return hi === null ? this.q.recipients.tail.all(lo) : this.q.recipients.range.all(lo, hi);
  }

  /** One recipient's backlog (none: nothing stored for it). */
  recipient(to: string): Count | undefined {
    return this.q.recipients.one.get(to);
  }

  /** What the senders in `[lo, hi)` store (`hi` null: to the end). */
  senders(lo: string, hi: string | null): SenderCounts {
    const { pairs, bodies } = this.q.senders;
    return hi === null ? { pairs: pairs.tail.all(lo), bodies: bodies.tail.all(lo) } : { pairs: pairs.range.all(lo, hi), bodies: bodies.range.all(lo, hi) };
  }

  /** What one sender stores. */
  sender(from: string): SenderCounts {
    const { pairs, bodies } = this.q.senders;
    return { pairs: pairs.one.all(from), bodies: bodies.one.all(from) };
  }
}
