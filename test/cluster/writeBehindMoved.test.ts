/**
 * Write-behind on a cluster node whose store fails as a recipient's connection goes (the night the cluster was
 * attacked): Bob's held copy on node a is written as his connection goes, and that write fails; he logs in on node
 * b, and node a lets his session go, moving what it stores for him (nothing yet: the copy is held again). Its write
 * succeeds when the next window ends, and Alice is acknowledged. Before the fix the copy then stayed in node a's
 * SQLite, for a user it does not hold, until he next logged in there or node a restarted: Bob, online on node b,
 * never got the message his sender was told was safe. In-process servers on one Redis (a key prefix of their own).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type RawClient, tencentUserSig, type TestServer } from '../server/support';
import { inProcessNodes, until } from './support';
import { failingInserts } from '../support/failingStore';

const WINDOW = 50;

describe('cluster: a held write that fails as its recipient moves to another node', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  async function login(server: TestServer, userID: string): Promise<RawClient> {
    const c = await open(server);
    expect((await c.request({ type: 'login', userID, userSig: tencentUserSig(userID), protocol: 1 })).type).toBe('loggedIn');
    return c;
  }

  it('Bob (node a) drops with a copy held, its write failing; he logs in on node b; the store heals -> Alice is acked, and the copy reaches Bob on node b, once', async () => {
    const a = await node('a', { writeBehindMs: WINDOW, sharedDatabase: true });
    const b = await node('b', { writeBehindMs: WINDOW });
    const bob = await login(a, 'bob');
    const alice = await login(a, 'alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 10 });
    const copy = await bob.next((f) => f.type === 'message');
    expect(a.handle.metrics()).toMatchObject({ heldNow: 1 });
    const heal = failingInserts(a.dbPath);
    bob.terminate(); // its held copy is written as the connection goes: that write fails, it is held again
    await until('the write failed', () => a.logs.some((l) => l.message === 'could not commit to the store') && a.handle.metrics().heldNow === 1, (failed) => failed);
    heal();
    const moved = await login(b, 'bob');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    await until('node a let him go', () => a.handle.metrics().cluster?.moving, (n) => n === 0);
    await a.clock.advance(WINDOW); // the window ends: written this time
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack', id: copy.id });
    const again = await moved.next((f) => f.type === 'message', 'the copy on node b');
    expect(again).toMatchObject({ id: copy.id, payload: 'ring' });
    moved.send({ type: 'received', upTo: again.seq });
    await until('node a holds nothing for him', () => a.handle.metrics().storedNow, (n) => n === 0);
    await moved.sync();
    expect(moved.ofType('message').map((m) => m.id)).toEqual([copy.id]);
  });
});
