/**
 * A recount of the store in slices (`server/recount.ts`). Until 2026-12-07 a recount read every copy stored in one
 * synchronous pass, 5 µs a copy here (`bench/server/recountCost.ts`): 5 s of the server's only thread at the store's
 * default bound of 1M copies, past a cluster node's heartbeat (its key lives 3.5 s), so that the other nodes could
 * take it for gone while it counted. Now each step of a recount reads at most `SLICE_COPIES` copies (or one key's,
 * if it alone holds more), on the server's clock, the event loop free between two steps.
 */
import { describe, expect, it } from 'vitest';
import { SLICE_COPIES } from '../../server/recount';
import { recountWorld } from './recountWorld';

const pad = (i: number) => String(i).padStart(2, '0');
const SENDERS = Array.from({ length: 10 }, (_, i) => `s${pad(i)}`);
const RECIPIENTS = Array.from({ length: 40 }, (_, i) => `r${pad(i)}`);

describe('a recount, a slice at a time', () => {
  it(`20,000 copies stored (10 senders x 2,000, 40 recipients x 500), 100 more purged behind the counts -> steps of 4,000 copies at most (${SLICE_COPIES} asked), each its own turn; the counts are the store's`, async () => {
    const w = recountWorld();
    for (let i = 0; i < 20_000; i++) w.send(SENDERS[i % 10] as string, [RECIPIENTS[Math.floor(i / 10) % 40] as string]);
    for (let i = 0; i < 100; i++) w.send('s00', [i % 2 ? 'x1' : 'x0']);
    w.endTurn();
    // The hourly purge deletes rows and counts nothing down: the recount after it does.
    w.store.db.exec("DELETE FROM deliveries WHERE to_user IN ('x0', 'x1'); DELETE FROM bodies WHERE id NOT IN (SELECT body_id FROM deliveries)");
    const users = [...SENDERS, ...RECIPIENTS, 'x0', 'x1'];
    expect(w.kept(users)).not.toEqual(w.truth(users));
    const result = w.recounted();
    expect(w.steps).toEqual([]); // asked: nothing read yet, in the asker's turn
    while (w.step());
    const slice = (reads: string) => ({ reads: [reads], copies: 4000 });
    expect(w.steps).toEqual([...Array(5).fill(slice('recipients')), ...Array(5).fill(slice('senders')), { reads: ['unseen'], copies: 0 }]);
    expect(await result).toEqual({ copies: 20_000, off: true });
    expect(w.kept(users)).toEqual(w.truth(users));
    expect(w.failures).toEqual([]);
  });

  it('a slice of 1,000 copies; recipients a (300), b (2,500), c (300), d (300) -> a; b alone (it holds more than a slice); c and d', async () => {
    const w = recountWorld(1000);
    for (const [to, n] of [['a', 300], ['b', 2500], ['c', 300], ['d', 300]] as const) for (let i = 0; i < n; i++) w.send('s', [to]);
    w.endTurn();
    const result = w.recounted();
    while (w.step());
    expect(w.steps.filter((s) => s.reads.includes('recipients')).map((s) => s.copies)).toEqual([300, 2500, 600]);
    expect(w.steps.filter((s) => s.reads.includes('senders')).map((s) => s.copies)).toEqual([3400]); // one sender: one key
    expect(await result).toEqual({ copies: 3400, off: false });
  });

  it('the store\'s indexes could not be built (the disk full) -> a recount reads each side in one step, as before; the counts are the store\'s', async () => {
    const w = recountWorld(1000, false);
    for (let i = 0; i < 5000; i++) w.send(`s${i % 7}`, [`r${i % 13}`]);
    w.endTurn();
    w.store.db.exec('DELETE FROM deliveries WHERE id % 10 = 0');
    const result = w.recounted();
    while (w.step());
    expect(w.steps).toEqual([
      { reads: ['recipients'], copies: 4500 },
      { reads: ['senders'], copies: 4500 },
    ]);
    expect(await result).toEqual({ copies: 4500, off: true });
    const users = [...Array(13).keys()].map((i) => `r${i}`).concat([...Array(7).keys()].map((i) => `s${i}`));
    expect(w.kept(users)).toEqual(w.truth(users));
  });

  it('a group message to 3 recipients and a held one -> counted as the mailer counts them (a copy each, the body once), nothing off', async () => {
    const w = recountWorld(2);
    w.send('alice', ['bob', 'carol', 'dave'], 7);
    const h = w.hold('alice', ['bob', 'erin'], 5);
    w.endTurn();
    const result = w.recounted();
    while (w.step());
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
    expect(await result).toEqual({ copies: 5, off: false });
    expect(w.kept(users)).toMatchObject({ copies: 5, bytes: 12, senders: { alice: { count: 5, bytes: 12 } }, backlogs: { bob: { count: 2, bytes: 12 }, erin: { count: 1, bytes: 5 } } });
    expect(w.kept(users)).toEqual(w.truth(users));
    expect(h.rows.size).toBe(2);
  });

  it('stop() between two steps (the server closes) -> no step reads the store after it, nobody is told, no timer is left', async () => {
    const w = recountWorld(100);
    for (let i = 0; i < 1000; i++) w.send(`s${i % 7}`, [`r${i % 13}`]);
    w.endTurn();
    let told = 0;
    w.recount.request(
      () => told++,
      () => told++,
    );
    w.step();
    w.step();
    const read = w.steps.length;
    w.recount.stop();
    w.store.close(); // a step now would throw: "The database connection is not open"
    w.recount.request(() => told++); // a move of the closing node asks again
    while (w.step());
    expect({ read, after: w.steps.length, told, timers: w.clock.pending, failures: w.failures }).toEqual({ read: 2, after: 2, told: 0, timers: 0, failures: [] });
  });

  it('a step fails (the store fails its reads) -> the pass ends, its askers told; the next pass counts all again', async () => {
    const w = recountWorld(100);
    for (let i = 0; i < 1000; i++) w.send(`s${i % 7}`, [`r${i % 13}`]);
    w.endTurn();
    const failed = w.recounted().then(
      () => 'done',
      (error: unknown) => String(error),
    );
    w.step();
    w.breakReads(true);
    w.step();
    w.breakReads(false);
    expect(await failed).toBe('Error: no such table: deliveries');
    expect(w.clock.pending).toBe(0);
    w.store.db.exec('DELETE FROM deliveries WHERE id % 10 = 0'); // 100 copies gone uncounted
    const again = w.recounted();
    while (w.step());
    expect(await again).toEqual({ copies: 900, off: true });
    const users = [...Array(13).keys()].map((i) => `r${i}`).concat([...Array(7).keys()].map((i) => `s${i}`));
    expect(w.kept(users)).toEqual(w.truth(users));
  });

  it('asked 3 times while a pass runs -> one more pass after it, whose askers are the 3', async () => {
    const w = recountWorld(100);
    for (let i = 0; i < 500; i++) w.send(`s${i % 5}`, [`r${i % 5}`]);
    w.endTurn();
    const told: string[] = [];
    w.recount.request(() => told.push('first'));
    w.step();
    for (const n of ['a', 'b', 'c']) w.recount.request(() => told.push(n));
    let steps = 0;
    while (w.step()) steps++;
    expect(told).toEqual(['first', 'a', 'b', 'c']);
    // The rest of the first pass (4 more recipients' slices, 5 senders', step 3), then the second (5, 5, 1).
    expect(steps).toBe(4 + 5 + 1 + 5 + 5 + 1);
  });
});
