/**
 * Write-behind when the store fails as a recipient's connection goes (the night the cluster was attacked): the
 * copies held for that connection are written as it goes, so that its next connection pages them from the store.
 * When that write fails, the message is held again, and written once a later window's write succeeds: its sender
 * is acknowledged then. The recipient, back meanwhile on a new connection (its session resumed, or a new one),
 * has paged the store already, and is handed nothing it does not page: before the fix the copy sat in the store
 * until the recipient's next reconnection (an invitation never rang), its sender told it was safe.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, tencentUserSig, type TestServer } from '../server/support';
import { until } from '../support/until';
import { failingInserts } from '../support/failingStore';

const WINDOW = 50;


describe('write-behind: a held write that fails as its recipient goes', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const login = async (userID: string, resume?: string) => {
    const client = await RawClient.open(server.handle.url);
    clients.push(client);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(resume ? { resume } : {}) });
    if (reply.type !== 'loggedIn') throw new Error(JSON.stringify(reply));
    return { client, session: String(reply.session) };
  };
  /** The store refuses inserts until the returned function heals it. */
  const failing = () => failingInserts(server.dbPath);

  it.each([
    ['resumes its session', true],
    ['logs in afresh', false],
  ] as const)('Bob drops with a copy held and the store failing, %s, the store heals -> the copy reaches him, and Alice is acked once', async (_, resumes) => {
    server = await testServer({ writeBehindMs: WINDOW, sharedDatabase: true, offlineTtlMs: 60_000, roomGraceMs: 10_000 });
    const bob = await login('bob');
    const { client: alice } = await login('alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 10 });
    const copy = await bob.client.next((f) => f.type === 'message');
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1 });
    const heal = failing();
    bob.client.terminate(); // its held copy is written as the connection goes: that write fails, it is held again
    await bob.client.closed;
    await until('the server to drop Bob with his copy held again', () => server.handle.metrics().connections === 1 && server.handle.metrics().heldNow === 1);
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1, storedNow: 0 });
    heal();
    const back = await login('bob', resumes ? bob.session : undefined);
    await back.client.sync();
    await server.clock.advance(WINDOW); // the window ends: written this time
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack', id: copy.id });
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0, storedNow: 1 });
    const again = await back.client.next((f) => f.type === 'message', 'the copy on his new connection');
    expect(again).toMatchObject({ id: copy.id, payload: 'ring' });
    back.client.send({ type: 'received', upTo: again.seq });
    await back.client.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
    expect(back.client.ofType('message').map((m) => m.id)).toEqual([copy.id]);
  });
});
