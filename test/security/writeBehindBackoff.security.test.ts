/**
 * Write-behind while the store keeps failing (the night the cluster was attacked): a held message whose write fails is
 * held again, its copies already handed. Every window (here 50 ms, 200 ms by default) tried every held message again in
 * one commit, up to `writeBehindMaxBytes` (64 MiB) of them, and each failed commit made the server count its store again:
 * work in proportion to what is held and stored, for as long as the disk stayed full. Now the tries back off (a window,
 * then doubled per failure in a row, up to 30 s) and start again from the window once a write commits; the sender's ack still
 * waits for the write (or the receipts), never sent before. Each failed commit is logged: those lines count the tries.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, tencentUserSig, type TestServer } from '../server/support';
import { until } from '../support/until';
import { failingInserts } from '../support/failingStore';

const WINDOW = 50;

describe('write-behind: held writes while the store keeps failing', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const login = async (userID: string) => {
    const client = await RawClient.open(server.handle.url);
    clients.push(client);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID) });
    if (reply.type !== 'loggedIn') throw new Error(JSON.stringify(reply));
    return client;
  };
  /** The store refuses inserts until the returned function heals it. */
  const failing = () => failingInserts(server.dbPath);
  const tries = () => server.logs.filter((l) => l.message === 'could not commit to the store').length;
  /** Moves the clock `ms` in steps of a window, each step's commit done (pings answered after it) before the next. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += WINDOW) {
      await server.clock.advance(WINDOW);
      await Promise.all(clients.map((c) => c.sync())); // pings: nobody idles out
    }
  };

  it("Alice sends Bob a message, held; the store fails for 30 s -> its write is tried 10 times, not 600; the store heals -> written within 30 s, Alice acked then; it fails again -> the back-off starts over", async () => {
    server = await testServer({ writeBehindMs: WINDOW, sharedDatabase: true, limits: { logPerSecond: 1000 } });
    const bob = await login('bob');
    const alice = await login('alice');
    const heal = failing();
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 9010 });
    const copy = await bob.next((f) => f.type === 'message'); // handed, never confirmed: it must be written
    await run(30_000);
    const failed = tries();
    // At 50, 100, 200, 400, ... 25,600 ms: ten tries (every window: 600); the next at 51,200.
    expect({ failed, acked: alice.frames.some((f) => f.rid === 9010) }).toEqual({ failed: 10, acked: false });
    heal();
    await run(30_000);
    expect(alice.frames.find((f) => f.rid === 9010)).toMatchObject({ type: 'ack', id: copy.id });
    expect({ tries: tries(), stored: server.handle.metrics().storedNow, held: server.handle.metrics().heldNow }).toEqual({ tries: failed, stored: 1, held: 0 });
    // Failing again: a new held write is tried at its window's end, then a window later (the back-off starts over).
    const healAgain = failing();
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'again', onlineUserOnly: false, rid: 9011 });
    await bob.next((f) => f.type === 'message' && f.payload === 'again');
    await run(WINDOW);
    await until('the first try failed', () => tries() === failed + 1);
    await run(WINDOW);
    expect(tries()).toBe(failed + 2);
    healAgain();
    await run(2 * WINDOW);
    expect(alice.frames.find((f) => f.rid === 9011)).toMatchObject({ type: 'ack' });
    expect(server.handle.metrics()).toMatchObject({ storedNow: 2, heldNow: 0 });
  }, 60_000);

  // The review (2026-12-06 night): the stop's last write of what is held failing, the message was held again with a
  // back-off's timer that outlived the close; at its try the closed commit took the write as done (after a stop, the
  // message counted written, its late copy handed on, on a cluster a move started on a stopped node).
  it('the store failing as the server stops: its last write of a held message fails -> nothing of it runs after the close', async () => {
    server = await testServer({ writeBehindMs: WINDOW, sharedDatabase: true });
    const bob = await login('bob');
    const alice = await login('alice');
    const heal = failing();
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 9020 });
    await bob.next((f) => f.type === 'message');
    for (const c of clients.splice(0)) c.terminate();
    await server.handle.close();
    expect(server.logs.filter((l) => l.message === 'could not commit to the store').length).toBeGreaterThan(0);
    // No timer outlives the close (the back-off's try was one, 50 ms on: at it, the closed commit took the write as done).
    expect(server.clock.pending()).toBe(0);
    heal();
  });
});
