/**
 * Write-behind (server/writeBehind.ts): a message handed at once to every recipient is held back
 * from the store for `writeBehindMs` (on the simulated clock here); a receipt in the window drops
 * its write, so the copy never reaches SQLite. The sender's ack waits for whichever comes first:
 * every copy confirmed, or the write committed. A connection lost in the window, a recipient with
 * stored copies waiting, or a recipient offline all keep the copy stored as before.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TapEvent } from '../../server/options';
import { RawClient, serverSees, testServer, tencentUserSig, type Frame, type TestServer } from './support';
import { until } from '../support/until';

const WINDOW = 50;

describe('write-behind', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const taps: string[] = [];
  const login = async (userID: string, device?: string) => {
    const client = await RawClient.open(server.handle.url);
    const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(device ? { device } : {}) });
    if (reply.type !== 'loggedIn') throw new Error(`login refused: ${JSON.stringify(reply)}`);
    clients.push(client);
    return client;
  };
  const start = async (more: Record<string, unknown> = {}) => {
    taps.length = 0;
    server = await testServer({
      writeBehindMs: WINDOW,
      offlineTtlMs: 60_000,
      ...more,
      tap: (e: TapEvent) => {
        if (e.type === 'in' || e.type === 'out') taps.push(`${e.type} ${e.frameType}`);
      },
    });
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });
  const writes = () => server.handle.metrics().commitWrites;
  /** Sends a message without waiting for its ack; returns the ack's promise. */
  const post = (from: RawClient, to: string, payload: string) => from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });
  /** Bob and Alice online, Alice's message to Bob handed to him; the store's writes counted from before it. */
  async function handedToBob() {
    await start();
    const bob = await login('bob');
    const alice = await login('alice');
    const before = writes();
    const ack = post(alice, 'bob', 'ring');
    const copy = await bob.next((f) => f.type === 'message');
    return { bob, alice, before, ack, copy };
  }

  it('a copy its recipient confirms inside the window never reaches the store, and the sender hears the ack only after the receipt', async () => {
    const { bob, alice, before, ack, copy } = await handedToBob();
    await bob.sync();
    expect(taps).not.toContain('out ack'); // neither stored nor confirmed yet: the server wrote no ack
    bob.send({ type: 'received', upTo: copy.seq });
    expect(await ack).toMatchObject({ type: 'ack', id: copy.id });
    await server.clock.advance(WINDOW * 2);
    await alice.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0, delivered: 1 });
    expect(writes() - before).toBe(0); // neither the insert nor the delete
  });

  it('a copy not confirmed in the window is written then, and the ack goes with that commit; the receipt after it deletes the row', async () => {
    const { bob, alice, before, ack, copy } = await handedToBob();
    await bob.sync();
    expect(server.handle.metrics().storedNow).toBe(0);
    await server.clock.advance(WINDOW);
    expect(await ack).toMatchObject({ type: 'ack', id: copy.id });
    expect(server.handle.metrics().storedNow).toBe(1);
    bob.send({ type: 'received', upTo: copy.seq });
    await bob.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 0, delivered: 1 });
    expect(writes() - before).toBe(2); // the held write, then the delete
  });

  it('holds at most writeBehindMaxBytes of payload: a message past it is stored before it is handed', async () => {
    await start({ writeBehindMaxBytes: 10 });
    const bob = await login('bob');
    const alice = await login('alice');
    const send = (payload: string, rid: number) => alice.send({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false, rid });
    const acked = () => alice.ofType('ack').map((f) => f.rid);
    send('ring', 90); // 4 bytes: held
    await bob.next((f) => f.type === 'message' && f.payload === 'ring');
    send('x'.repeat(8), 91); // 4 + 8 > 10: stored
    const two = await bob.next((f) => f.type === 'message' && f.payload === 'x'.repeat(8));
    await alice.sync();
    expect(server.handle.metrics().storedNow).toBe(1);
    expect(acked()).toEqual([]); // the held one's ack waits for its receipt, the stored one's in line behind it
    bob.send({ type: 'received', upTo: two.seq });
    await alice.next((f) => f.rid === 91);
    expect(acked()).toEqual([90, 91]);
    await bob.sync();
    expect(server.handle.metrics().storedNow).toBe(0);
    // Nothing held now: 8 bytes fit again, and their ack waits for the receipt.
    send('y'.repeat(8), 92);
    await bob.next((f) => f.type === 'message' && f.payload === 'y'.repeat(8));
    await alice.sync();
    expect(server.handle.metrics().storedNow).toBe(0);
    expect(acked()).toEqual([90, 91]);
  });

  it('a message written when its window ends gives its bytes back: the next one fits and is held', async () => {
    await start({ writeBehindMaxBytes: 10 });
    const bob = await login('bob');
    const alice = await login('alice');
    const send = (payload: string, rid: number) => alice.send({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false, rid });
    send('x'.repeat(8), 90); // 8 bytes: held
    await bob.next((f) => f.type === 'message' && f.rid === undefined && f.payload === 'x'.repeat(8));
    await server.clock.advance(WINDOW); // unconfirmed: written, its bytes no longer held
    await alice.next((f) => f.rid === 90);
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1, heldWritten: 1, heldNow: 0, heldBytes: 0 });
    send('y'.repeat(8), 91); // 8 bytes fit again: held, not stored
    await bob.next((f) => f.type === 'message' && f.payload === 'y'.repeat(8));
    await alice.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1, heldNow: 1, heldBytes: 8 });
    expect(alice.ofType('ack').map((f) => f.rid)).toEqual([90]); // 91's ack waits for its receipt
  });

  it('frames to the sender after a held ack wait for it: the client sees them in the order they were sent', async () => {
    await start();
    const bob = await login('bob');
    const alice = await login('alice');
    const carol = await login('carol');
    const ack = post(alice, 'bob', 'ring');
    const copy = await bob.next((f) => f.type === 'message');
    // Never stored (online only), so its ack is not held: carol hears it once alice's copy is queued.
    expect(await carol.request({ type: 'sendC2C', to: 'alice', payload: 'live', onlineUserOnly: true })).toMatchObject({ type: 'ack' });
    bob.send({ type: 'received', upTo: copy.seq });
    await ack;
    await alice.next((f) => f.type === 'message');
    const order = alice.frames.filter((f) => f.type === 'ack' || f.type === 'message').map((f) => f.type);
    expect(order).toEqual(['ack', 'message']);
  });

  it('a recipient that loses its connection in the window gets the copy again from the store, with the same id; the sender is acknowledged', async () => {
    const { bob, alice, ack, copy } = await handedToBob();
    bob.terminate();
    await bob.closed;
    expect(await ack).toMatchObject({ type: 'ack', id: copy.id }); // written when the connection went
    const again = await login('bob');
    const redelivered = await again.next((f) => f.type === 'message');
    expect([redelivered.id, redelivered.payload]).toEqual([copy.id, 'ring']);
    expect(server.handle.metrics().storedNow).toBe(1);
  });

  it('a connection lost in the window writes only its own held copies: a message held for another recipient stays held and is confirmed unwritten', async () => {
    await start();
    const bob = await login('bob');
    const carol = await login('carol');
    const alice = await login('alice');
    const before = writes();
    const toBob = post(alice, 'bob', 'ring bob');
    const toCarol = post(alice, 'carol', 'ring carol');
    const bobs = await bob.next((f) => f.type === 'message');
    await carol.next((f) => f.type === 'message');
    carol.terminate();
    await carol.closed;
    // What her going writes, the server does once it sees her socket go (alice's round trip does not say it did).
    await serverSees('carol gone', () => server.handle.metrics().connections === 2);
    await alice.sync();
    // Carol's copy is written as her connection goes (counted once committed, below); Bob's stays held.
    expect(server.handle.metrics()).toMatchObject({ heldNow: 1, heldConfirmed: 0 });
    bob.send({ type: 'received', upTo: bobs.seq });
    // Alice's acks in the order she sent: Bob's once he confirmed it, then Carol's (written).
    expect(await toBob).toMatchObject({ type: 'ack', id: bobs.id });
    expect(await toCarol).toMatchObject({ type: 'ack' });
    await server.clock.advance(WINDOW * 2);
    await alice.sync();
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1, heldWritten: 1, heldConfirmed: 1 });
    expect(writes() - before).toBe(1); // Carol's copy; Bob's never reached the store
  });

  it('copies to an offline recipient, or to one with stored copies still waiting, are stored before the ack as before', async () => {
    await start({ limits: { maxUnconfirmed: 1 } });
    const alice = await login('alice');
    expect(await post(alice, 'carol', 'offline')).toMatchObject({ type: 'ack' }); // no window to wait for
    expect(server.handle.metrics().storedNow).toBe(1);
    const bob = await login('bob');
    const first = post(alice, 'bob', 'one'); // held: handed at once
    await bob.next((f) => f.type === 'message' && f.payload === 'one');
    // Bob's window is full: stored, paged in later (sent bare: one request waited for at a time).
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'two', onlineUserOnly: false, rid: 70 });
    await server.clock.advance(WINDOW);
    await first;
    await alice.next((f) => f.rid === 70);
    expect(server.handle.metrics().storedNow).toBe(3);
    bob.send({ type: 'received', upTo: 1 });
    const two = await bob.next((f) => f.type === 'message' && f.payload === 'two');
    bob.send({ type: 'received', upTo: two.seq });
    await bob.sync();
    expect(server.handle.metrics().storedNow).toBe(1); // carol's
  });

  /** Many devices: Bob's phone and laptop online, Alice's message handed to both. */
  async function handedToBobsDevices() {
    await start({ multiDevice: true });
    const phone = await login('bob', 'phone');
    const laptop = await login('bob', 'laptop');
    const alice = await login('alice');
    const before = writes();
    const ack = post(alice, 'bob', 'ring');
    const [a, b] = [await phone.next((f) => f.type === 'message'), await laptop.next((f) => f.type === 'message')];
    return { phone, laptop, alice, before, ack, a, b };
  }

  it('many devices: a held copy goes unwritten only once every device handed it confirmed it', async () => {
    const { phone, laptop, alice, before, ack, a, b } = await handedToBobsDevices();
    phone.send({ type: 'received', upTo: a.seq });
    await phone.sync();
    expect(alice.ofType('ack')).toEqual([]);
    laptop.send({ type: 'received', upTo: b.seq });
    await ack;
    await server.clock.advance(WINDOW);
    await alice.sync();
    expect(writes() - before).toBe(0);
    expect(server.handle.metrics().storedNow).toBe(0);
  });

  it('many devices: one device dropping writes the copy both hold; the other device confirms the stored row, and the one that dropped gets it again from the store if it comes back first', async () => {
    const { phone, laptop, before, ack, a: copy, b: theirs } = await handedToBobsDevices();
    phone.terminate();
    await phone.closed;
    expect(await ack).toMatchObject({ type: 'ack', id: copy.id }); // written as the phone went
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1, heldWritten: 1 });
    const again = await login('bob', 'phone');
    const redelivered = await again.next((f) => f.type === 'message');
    expect(redelivered.id).toBe(copy.id);
    laptop.send({ type: 'received', upTo: theirs.seq });
    await laptop.sync();
    expect(server.handle.metrics().storedNow).toBe(1); // the phone has not confirmed it yet
    again.send({ type: 'received', upTo: redelivered.seq });
    await again.sync();
    expect(server.handle.metrics().storedNow).toBe(0);
    // Written once, deleted once; and the phone's new login superseded its old session, whose token the store keeps.
    expect(writes() - before).toBe(3);
  });

  it('many devices: a device that logs in while a copy is held for another device gets it from the store (an invitation rings on it too), and it goes once both confirmed', async () => {
    await start({ multiDevice: true });
    const phone = await login('bob', 'phone');
    const alice = await login('alice');
    const ack = post(alice, 'bob', 'ring');
    const onPhone = await phone.next((f) => f.type === 'message');
    const laptop = await login('bob', 'laptop'); // inside the window, before the phone confirms
    const onLaptop = await laptop.next((f) => f.type === 'message');
    expect([onLaptop.id, onLaptop.payload]).toEqual([onPhone.id, 'ring']);
    expect(await ack).toMatchObject({ type: 'ack', id: onPhone.id }); // written as the laptop came
    phone.send({ type: 'received', upTo: onPhone.seq });
    await phone.sync();
    expect(server.handle.metrics().storedNow).toBe(1); // the laptop has not confirmed it yet
    laptop.send({ type: 'received', upTo: onLaptop.seq });
    await laptop.sync();
    expect(server.handle.metrics().storedNow).toBe(0);
  });

  it('a group message with a member offline is stored whole; with every member online it is held and dropped as they confirm', async () => {
    await start();
    server.handle.createGroup('g', ['alice', 'bob', 'carol']);
    const alice = await login('alice');
    const bob = await login('bob');
    const offline = alice.request({ type: 'sendGroup', groupID: 'g', payload: 'x', onlineUserOnly: false });
    expect(await offline).toMatchObject({ type: 'ack' });
    expect(server.handle.metrics().storedNow).toBe(2);
    const carol = await login('carol');
    for (const c of [bob, carol]) {
      const m = await c.next((f) => f.type === 'message' && f.payload === 'x');
      c.send({ type: 'received', upTo: m.seq });
      await c.sync();
    }
    const before = writes();
    const held = alice.request({ type: 'sendGroup', groupID: 'g', payload: 'y', onlineUserOnly: false });
    const got: Frame[] = [await bob.next((f) => f.payload === 'y'), await carol.next((f) => f.payload === 'y')];
    bob.send({ type: 'received', upTo: got[0]?.seq });
    await bob.sync();
    expect(alice.ofType('ack')).toHaveLength(1); // only the first message's
    carol.send({ type: 'received', upTo: got[1]?.seq });
    expect(await held).toMatchObject({ type: 'ack', id: got[0]?.id });
    expect(got[1]?.id).toBe(got[0]?.id);
    await server.clock.advance(WINDOW);
    expect(writes() - before).toBe(0);
    expect(server.handle.metrics().storedNow).toBe(0);
  });

  it('after a failed commit the counts are read again from the store and the held messages: a held copy still fills its recipient\'s backlog', async () => {
    await start({ limits: { maxBacklog: 1 }, sharedDatabase: true }); // the commit is made to fail through a second connection
    const bob = await login('bob');
    const alice = await login('alice');
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'one', onlineUserOnly: false, rid: 10 });
    const one = await bob.next((f) => f.type === 'message');
    const db = new Database(server.dbPath);
    db.exec("CREATE TRIGGER fail BEFORE INSERT ON bodies BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    alice.send({ type: 'sendC2C', to: 'carol', payload: 'offline', onlineUserOnly: false, rid: 11 });
    await until('the commit to fail', () => server.logs.some((l) => l.message === 'could not commit to the store'));
    db.exec('DROP TRIGGER fail');
    db.close();
    // Recounted: Bob's backlog holds 'one' (held, not stored), so a second copy is over it.
    const handled = taps.length;
    alice.send({ type: 'sendC2C', to: 'bob', payload: 'two', onlineUserOnly: false, rid: 12 });
    await until('the frame handled', () => taps.slice(handled).includes('in frame'));
    bob.send({ type: 'received', upTo: one.seq });
    expect(await alice.next((f) => f.rid === 12)).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    expect(alice.frames.filter((f) => f.rid !== undefined && f.rid >= 10).map((f) => [f.rid, f.type, f.code])).toEqual([
      [10, 'ack', undefined],
      [11, 'error', 'unavailable'],
      [12, 'error', 'quotaExceeded'],
    ]);
  });

  it('a request resent while its message is held hears the same ack once it settles, never a second message', async () => {
    await start();
    const bob = await login('bob');
    const alice = await login('alice');
    const frame = { type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 90 };
    alice.send(frame);
    const copy = await bob.next((f) => f.type === 'message');
    alice.send(frame);
    await server.clock.advance(WINDOW);
    await alice.next((f) => f.rid === 90);
    await alice.next((f) => f.rid === 90);
    expect(alice.ofType('ack').map((f) => f.id)).toEqual([copy.id, copy.id]);
    await bob.sync();
    expect(bob.ofType('message')).toHaveLength(1);
  });
});
