/**
 * Crash audit (2026-12-06), cluster: what ends a node's process. A node's timers run on its injected clock (real
 * time in production, where a throw in one is an uncaught exception; a `SimulatedClock` here, where it rejects the
 * `advance` that ran it).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, rawClient, sendC2C, until } from './support';

describe('cluster crash audit', () => {
  const t = inProcessNodes();

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
});
