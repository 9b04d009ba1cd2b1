/**
 * `hc_cluster_recounts_off_total` (`recountPace.ts`): of a node's recounts after copies moved, those that found its
 * counts off what its store holds, copies or bytes in all. A recount reads its store in slices since 2026-12-07
 * (`server/recount.ts`), over many turns: it still counts once per recount, and says off when its slices together moved
 * the totals, as one pass comparing them before and after did. Here a row goes behind the node's back (a second
 * connection to its file), which no move counted.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, sendC2C, settleMoves, until } from './support';

describe('cluster: recounts that find the counts off', () => {
  const t = inProcessNodes();

  it('Carol (node a) holds 3 of Alice\'s copies; one row goes behind node a\'s back; Bob (node b) sends Carol two, one at a time -> two recounts, the first off', async () => {
    const a = await t.node('a', { sharedDatabase: true });
    const b = await t.node('b');
    const carol = await t.login(a, 'carol'); // confirms nothing
    const alice = await t.login(a, 'alice');
    for (const p of ['c1', 'c2', 'c3']) expect((await sendC2C(alice, 'carol', p)).type).toBe('ack');
    await until('carol was handed them', () => carol.ofType('message').length, (n) => n === 3);
    await settleMoves(a);
    const before = a.handle.metrics().cluster ?? { recounts: 0, recountsOff: 0 };
    const db = new Database(a.dbPath);
    db.exec('DELETE FROM deliveries WHERE id = (SELECT min(id) FROM deliveries)');
    db.close();
    const bob = await t.login(b, 'bob');
    const recounts: { recounts: number; recountsOff: number }[] = [];
    for (const p of ['b1', 'b2']) {
      expect((await sendC2C(bob, 'carol', p)).type).toBe('ack'); // node a takes it in from her stream: a move
      await until(`carol was handed ${p}`, () => carol.ofType('message').some((m) => m.payload === p), (ok) => ok);
      await settleMoves(a);
      const { recounts: n = 0, recountsOff: off = 0 } = a.handle.metrics().cluster ?? {};
      recounts.push({ recounts: n - before.recounts, recountsOff: off - before.recountsOff });
    }
    expect(recounts).toEqual([
      { recounts: 1, recountsOff: 1 },
      { recounts: 2, recountsOff: 1 },
    ]);
    expect(a.handle.metrics().storedNow).toBe(4); // c2, c3, b1, b2
  }, 30_000);
});
