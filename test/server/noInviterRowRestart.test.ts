/**
 * Found by the third review of 2026-12-05: a row the journal writes for an answer naming no inviter (key " inviteID": a group
 * answer of an older client) is dropped at the next start, though in memory it keeps the user's other devices'
 * answers out. Two older devices of Bob answer Alice's group call: the laptop declines, a restart, the phone's
 * accept passed too (two answers to the caller). Such rows read again now.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnswers } from '../../server/answerJournal';
import { TurnCommit } from '../../server/commit';
import { type Logger, systemClock } from '../../server/options';

describe('a journal row of an answer naming no inviter, after a restart', () => {
  const dbs: Database.Database[] = [];
  const warnings: unknown[] = [];
  afterEach(() => {
    for (const db of dbs.splice(0)) db.close();
    warnings.length = 0;
  });
  const logger: Logger = { info: () => undefined, warn: (m, f) => void warnings.push([m, f]), error: () => undefined };
  const clock = { ...systemClock, now: () => 1_000_000 };
  const open = (db: Database.Database) => {
    const commit = new TurnCommit((w) => db.transaction(() => w.forEach((x) => x()))(), () => undefined, (e) => { throw e; });
    return { ledger: durableAnswers(db, commit, { clock, offlineTtlMs: 60_000, logger }), commit };
  };
  it('laptop (older client) declines, no inviter; restart -> the phone\'s accept (no inviter) still does not pass, nothing dropped', () => {
    const db = new Database(':memory:');
    dbs.push(db);
    const { ledger, commit } = open(db);
    ledger.invited('alice', 'inv-1', 42, ['bob']);
    expect(ledger.pass('bob', 'laptop', { inviteID: 'inv-1', kind: 'reject' }, ['phone', 'laptop'])).toBe(true);
    commit.flush();
    // Same process: the phone's accept is held.
    expect(ledger.pass('bob', 'phone', { inviteID: 'inv-1', kind: 'accept' }, ['phone', 'laptop'])).toBe(false);
    const after = open(db).ledger;
    expect({
      phoneAcceptPassesAfterRestart: after.pass('bob', 'phone', { inviteID: 'inv-1', kind: 'accept' }, ['phone', 'laptop']),
      warnings,
    }).toEqual({ phoneAcceptPassesAfterRestart: false, warnings: [] });
  });
});
