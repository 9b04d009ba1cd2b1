/**
 * Attack: "a node that recounts all the time" (the night the cluster was attacked). A cluster node counts its store
 * again from SQLite after copies moved between it and the streams (`StreamMailbox`), a safety net behind the counts its
 * moves keep. It ran 250 ms after any move, so up to four times a second while copies move, and a recount's cost grows
 * with the copies stored (3.5-4.5 µs a copy: 200k copies 0.7-0.9 s, the default bound of 1M about 4 s). An outsider
 * strands about (K-4) x 10,000 copies on one node with K accounts (four fill the target streams to their cap, then each
 * further sender strands its quota on its own node), so some 10 accounts kept a node recounting most of the time, its
 * heartbeat late. Now a recount is spaced from the one before by what that one counted (0.25 ms a copy: its time in
 * recounts stays under 2%), never less than 250 ms.
 *
 * Here node a starts with 40,000 copies of Sam's in its store (his stream total in Redis is full: they stay), and Carol
 * on node b sends Dave on node a a message every 200 ms of the nodes' clocks for 20 s: node a takes each in, a move.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../server/store';
import { confirmGiven, inProcessNodes, settleMoves } from './support';

const STORED = 40_000;
const RECIPIENTS = 40;

/** A store file holding `n` copies of Sam's for `recipients` users (as a node left it: a restart, say). */
function storeOf(path: string, n: number, recipients: number, at: number): void {
  const store = new Store(path);
  store.transact([
    () => {
      for (let i = 0; i < n; i++) {
        const id = store.bodyID();
        store.insertBody({ id, msgID: `sam-${i}`, from: 'sam', groupID: null, payload: `s${i}`, sentAt: at, expiresAt: at + 86_400_000, call: null });
        store.insertDelivery(store.deliveryID(), `r${i % recipients}`, id);
      }
    },
  ]);
  store.close();
}

describe('cluster: recounts of a node store while copies move', () => {
  const t = inProcessNodes();
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('node a stores 40,000 copies; a copy moves in every 200 ms for 20 s of its clock -> node a recounts its store a few times, not 50', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-recount-pace-'));
    const dbPath = join(dir, 'a.db');
    storeOf(dbPath, STORED, RECIPIENTS, Math.floor(Date.now() / 1000) * 1000);
    // Sam's total in Redis takes 10 copies: the others stay on node a, stranded (offered again only at their back-off).
    const a = await t.node('a', { dbPath, limits: { maxSenderStored: 10 } });
    const b = await t.node('b');
    await settleMoves(a);
    const dave = await t.login(a, 'dave');
    const carol = await t.login(b, 'carol');
    const before = a.handle.metrics().cluster?.recounts ?? 0;
    expect(a.handle.metrics().storedNow).toBeGreaterThan(STORED - 20);
    for (let i = 0; i < 100; i++) {
      expect(await carol.request({ type: 'sendC2C', to: 'dave', payload: `m${i}`, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
      await dave.next((f) => f.type === 'message' && f.payload === `m${i}`, `m${i} on node a`);
      confirmGiven(dave);
      await Promise.all([a.clock.advance(200), b.clock.advance(200)]);
    }
    await settleMoves(a);
    const recounts = (a.handle.metrics().cluster?.recounts ?? 0) - before;
    // 40,000 copies: a recount at most every 10 s of the clock (before: 250 ms after a move, 50 in these 20 s).
    expect({ recounts, stored: a.handle.metrics().storedNow }).toEqual({ recounts: expect.toSatisfy((n: number) => n >= 1 && n <= 3), stored: expect.toSatisfy((n: number) => n > STORED - 20) });
  }, 60_000);
});
