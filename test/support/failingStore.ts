/**
 * A server's SQLite file made to refuse every insert into a table, as a full disk does, through a second connection
 * (the server must share its file: `sharedDatabase`, or a cluster node's own). The one way the tests make a store fail.
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
