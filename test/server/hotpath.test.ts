/**
 * The server's fast path keeps its promises: receipts folded into requests, the reply memory
 * (what it remembers, how much, and never a success the commit did not keep), output bounds that
 * count frames still waiting for the commit, and the room relay's size cap and fan-out budget.
 *
 * Several tests hold the group commit (`defer` keeps the end of the turn until the test lets it
 * go), so that frames wait behind a commit exactly as they do under load; a real SQLite trigger
 * makes a commit fail.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { REMEMBERED_REPLY_CHARS } from '../../server/session';
import { RawClient, testServer, type Frame, type TestServer } from './support';
import { until } from '../support/until';


/** A server whose group commit runs only when the test calls `release()`. */
async function heldServer(limits: Record<string, unknown> = {}) {
  const held: Array<() => void> = [];
  // Shared: a test makes the commit fail through a second connection to the file.
  const server = await testServer({ defer: (fn) => held.push(fn), limits, sharedDatabase: true });
  const release = () => {
    for (const fn of held.splice(0)) fn();
  };
  return { server, release, held };
}

describe('the fast path', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (userID: string) => {
    const client = await RawClient.login(server.handle.url, userID);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });

  it('a receipt folded into a request confirms like a received frame, and is no part of the request: a resend with another receipt is answered, not redone', async () => {
    server = await testServer();
    const bob = await login('bob');
    expect(bob.frames[0]).toMatchObject({ type: 'loggedIn', foldedReceipts: true });
    const alice = await login('alice');
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'one', onlineUserOnly: false });
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'two', onlineUserOnly: false });
    await bob.next((f) => f.type === 'message' && f.payload === 'two');
    expect(server.handle.metrics().storedNow).toBe(2);
    const send = '"type":"sendC2C","to":"alice","payload":"hi","onlineUserOnly":false,"rid":50}';
    bob.send(`{"received":1,${send}`);
    const first = await bob.next((f) => f.rid === 50);
    expect(server.handle.metrics().delivered).toBe(1); // 'one' confirmed and gone; 'two' waits
    bob.send(`{"received":2,${send}`); // the same request, resent with a newer receipt
    bob.send(`{${send}`); // and without one
    const again = [await bob.next((f) => f.rid === 50), await bob.next((f) => f.rid === 50)];
    expect(first).toMatchObject({ type: 'ack', id: expect.any(String) });
    expect(again).toEqual([first, first]);
    await alice.sync();
    expect(alice.ofType('message').map((m) => m.payload)).toEqual(['hi']);
    // The resend's receipt counted (it confirmed 'two'); only 'hi' waits for alice's receipt.
    expect(server.handle.metrics()).toMatchObject({ delivered: 2, storedNow: 1 });
    // A folded receipt for a message never sent refuses the request it rides on.
    bob.send('{"received":99,"type":"ping","rid":51}');
    expect(await bob.next((f) => f.rid === 51)).toMatchObject({ type: 'error', code: 'badFrame' });
  });

  it('answered: the client holds the answers up to a rid, so they are no longer remembered (a resend is done anew); the field is no part of the request either', async () => {
    server = await testServer();
    const alice = await login('alice');
    const create = (rid: number, folded = '') => `{${folded}"type":"groupCreate","groupID":"g${rid}","members":["bob"],"rid":${rid}}`;
    alice.send(create(10));
    const first = await alice.next((f) => f.rid === 10);
    alice.send(create(11, '"answered":9,')); // says nothing about 10
    await alice.next((f) => f.rid === 11);
    alice.send(create(10)); // remembered: answered as before
    expect(await alice.next((f) => f.rid === 10)).toEqual(first);
    alice.send(create(12, '"answered":11,'));
    await alice.next((f) => f.rid === 12);
    alice.send(create(12, '"answered":11,')); // the same request (same folded field): remembered
    alice.send(create(10)); // forgotten: done again
    expect(await alice.next((f) => f.rid === 12)).toMatchObject({ type: 'groupInfo', groupID: 'g12' });
    expect(await alice.next((f) => f.rid === 10)).toMatchObject({ type: 'error', code: 'groupExists' });
  });

  it('a resend of a durable request whose commit is still under way hears what the commit decides: unavailable twice, never an ack; once forgotten, a resend is done anew', async () => {
    const { server: s, release } = await heldServer();
    server = s;
    const bob = await login('bob');
    const alice = await login('alice');
    const db = new Database(server.dbPath);
    db.exec("CREATE TRIGGER fail BEFORE INSERT ON bodies BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const send = JSON.stringify({ type: 'sendC2C', to: 'bob', payload: 'lost?', onlineUserOnly: false, rid: 5 });
    alice.send(send);
    alice.send(send); // resent before the commit is done (a reconnect, a client retry)
    alice.send({ type: 'sendC2C', to: 'carol', payload: 'marker', onlineUserOnly: false, rid: 6 });
    await until('the three frames handled', () => server.handle.metrics().stored === 1);
    release(); // the commit fails
    const answers = [await alice.next((f) => f.rid === 5), await alice.next((f) => f.rid === 5)];
    expect(answers).toEqual([
      expect.objectContaining({ type: 'error', code: 'unavailable' }),
      expect.objectContaining({ type: 'error', code: 'unavailable' }),
    ]);
    db.exec('DROP TRIGGER fail');
    db.close();
    alice.send(send); // tried again: done this time
    await until('the resend handled', () => server.handle.metrics().relayed === 2);
    release();
    expect(await alice.next((f) => f.rid === 5)).toMatchObject({ type: 'ack', id: expect.any(String) });
    await bob.next((f) => f.type === 'message');
    await alice.sync();
    await bob.sync();
    expect(alice.frames.filter((f) => f.rid === 5).map((f) => f.type)).toEqual(['error', 'error', 'ack']);
    expect(bob.ofType('message').map((m) => m.payload)).toEqual(['lost?']);
  });

  it('read-only requests are not remembered (a resend is answered with what holds now); other replies are remembered up to a bound in characters', async () => {
    server = await testServer();
    server.handle.grantRoom(7, ['alice', 'bob']);
    const alice = await login('alice');
    const bob = await login('bob');
    await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: true });
    const members = JSON.stringify({ type: 'roomMembers', roomID: 7, rid: 40 });
    alice.send(members);
    expect((await alice.next((f) => f.rid === 40)).members).toHaveLength(1);
    await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: true });
    alice.send(members);
    expect((await alice.next((f) => f.rid === 40)).members).toHaveLength(2);

    // Group creations answer with the whole invitation list: ~6.8 KB each.
    const invitees = (g: number) => Array.from({ length: 199 }, (_, i) => `invitee-${g}-${String(i).padStart(22, '0')}`);
    const creates = Array.from({ length: 8 }, (_, g) => JSON.stringify({ type: 'groupCreate', groupID: `g${g}`, members: invitees(g), rid: 100 + g }));
    const replies: Frame[] = [];
    for (const [g, text] of creates.entries()) {
      alice.send(text);
      replies.push(await alice.next((f) => f.rid === 100 + g));
    }
    expect(replies.every((r) => r.type === 'groupInfo')).toBe(true);
    const chars = replies.reduce((n, r) => n + JSON.stringify(r).length, 0);
    expect(chars).toBeGreaterThan(REMEMBERED_REPLY_CHARS);
    // The newest is remembered; the oldest no longer (it would take the memory past its bound): done again.
    alice.send(creates[7] as string);
    expect(await alice.next((f) => f.rid === 107)).toEqual(replies[7]);
    alice.send(creates[0] as string);
    expect(await alice.next((f) => f.rid === 100)).toMatchObject({ type: 'error', code: 'groupExists' });
  });

  it('frames waiting for the commit count as unsent output: relays to a member are dropped past half of --max-buffered-bytes even before any reaches its socket', async () => {
    const { server: s, release } = await heldServer({ maxBufferedBytes: 64 * 1024 });
    server = s;
    server.handle.grantRoom(7, ['alice', 'bob']);
    const alice = await login('alice');
    const bob = await login('bob');
    await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: true });
    await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: true });
    await alice.next((f) => f.type === 'userEntered');
    // A stored message opens a commit; the relays queue behind it.
    alice.send({ type: 'sendC2C', to: 'carol', payload: 'opens a commit', onlineUserOnly: false, rid: 1000 });
    const data = 'x'.repeat(12 * 1024);
    for (let i = 0; i < 10; i++) alice.send({ type: 'relay', roomID: 7, to: 'bob', data, rid: 2000 + i });
    const seen = () => server.handle.metrics().relayFrames + (server.handle.metrics().limits.relayDropped ?? 0);
    await until('the ten relays handled', () => seen() === 10);
    const { relayFrames, limits } = server.handle.metrics();
    expect(relayFrames).toBe(3); // 3 x 12 KiB queued: at half of 64 KiB the rest is dropped
    expect(limits.relayDropped).toBe(7);
    release();
    await bob.sync();
    expect(bob.ofType('relayed')).toHaveLength(3);
  });

  it('a relay payload is capped (tooLarge), and a relay to the whole room pays for every copy from the sender\'s budget', async () => {
    server = await testServer();
    const users = Array.from({ length: 10 }, (_, i) => `member${i}`);
    server.handle.grantRoom(9, users);
    const [sender, ...others] = await Promise.all(users.map((u) => login(u)));
    for (const c of [sender, ...others] as RawClient[]) await c.request({ type: 'roomEnter', roomID: 9, audio: true, video: true });
    const a = sender as RawClient;
    expect(await a.request({ type: 'relay', roomID: 9, to: 'member1', data: 'x'.repeat(16 * 1024 + 1) })).toMatchObject({ type: 'error', code: 'tooLarge' });
    expect(await a.request({ type: 'relay', roomID: 9, to: 'member1', data: 'x'.repeat(16 * 1024) })).toMatchObject({ type: 'ack' });
    // The user's frame budget is 200 at once (the clock stands still): a broadcast to 9 members costs 9.
    const answers: Frame[] = [];
    for (let i = 0; i < 26; i++) answers.push(await a.request({ type: 'relay', roomID: 9, data: `b${i}` }));
    const acked = answers.filter((f) => f.type === 'ack').length;
    const refused = answers.filter((f) => f.type === 'error');
    expect(acked).toBeLessThanOrEqual(Math.floor(200 / 9));
    expect(acked).toBeGreaterThan(15);
    expect(refused.length).toBe(26 - acked);
    expect(refused.every((f) => f.code === 'rateLimited')).toBe(true);
    expect(server.handle.metrics().limits.relayFanout).toBe(refused.length);
    const last = others[8] as RawClient;
    await last.sync();
    expect(last.ofType('relayed').filter((f) => String(f.data).startsWith('b'))).toHaveLength(acked);
  });
});
