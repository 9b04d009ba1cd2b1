/**
 * The review of the write-behind fix of 2026-12-06 night (a held message written late handed to its recipient's
 * connection: `Mailer.lateCopy`): a held message whose first write failed is written again at the next
 * window's end; Bob, still connected and still holding the copy, confirms it while that second write's commit waits
 * (the receipt is handled in the same loop turn as the window's timer, before the deferred commit). The receipt finds
 * the copy "not held" (write() forgot it), so it deletes the row in the same commit; the commit's writtenLate effect
 * then finds the copy in no inflight of Bob's session (just confirmed) and its delivery <= his cursor: it hands it
 * AGAIN. Bob gets the message twice, and its second receipt uncounts the copy a second time.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, commitGate, serverSees, testServer, tencentUserSig, type TestServer } from '../server/support';
import { failingInserts } from '../support/failingStore';

const WINDOW = 50;

describe('write-behind: a late write whose copy is confirmed while its commit waits', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const login = async (userID: string) => {
    const client = await RawClient.open(server.handle.url);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID) });
    if (reply.type !== 'loggedIn') throw new Error(JSON.stringify(reply));
    clients.push(client);
    return client;
  };

  it('Bob holds a copy whose write failed once; he confirms it as the retry commits -> he is handed it once, not twice', async () => {
    const gate = commitGate();
    server = await testServer({ writeBehindMs: WINDOW, sharedDatabase: true, offlineTtlMs: 60_000, defer: gate.defer });
    const bob = await login('bob');
    const alice = await login('alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 10 });
    const copy = await bob.next((f) => f.type === 'message');
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1 });
    // The window ends with the store failing: held again (failedWrite).
    const heal = failingInserts(server.dbPath);
    await server.clock.advance(WINDOW);
    await serverSees('the failed write', () => server.logs.some((l) => l.message === 'could not commit to the store') && server.handle.metrics().heldNow === 1);
    heal();
    // The retry: its commit held (as if Bob's receipt came in the same loop turn as the window's timer).
    gate.hold();
    await server.clock.advance(WINDOW);
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0 });
    const delivered = server.handle.metrics().delivered;
    bob.send({ type: 'received', upTo: copy.seq });
    await serverSees("Bob's receipt", () => server.handle.metrics().delivered === delivered + 1);
    gate.release();
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack', id: copy.id });
    await bob.sync();
    await bob.sync();
    expect(bob.ofType('message').map((m) => m.id)).toEqual([copy.id]);
  });
});
