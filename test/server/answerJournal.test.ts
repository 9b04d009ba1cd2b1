/**
 * The answer ledger's journal on its own (`server/answerJournal.ts`): what a ledger writes is
 * what a restart reads back, and a row it cannot read costs that row only, not the server's start.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnswers } from '../../server/answerJournal';
import { TurnCommit } from '../../server/commit';
import { type Logger, systemClock } from '../../server/options';

const answer = (inviteID: string, kind: 'accept' | 'reject' | 'busy' = 'reject') => ({ inviteID, kind }) as const;

describe('the answer journal', () => {
  const dbs: Database.Database[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    warnings.length = 0;
  });
  const warnings: unknown[] = [];
  const logger: Logger = { info: () => undefined, warn: (message, fields) => warnings.push([message, fields]), error: () => undefined };
  const clock = { ...systemClock, now: () => 1_000_000 };
  /** A ledger over `db` whose turns the test ends (`flush`), on a clock at 1,000 s. */
  const open = (db: Database.Database) => {
    const commit = new TurnCommit(
      (writes) => db.transaction(() => writes.forEach((w) => w()))(),
      () => undefined,
      (error) => {
        throw error;
      },
    );
    return { ledger: durableAnswers(db, commit, { clock, offlineTtlMs: 60_000, logger }), commit };
  };
  const fresh = () => {
    const db = new Database(':memory:');
    dbs.push(db);
    return db;
  };

  it('Bob reject() on his phone; a restart -> his laptop is not let into the room', () => {
    const db = fresh();
    const { ledger, commit } = open(db);
    ledger.invited('i1', 7, ['bob']);
    expect(ledger.pass('bob', 'phone', answer('i1'), ['phone', 'laptop'])).toBe(true);
    commit.flush();
    expect(open(db).ledger.enter('bob', 'laptop', 7)).toBe(false);
  });

  it('Bob reject() on his phone; his last device goes (the ledger forgets him) -> his laptop, back, is not let in; not even in the same turn, before the commit', () => {
    const db = fresh();
    const { ledger, commit } = open(db);
    ledger.invited('i1', 7, ['bob']);
    ledger.pass('bob', 'phone', answer('i1'), ['phone', 'laptop']);
    ledger.forget('bob');
    expect(ledger.enter('bob', 'laptop', 7, false)).toBe(false);
    commit.flush();
    ledger.forget('bob');
    expect(ledger.enter('bob', 'laptop', 7, false)).toBe(false);
  });

  it('Bob reject() on his phone, the ledger forgets him; Alice invites him into the room again -> his laptop may enter (the journal dropped the old answer)', () => {
    const db = fresh();
    const { ledger, commit } = open(db);
    ledger.invited('i1', 7, ['bob']);
    ledger.pass('bob', 'phone', answer('i1'), ['phone', 'laptop']);
    commit.flush();
    ledger.forget('bob');
    ledger.invited('i2', 7, ['bob']);
    commit.flush();
    expect(db.prepare('SELECT count(*) FROM answer_verdicts').pluck().get()).toBe(0);
    expect([ledger.enter('bob', 'laptop', 7), open(db).ledger.enter('bob', 'laptop', 7)]).toEqual([true, true]);
  });

  it('a row that does not read (not JSON, or JSON of another shape) is dropped at start; the others are restored and the server starts', () => {
    const db = fresh();
    const { ledger, commit } = open(db);
    ledger.invited('i1', 7, ['bob']);
    ledger.pass('bob', 'phone', answer('i1'), ['phone', 'laptop']);
    ledger.invited('i2', 8, ['carol']);
    ledger.pass('carol', 'tablet', answer('i2'), ['tablet', 'desk']);
    commit.flush();
    const at = 1_000_000;
    db.prepare('INSERT INTO answer_verdicts (user_id, invite_id, verdict, at, seq) VALUES (?, ?, ?, ?, ?)').run('dave', 'i3', '{"by":', at, 100);
    db.prepare('INSERT INTO answer_verdicts (user_id, invite_id, verdict, at, seq) VALUES (?, ?, ?, ?, ?)').run('erin', 'i4', 'null', at, 101);
    db.prepare('INSERT INTO answer_rooms (room_id, invites, at, seq) VALUES (?, ?, ?, ?)').run(9, '{"i5":1}', at, 102);
    db.prepare('INSERT INTO answer_rooms (room_id, invites, at, seq) VALUES (?, ?, ?, ?)').run(10, '[["i6",[1]]', at, 103);
    const again = open(db).ledger;
    expect([again.enter('bob', 'laptop', 7, false), again.enter('carol', 'desk', 8, false)]).toEqual([false, false]);
    expect(db.prepare('SELECT user_id FROM answer_verdicts ORDER BY seq').pluck().all()).toEqual(['bob', 'carol']);
    expect(db.prepare('SELECT room_id FROM answer_rooms ORDER BY seq').pluck().all()).toEqual([7, 8]);
    expect(warnings).toEqual([['answer rows that do not read were dropped', { rows: 4 }]]);
  });
});
