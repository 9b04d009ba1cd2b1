/**
 * Write-behind when the store fails or the clock steps back (found by review): a held message
 * follows what its sender was told. Its turn failed: it goes, and its copies were never sent. Its
 * late write failed: it is held again, and a receipt still settles it. Its recipient confirmed it:
 * no other write's failure makes it fail. The wall clock set back: the window still ends.
 * A commit is made to fail through a second connection to the database (a trigger), as in
 * writeBehind.test.ts.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerClock } from '../../server/options';
import { RawClient, sendTogether, testServer, tencentUserSig, type TestServer } from './support';
import { until } from '../support/until';
import { failingInserts } from '../support/failingStore';

const WINDOW = 50;


describe('write-behind when the store fails or the clock steps back', () => {
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
  /** The store refuses inserts until the returned function heals it. */
  const failing = () => failingInserts(server.dbPath);
  const start = (more: Parameters<typeof testServer>[0] = {}) =>
    testServer({ writeBehindMs: WINDOW, sharedDatabase: true, offlineTtlMs: 60_000, ...more }).then((started) => (server = started));
  /** Bob and Alice online; in one turn Alice writes to offline Dave (its insert fails) and to Bob (held): that turn fails. */
  async function failedTurn(more: Parameters<typeof testServer>[0] = {}) {
    await start(more);
    const bob = await login('bob');
    const alice = await login('alice');
    const heal = failing();
    sendTogether(alice, [
      { type: 'sendC2C', to: 'dave', payload: 'offline', onlineUserOnly: false, rid: 20 },
      { type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 21 },
    ]);
    expect(await alice.next((f) => f.rid === 21)).toMatchObject({ type: 'error', code: 'unavailable' });
    heal();
    return { bob, alice };
  }
  /** Bob and Alice online, Alice's message (rid 10) held and handed to Bob. */
  async function handedToBob() {
    await start();
    const bob = await login('bob');
    const alice = await login('alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 10 });
    const copy = await bob.next((f) => f.type === 'message');
    return { bob, alice, copy };
  }

  it('a held message whose turn failed goes: its sender hears unavailable, and it is neither stored nor delivered later; the counts stay true', async () => {
    // Bob may have one copy waiting: one the dropped message still counted would refuse the next.
    const { bob, alice } = await failedTurn({ limits: { maxBacklog: 1 } });
    await server.clock.advance(WINDOW); // the held message's window ends: nothing is left to write
    await bob.sync();
    expect(bob.ofType('message')).toHaveLength(0); // never sent on his connection
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0, heldBytes: 0, storedNow: 0 });
    bob.terminate();
    await bob.closed;
    const again = await login('bob');
    await again.sync();
    expect(again.ofType('message')).toHaveLength(0); // nor later
    // Alice may send Bob as much as before: nothing of the dropped message still counts against her.
    const next = alice.request({ type: 'sendC2C', to: 'bob', payload: 'ring again', onlineUserOnly: false });
    const copy = await again.next((f) => f.type === 'message');
    again.send({ type: 'received', upTo: copy.seq });
    expect(await next).toMatchObject({ type: 'ack' });
  });

  it('a copy never sent (its turn failed) leaves its session: a later receipt counts only what was handed', async () => {
    const { bob, alice } = await failedTurn();
    const before = server.handle.metrics().delivered;
    const next = alice.request({ type: 'sendC2C', to: 'bob', payload: 'ring again', onlineUserOnly: false });
    const copy = await bob.next((f) => f.type === 'message');
    expect(copy.payload).toBe('ring again');
    bob.send({ type: 'received', upTo: copy.seq }); // up to its seq: the one never sent had an earlier one
    await bob.sync();
    await next;
    expect(server.handle.metrics().delivered - before).toBe(1);
  });

  it('a held message whose turn failed stays gone when that same turn wrote it (its recipient left then)', async () => {
    // Commits run when the test says: Alice's two messages, then Bob's departure, in one turn's commit.
    const pending: Array<() => void> = [];
    const commitNow = () => {
      for (const fn of pending.splice(0)) fn();
    };
    await start({ defer: (fn) => pending.push(fn) });
    const auto = setInterval(commitNow, 2); // the logins commit as they go
    const bob = await login('bob');
    const alice = await login('alice');
    clearInterval(auto);
    commitNow();
    alice.send({ type: 'sendC2C', to: 'dave', payload: 'offline', onlineUserOnly: false, rid: 20 });
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 21 });
    await until('the message held', () => server.handle.metrics().heldNow === 1);
    bob.terminate(); // his session's held copies are written, in the same (uncommitted) turn
    await until('the held message settled', () => server.handle.metrics().heldNow === 0);
    const heal = failing();
    commitNow(); // the commit fails
    expect(await alice.next((f) => f.rid === 21)).toMatchObject({ type: 'error', code: 'unavailable' });
    heal();
    expect(server.handle.metrics().heldNow).toBe(0); // not held again
    const auto2 = setInterval(commitNow, 2);
    try {
      await server.clock.advance(WINDOW);
      const again = await login('bob');
      await again.sync();
      expect(again.ofType('message')).toHaveLength(0);
      expect(server.handle.metrics().storedNow).toBe(0);
    } finally {
      clearInterval(auto2);
    }
  });

  it('a held message its recipient confirmed is acknowledged, even when another write of the receipt turn fails', async () => {
    const { bob, alice, copy } = await handedToBob();
    const heal = failing();
    // Bob's own message to offline Carol fails in the turn of his receipt.
    sendTogether(bob, [
      { type: 'sendC2C', to: 'carol', payload: 'x', onlineUserOnly: false, rid: 50 },
      { type: 'received', upTo: copy.seq },
    ]);
    const answer = await alice.next((f) => f.rid === 10);
    heal();
    expect(await bob.next((f) => f.rid === 50)).toMatchObject({ type: 'error', code: 'unavailable' }); // his own: fair
    expect(answer).toMatchObject({ type: 'ack', id: copy.id });
  });

  it('a held write that fails after its copy was handed: held again, written when the next window ends, and the sender acknowledged once, under one id', async () => {
    const { bob, alice, copy: first } = await handedToBob();
    const heal = failing();
    await server.clock.advance(WINDOW); // the window ends before Bob's receipt: the held write fails
    await alice.sync();
    expect(alice.ofType('error').concat(alice.ofType('ack'))).toEqual([]); // no answer yet: it is held again
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1, storedNow: 0 });
    heal();
    await server.clock.advance(WINDOW); // written this time
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack', id: first.id });
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0, storedNow: 1 });
    bob.send({ type: 'received', upTo: first.seq });
    await bob.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0 });
    expect(bob.ofType('message').map((m) => m.id)).toEqual([first.id]);
  });

  it('a held write that keeps failing still settles with its receipt: the sender hears ok once the recipient confirmed', async () => {
    const { bob, alice, copy } = await handedToBob();
    const heal = failing();
    await server.clock.advance(WINDOW);
    await server.clock.advance(WINDOW); // failed twice
    bob.send({ type: 'received', upTo: copy.seq });
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack', id: copy.id });
    heal();
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0, heldBytes: 0, storedNow: 0 });
  });

  it('the wall clock set back a minute inside the window: the held message is still written when the window ends', async () => {
    // The server's clock: the simulated one, plus an offset a test can set (an NTP step, a VM resumed).
    let offset = 0;
    const stepped: ServerClock = {
      now: () => server.clock.now() + offset,
      setTimeout: (fn, ms) => server.clock.setTimeout(fn, ms),
      clearTimeout: (id) => server.clock.clearTimeout(id as never),
    };
    server = await testServer({ writeBehindMs: WINDOW, offlineTtlMs: 3_600_000, clock: stepped });
    const bob = await login('bob'); // never confirms
    const alice = await login('alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 10 });
    await bob.next((f) => f.type === 'message');
    offset = -60_000;
    await server.clock.advance(WINDOW);
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'ack' });
    expect(server.handle.metrics()).toMatchObject({ heldNow: 0, storedNow: 1 });
  });
});
