/**
 * A server's SQLite file made to refuse every insert into a table, as a full disk does, or every read of one, through a
 * second connection (the server must share its file: `sharedDatabase`, or a cluster node's own). The ways the tests make
 * a store fail.
 */
import Database from 'better-sqlite3';

/** Inserts into `table` of the database at `dbPath` fail ('disk full') until the returned function heals it. */
export function failingInserts(dbPath: string, table = 'bodies'): () => void {
  const db = new Database(dbPath);
  db.exec(`CREATE TRIGGER fail BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
  return () => {
    db.exec('DROP TRIGGER fail');
    db.close();
  };
}

/**
 * Every statement on `table` of the database at `dbPath` fails ('no such table'), reads included, as an I/O error fails
 * them, until the returned function heals it: the table is renamed away and back.
 */
export function failingReads(dbPath: string, table: string): () => void {
  const db = new Database(dbPath);
  db.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  return () => {
    db.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
    db.close();
  };
}
