/**
 * A copy for a user with no session on its sender's node, held by write-behind and moved to the user's stream from
 * memory (`server/cluster/outbox.ts`): within the window it never touches the sending node's SQLite, neither insert nor
 * delete (before: every copy crossing nodes was committed there, read back, moved and deleted). In order with the copies
 * stored for the same user; moved or written before its sender's ack, never dropped: a move that fails is written at
 * once, and one still on its way when the window ends is written and deleted as a stored copy is. What node a writes is
 * seen by triggers on its file (`storeWrites.ts`). In-process nodes on one Redis (a key prefix of their own), simulated
 * clocks: the window ends only when a test moves node a's clock.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '../server/support';
import { sendTogether } from '../server/support';
import { type StoreWrites, storeWrites } from '../support/storeWrites';
import { inProcessNodes, movesDone, payloads, sendC2C, settleMoves, until } from './support';

const WINDOW = 200;

describe('cluster: a held copy moves to its stream from memory', () => {
  const t = inProcessNodes();
  let writes: StoreWrites | null = null;
  afterEach(() => {
    writes?.close();
    writes = null;
  });

  /** Node a (through a proxy to Redis, its file watched) with Alice on it, node b; both with a write-behind window. */
  async function nodes(more: Parameters<typeof t.node>[1] = {}) {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url, writeBehindMs: WINDOW, sharedDatabase: true, ...more });
    const b = await t.node('b', { writeBehindMs: WINDOW });
    writes = storeWrites(a.dbPath);
    const alice = await t.login(a, 'alice');
    return { pa, a, b, alice, writes };
  }

  /** What Bob's stream holds, by payload, in order. */
  const streamed = async () => (await t.redis.xrange(`${t.prefix}:i:bob`, '-', '+')).map(([, fields]) => String((JSON.parse(fields[1] as string) as { payload: string }).payload));

  /** Bob logs in on `server` and is given `count` messages; their payloads, in order. */
  async function bobGets(server: Parameters<typeof t.login>[0], count: number, bob?: RawClient): Promise<string[]> {
    const c = bob ?? (await t.login(server, 'bob'));
    await until(`bob given ${count}`, () => payloads(c).length, (n) => n >= count);
    await c.sync();
    return payloads(c);
  }

  it('Alice (node a) -> Bob (node b) m1, m2 -> acked without the window ending; node a never inserts nor deletes a row of them; Bob is given m1, m2, once', async () => {
    const { a, b, alice, writes } = await nodes();
    const bob = await t.login(b, 'bob');
    for (const p of ['m1', 'm2']) expect(await sendC2C(alice, 'bob', p)).toMatchObject({ type: 'ack' });
    expect(await bobGets(b, 2, bob)).toEqual(['m1', 'm2']);
    await settleMoves(a);
    expect({ inserted: writes.inserted(), deleted: writes.deleted() }).toEqual({ inserted: [], deleted: [] });
    expect(a.handle.metrics()).toMatchObject({ heldMoved: 2, heldNow: 0, heldBytes: 0, storedNow: 0, cluster: { forwarded: 2, recountsOff: 0 } });
  });

  it('Alice -> Bob (offline) b1 (stored: past what may be held), s2 (held), b3 (stored), s4 (held) in one turn -> his stream holds them in that order; only b1, b3 touched node a\'s SQLite; he is given them in order', async () => {
    const { a, b, alice, writes } = await nodes({ writeBehindMaxBytes: 1000 });
    const big = (tag: string) => `${tag}${'x'.repeat(2000)}`;
    const sent = [big('b1'), 's2', big('b3'), 's4'];
    sendTogether(alice, sent.map((payload, i) => ({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false, rid: 100 + i })));
    for (let i = 0; i < sent.length; i++) expect(await alice.next((f) => f.rid === 100 + i)).toMatchObject({ type: 'ack' });
    await movesDone(a);
    expect((await streamed()).map((p) => p.slice(0, 2))).toEqual(['b1', 's2', 'b3', 's4']);
    expect({ inserted: writes.inserted().length, deleted: writes.deleted().length, moved: a.handle.metrics().heldMoved }).toEqual({ inserted: 2, deleted: 2, moved: 2 });
    expect((await bobGets(b, 4)).map((p) => p.slice(0, 2))).toEqual(['b1', 's2', 'b3', 's4']);
    await settleMoves(a);
    expect(a.handle.metrics()).toMatchObject({ heldNow: 0, heldBytes: 0, storedNow: 0, cluster: { recountsOff: 0 } });
  });

  it("Alice -> Bob (offline) m, its move held up in Redis past the window -> m written on node a, Alice not acked until the move ends; then m's row goes, and m is in his stream once", async () => {
    const { pa, a, alice, writes } = await nodes();
    pa.hold();
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'm', onlineUserOnly: false, rid: 50 });
    await until('the move on its way', () => pa.holding().includes(`${t.prefix}:i:bob`), (ok) => ok);
    await a.clock.advance(WINDOW); // the window ends: m is written
    await until('m written', () => writes.inserted().length, (n) => n === 1);
    // A ping answered after the write: an ack sent as the write committed would have come before its pong.
    alice.send({ type: 'ping', rid: 51 });
    expect(await alice.next((f) => f.rid === 51)).toMatchObject({ type: 'pong' });
    expect(alice.frames.filter((f) => f.rid === 50)).toEqual([]); // stored, but a move of it still on its way: no ack yet
    pa.release();
    expect(await alice.next((f) => f.rid === 50)).toMatchObject({ type: 'ack' });
    await movesDone(a);
    expect({ inserted: writes.inserted(), deleted: writes.deleted(), stream: await streamed() }).toEqual({ inserted: writes.inserted(), deleted: writes.inserted(), stream: ['m'] });
    expect(a.handle.metrics()).toMatchObject({ heldMoved: 0, heldNow: 0, storedNow: 0 });
  });

  it('Alice -> Bob (offline) m while node a has lost Redis -> the move fails, m is written at once and Alice acked (no window waited); Redis back, m moves from the store; Bob is given it once', async () => {
    const { pa, a, b, alice, writes } = await nodes();
    pa.cut();
    expect(await sendC2C(alice, 'bob', 'm')).toMatchObject({ type: 'ack' });
    expect({ inserted: writes.inserted().length, held: a.handle.metrics().heldNow, stored: a.handle.metrics().storedNow }).toEqual({ inserted: 1, held: 0, stored: 1 });
    pa.restore();
    await until(
      'm moved to his stream',
      async () => {
        await a.clock.advance(1000); // the stranded copy's retry (its back-off runs on the node's clock)
        return streamed();
      },
      (s) => s.length > 0,
    );
    await movesDone(a);
    expect({ deleted: writes.deleted(), stream: await streamed() }).toEqual({ deleted: writes.inserted(), stream: ['m'] });
    expect(await bobGets(b, 1)).toEqual(['m']);
  });

  it("Alice invites Bob (offline), the commit of her turn (the room's grant) failing -> she hears it failed, and the held invitation never reaches his stream", async () => {
    const { a, alice, writes } = await nodes();
    const db = new Database(a.dbPath);
    db.exec("CREATE TRIGGER fail BEFORE INSERT ON room_grants BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const call = { inviteID: 'inv-1', roomID: 501, invitees: ['bob'], timeout: 600 };
    const answer = await alice.request({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, call });
    db.exec('DROP TRIGGER fail');
    db.close();
    expect(answer).toMatchObject({ type: 'error', code: 'unavailable' });
    await settleMoves(a);
    expect({ stream: await streamed(), inserted: writes.inserted() }).toEqual({ stream: [], inserted: [] });
    expect(a.handle.metrics()).toMatchObject({ heldMoved: 0, heldNow: 0, heldBytes: 0, storedNow: 0 });
  });
});
