/**
 * Crash audit (2026-12-06), cluster: what ends a node's process. A node's timers run on its injected clock (real
 * time in production, where a throw in one is an uncaught exception; a `SimulatedClock` here, where it rejects the
 * `advance` that ran it).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, rawClient, sendC2C, until } from './support';
import { watchEachTest } from '../support/processWatch';

describe('cluster crash audit', () => {
  const t = inProcessNodes();
  const reached = watchEachTest();

  it('Bob (node b) is sent copies while his node\'s store fails its reads (an I/O error): the recount after the move is logged, not thrown from its timer', async () => {
    const [a, b] = [await t.node('a'), await t.node('b', { sharedDatabase: true })];
    const bob = await t.login(b, 'bob');
    const alice = await t.login(a, 'alice');
    await until('bob claimed on b', () => t.redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const db = new Database(b.dbPath);
    db.exec('ALTER TABLE deliveries RENAME TO deliveries_gone'); // the store breaks: reads and writes
    expect((await sendC2C(alice, 'bob', 'hello')).type).toBe('ack');
    await until('node b failed to take it in', () => b.logs.some((l) => l.message === 'could not commit to the store'), (failed) => failed);
    // The take-in counted the backlogs again a moment later (250 ms), from the store: the read threw out of the timer.
    const advanced = await b.clock.advance(1000).then(() => 'ran', (error: unknown) => `threw ${String(error)}`);
    db.exec('ALTER TABLE deliveries_gone RENAME TO deliveries');
    db.close();
    expect(advanced).toBe('ran');
    expect(b.logs.filter((l) => l.fields?.what === 'recount').map((l) => l.fields?.error)).toEqual(['no such table: deliveries']);
    bob.terminate();
  }, 30_000);

  it('a group\'s history grows past its compaction mark while the node\'s store fails its reads: the compaction is logged, not an unhandled rejection', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url, sharedDatabase: true });
    const alice = await t.login(a, 'alice');
    const bob = await t.login(a, 'bob');
    expect(await alice.request({ type: 'groupCreate', groupID: 'g', members: [], joinRule: 'open' })).toMatchObject({ type: 'groupInfo' });
    // 64 changes in the group's history (its compaction mark, COMPACT_AT); the next one compacts it.
    for (let i = 0; i < 63; i++) expect((await bob.request({ type: i % 2 ? 'groupQuit' : 'groupJoin', groupID: 'g' })).type).not.toBe('error');
    const history = () => t.redis.llen(`${t.prefix}:h:g:g`);
    // An ack goes before its change reaches Redis (the change is shared after it): waited for, not read at once.
    expect(await until('64 changes in Redis', history, (n) => n >= 64)).toBe(64);
    // Redis's answer to the next change is held; its publication, sent by the same script, reaches node a first
    // (as it often does: Redis writes to the subscriber first), known once a marker published after it is heard.
    proxy.mute();
    expect((await bob.request({ type: 'groupQuit', groupID: 'g' })).type).toBe('ack');
    await until('the change in Redis', history, (n) => n === 65);
    await t.redis.publish(`${t.prefix}:n:a`, JSON.stringify({ t: 'marker' }));
    await until('node a heard the change, then the marker', () => a.logs.some((l) => l.fields?.t === 'marker'), (heard) => heard);
    const db = new Database(a.dbPath);
    db.exec('ALTER TABLE groups RENAME TO groups_gone'); // the store breaks
    // The answer comes: the compaction, due at once (its change was heard), read the group from the store in the
    // answer's handler, whose promise nobody held: an unhandled rejection, the end of the process.
    proxy.unmute();
    const failed = () => a.logs.filter((l) => l.message === 'cluster: a history could not be compacted').length + reached.length;
    await until('the compaction tried', failed, (n) => n > 0);
    db.exec('ALTER TABLE groups_gone RENAME TO groups');
    db.close();
    expect(reached).toEqual([]);
    expect(a.logs.filter((l) => l.message === 'cluster: a history could not be compacted').map((l) => l.fields)).toEqual([{ t: 'group', id: 'g', error: 'SqliteError: no such table: groups' }]);
    alice.terminate();
    bob.terminate();
  }, 30_000);
});
