/**
 * The answer journal as the server starts it (`new Hub`, `server/answerJournal.ts` through `server/mail.ts`): the
 * rows of a call older than the offline lifetime are kept while its grant lives, the grants are asked without
 * being changed (the mailer is not made yet), and the rows past the lifetime go in one transaction. From the
 * review of 2026-12-06 (morning) of the change that kept them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { durableAnswers } from '../../server/answerJournal';
import { TurnCommit } from '../../server/commit';
import { Hub } from '../../server/hub';
import { type Logger, resolveOptions, systemClock } from '../../server/options';
import { Store } from '../../server/store';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the answer journal at the start of a server with many devices', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hc-journal-'));
    dirs.push(dir);
    return join(dir, 'c.db');
  };
  /** A server's hub over one database file, on a clock the test moves (offline lifetime 60 s). */
  const server = () => {
    const clock = { ...systemClock, now: () => time };
    let time = 10_000_000;
    const options = resolveOptions({ dbPath: tempDb(), sdkAppId: 1, secretKey: 'k', multiDevice: true, offlineTtlMs: 60_000, logger: silent, clock });
    const open = () => {
      const store = new Store(options.dbPath);
      const commit = new TurnCommit((writes) => store.transact(writes), (fn) => fn(), (error) => {
        throw error;
      });
      try {
        return { hub: new Hub(options, store, commit), store, commit };
      } catch (error) {
        store.close();
        throw error;
      }
    };
    return { open, advance: (ms: number) => (time += ms), now: () => time };
  };

  it('Alice invites Bob and Carol to room 7, Bob reject() on his phone, Carol is in the call past the lifetime; a restart -> his laptop is still kept out', () => {
    const s = server();
    const first = s.open();
    expect(first.hub.grants.grant('alice', 7, ['bob', 'carol'], s.now() + 300_000, s.now())).toBeNull();
    first.hub.mailer.answers.invited('alice', 'i1', 7, ['bob', 'carol']);
    expect(first.hub.mailer.answers.pass('bob', 'phone', { inviteID: 'i1', inviter: 'alice', kind: 'reject' }, ['phone', 'laptop'])).toBe(true);
    first.hub.grants.occupied(7, 'carol');
    first.commit.flush();
    s.advance(120_000);
    first.store.close();
    const second = s.open();
    try {
      expect(second.hub.grants.describe?.(7, s.now())).not.toBeNull();
      expect(second.hub.mailer.answers.enter('bob', 'laptop', 7, false)).toBe(false);
    } finally {
      second.store.close();
    }
  });

  it('a room invited to past the lifetime, left on purpose (its grant lingers 5 s), the server stopped within the linger -> every later start succeeds (asking the grants ended none while the mailer was being made)', () => {
    const s = server();
    const first = s.open();
    expect(first.hub.grants.grant('alice', 7, ['bob'], s.now() + 30_000, s.now())).toBeNull();
    first.hub.mailer.answers.invited('alice', 'i1', 7, ['bob']);
    first.hub.grants.occupied(7, 'alice');
    s.advance(120_000);
    first.hub.grants.vacated(7, s.now(), true);
    first.commit.flush();
    first.store.close();
    s.advance(10_000);
    const second = s.open();
    expect(second.hub.grants.describe?.(7, s.now())).toBeNull();
    second.store.close();
    s.advance(600_000);
    expect(() => s.open().store.close()).not.toThrow();
  });

  it('1,000 answers and 1,000 rooms past the lifetime, no grant living -> they go at start in one transaction each, not a commit each (12.6 s for 200,000, 46 s for 20,000 with --fsync, when they did)', () => {
    const path = tempDb();
    const seed = new Store(path);
    durableAnswers(seed.db, new TurnCommit(() => undefined, () => undefined, () => undefined), { clock: { ...systemClock, now: () => 0 }, offlineTtlMs: 1, logger: silent });
    const verdict = seed.db.prepare('INSERT INTO answer_verdicts (user_id, invite_id, verdict, at, seq) VALUES (?, ?, ?, 0, ?)');
    const room = seed.db.prepare('INSERT INTO answer_rooms VALUES (?, ?, 0, ?)');
    seed.db.transaction(() => {
      for (let i = 0; i < 1_000; i++) verdict.run(`u${i % 50}`, `alice i${i}`, '{"by":"phone","passed":true}', i);
      for (let i = 0; i < 1_000; i++) room.run(i + 1, `[["alice r${i}",["bob"]]]`, 1_000 + i);
    })();
    seed.close();
    const store = new Store(path);
    // Every write run outside a transaction is a commit of its own.
    let commits = 0;
    const db = new Proxy(store.db, {
      get(target, key) {
        if (key === 'prepare') {
          return (sql: string) => {
            const statement = target.prepare(sql);
            const run = statement.run.bind(statement);
            return Object.assign(statement, { run: (...args: unknown[]) => ((commits += target.inTransaction ? 0 : 1), run(...args)) });
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Database.Database;
    const commit = new TurnCommit((writes) => store.transact(writes), () => undefined, (error) => {
      throw error;
    });
    durableAnswers(db, commit, { clock: { ...systemClock, now: () => 8 * 86_400_000 }, offlineTtlMs: 7 * 86_400_000, logger: silent });
    expect(store.db.prepare('SELECT (SELECT count(*) FROM answer_verdicts) + (SELECT count(*) FROM answer_rooms)').pluck().get()).toBe(0);
    store.close();
    expect(commits).toBeLessThanOrEqual(4);
  });
});
