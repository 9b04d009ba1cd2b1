/**
 * Rows keyed "inviter inviteID" (what the journal writes since 2026-12-05; below, exactly what it writes for
 * Alice inviting Bob and his laptop declining) read back after a restart. Found by the second review of the
 * day's ledger change: a migration then renamed every row of a database without its marker, these too, and
 * the laptop's decline was lost (the phone's accept passed: two answers to the caller).
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnswers } from '../../server/answerJournal';
import { TurnCommit } from '../../server/commit';
import { type Logger, systemClock } from '../../server/options';

describe('a journal of keys naming the inviter, opened again', () => {
  const dbs: Database.Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
  });
  const logger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const clock = { ...systemClock, now: () => 1_000_000 };
  it('the laptop declined before the upgrade -> after it, the phone may not enter, and its accept does not pass', () => {
    const db = new Database(':memory:');
    dbs.push(db);
    db.exec(`
      CREATE TABLE answer_verdicts (user_id TEXT NOT NULL, invite_id TEXT NOT NULL, verdict TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (user_id, invite_id));
      CREATE TABLE answer_rooms (room_id INTEGER PRIMARY KEY, invites TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL);
      INSERT INTO answer_rooms VALUES (42, '[["alice inv-1",["bob"]]]', 1000000, 1);
      INSERT INTO answer_verdicts VALUES ('bob', 'alice inv-1', '{"by":"laptop","passed":true}', 1000000, 2);`);
    const commit = new TurnCommit((w) => db.transaction(() => w.forEach((x) => x()))(), () => undefined, (e) => { throw e; });
    const ledger = durableAnswers(db, commit, { clock, offlineTtlMs: 60_000, logger });
    expect({
      phoneEnters: ledger.enter('bob', 'phone', 42),
      phoneAcceptPasses: ledger.pass('bob', 'phone', { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' }, ['phone', 'laptop']),
      rows: db.prepare('SELECT invite_id FROM answer_verdicts ORDER BY seq').pluck().all(),
    }).toEqual({ phoneEnters: false, phoneAcceptPasses: false, rows: ['alice inv-1'] });
  });
});
