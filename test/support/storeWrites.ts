/**
 * What a server writes to its SQLite file, seen from outside it: triggers, made through a second connection (the server
 * must share its file: `sharedDatabase`), log each insert into and delete from `deliveries` (a message copy's row) in a
 * table of their own. The server's code is not touched: what it writes, through whichever path, is what they see.
 */
import Database from 'better-sqlite3';

/** The copies' rows written to the database at `dbPath` from now on. */
export interface StoreWrites {
  /** Delivery ids inserted, in order. */
  inserted(): number[];
  /** Delivery ids deleted, in order. */
  deleted(): number[];
  close(): void;
}

export function storeWrites(dbPath: string): StoreWrites {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS test_writes (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, delivery INTEGER NOT NULL);
    CREATE TRIGGER IF NOT EXISTS test_inserted AFTER INSERT ON deliveries BEGIN INSERT INTO test_writes (op, delivery) VALUES ('insert', NEW.id); END;
    CREATE TRIGGER IF NOT EXISTS test_deleted AFTER DELETE ON deliveries BEGIN INSERT INTO test_writes (op, delivery) VALUES ('delete', OLD.id); END;
  `);
  const of = db.prepare<[string], { delivery: number }>('SELECT delivery FROM test_writes WHERE op = ? ORDER BY seq');
  return {
    inserted: () => of.all('insert').map((r) => r.delivery),
    deleted: () => of.all('delete').map((r) => r.delivery),
    close: () => db.close(),
  };
}
