/**
 * The offline store: what the server acknowledged survives a restart, is delivered in order
 * on the recipient's next login until it expires, and leaves the store only once the recipient
 * confirmed it; a message in flight when a connection drops is kept the same way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteGroupStore } from '../../server/groups';
import { Store } from '../../server/store';
import { RawClient, testServer, type Frame, type TestServer } from './support';

const send = (from: RawClient, to: string, payload: string, onlineUserOnly = false) =>
  from.request({ type: 'sendC2C', to, payload, onlineUserOnly });

/** Waits for `n` messages and returns their payloads. */
async function messages(client: RawClient, n: number): Promise<Frame[]> {
  const got: Frame[] = [];
  for (let i = 0; i < n; i++) got.push(await client.next((f) => f.type === 'message', `message ${i + 1} of ${n}`));
  await client.sync();
  expect(client.ofType('message')).toHaveLength(n);
  return got;
}

describe('offline store', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer({ offlineTtlMs: 60_000 });
  });
  afterEach(() => server.dispose());

  it('acknowledged messages to an offline user survive a restart and arrive in order, with their ids and times', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    const acks = [];
    for (const text of ['m1', 'm2', 'm3']) {
      acks.push(await send(alice, 'bob', text));
      await server.clock.advance(1000);
    }
    await send(alice, 'bob', 'not for later', true);
    alice.terminate();
    await server.handle.close();
    await server.restart();
    const bob = await RawClient.login(server.handle.url, 'bob');
    const got = await messages(bob, 3);
    expect(got.map((m) => [m.from, m.payload, m.id, m.sentAt])).toEqual(acks.map((a, i) => ['alice', `m${i + 1}`, a.id, a.sentAt]));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
    bob.terminate();
  });

  it('a stored message stays until confirmed: without a receipt it comes again at the next login, after one it does not', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    await send(alice, 'bob', 'hello');
    const first = await RawClient.login(server.handle.url, 'bob');
    const [once] = await messages(first, 1);
    first.terminate(); // no receipt
    await first.closed;
    const second = await RawClient.login(server.handle.url, 'bob');
    const [again] = await messages(second, 1);
    expect(again?.id).toBe(once?.id);
    second.send({ type: 'received', upTo: again?.seq });
    await second.sync();
    second.terminate();
    await second.closed;
    const third = await RawClient.login(server.handle.url, 'bob');
    await third.sync();
    expect(third.ofType('message')).toEqual([]);
    expect(server.handle.metrics()).toMatchObject({ stored: 1, delivered: 1, storedNow: 0 });
    alice.terminate();
    third.terminate();
  });

  it('a live message not yet confirmed when the connection drops is kept for the next login', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    const bob = await RawClient.login(server.handle.url, 'bob');
    await send(alice, 'bob', 'in flight');
    await send(alice, 'bob', 'online only', true);
    const live = await messages(bob, 2);
    bob.terminate();
    await bob.closed;
    const back = await RawClient.login(server.handle.url, 'bob');
    const [kept] = await messages(back, 1);
    expect(kept).toMatchObject({ payload: 'in flight', id: live[0]?.id });
    alice.terminate();
    back.terminate();
  });

  it('a stored message expires after offlineTtlMs', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    await send(alice, 'bob', 'too late');
    await send(alice, 'carol', 'in time');
    await server.clock.advance(59_000);
    const carol = await RawClient.login(server.handle.url, 'carol');
    expect((await messages(carol, 1)).map((m) => m.payload)).toEqual(['in time']);
    await server.clock.advance(2_000);
    const bob = await RawClient.login(server.handle.url, 'bob');
    await bob.sync();
    expect(bob.ofType('message')).toEqual([]);
    for (const c of [alice, bob, carol]) c.terminate();
  });

  it('groups survive a restart; a group message is stored for each offline member', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    // The creator invites; members are those who joined (the creator used to enrol them outright).
    expect(await alice.request({ type: 'groupCreate', groupID: 'team', members: ['bob', 'carol'] })).toMatchObject({
      type: 'groupInfo',
      members: ['alice'],
      invited: ['bob', 'carol'],
    });
    expect((await alice.request({ type: 'groupCreate', groupID: 'team', members: [] })).code).toBe('groupExists');
    for (const user of ['bob', 'carol']) {
      const invited = await RawClient.login(server.handle.url, user);
      expect(await invited.request({ type: 'groupJoin', groupID: 'team' })).toMatchObject({ type: 'groupInfo' });
      invited.terminate();
    }
    alice.terminate();
    await server.handle.close();
    await server.restart();
    const bob = await RawClient.login(server.handle.url, 'bob');
    expect((await bob.request({ type: 'sendGroup', groupID: 'team', payload: 'hi all', onlineUserOnly: false })).type).toBe('ack');
    expect((await bob.request({ type: 'sendGroup', groupID: 'nope', payload: 'x', onlineUserOnly: false })).code).toBe('noSuchGroup');
    expect((await bob.request({ type: 'groupQuit', groupID: 'team' })).type).toBe('ack');
    expect((await bob.request({ type: 'sendGroup', groupID: 'team', payload: 'x', onlineUserOnly: false })).code).toBe('notGroupMember');
    for (const user of ['alice', 'carol']) {
      const member = await RawClient.login(server.handle.url, user);
      expect((await messages(member, 1)).map((m) => [m.from, m.groupID, m.payload])).toEqual([['bob', 'team', 'hi all']]);
      member.terminate();
    }
    bob.terminate();
  });
});

describe('bounded delivery', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer({ limits: { maxUnconfirmed: 5, maxBacklog: 8, maxGroupMembers: 10 } });
  });
  afterEach(() => server.dispose());

  it('a recipient holds at most maxBacklog unconfirmed copies: a C2C send past it is refused, a group send skips that member', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    for (let i = 0; i < 8; i++) expect((await send(alice, 'bob', `m${i}`)).type).toBe('ack');
    expect(await send(alice, 'bob', 'one too many')).toMatchObject({ type: 'error', code: 'quotaExceeded', message: expect.stringContaining('bob') });
    server.handle.createGroup('pair', ['alice', 'bob', 'carol']);
    expect((await alice.request({ type: 'sendGroup', groupID: 'pair', payload: 'to both', onlineUserOnly: false })).type).toBe('ack');
    expect(server.handle.metrics()).toMatchObject({ stored: 9, limits: { maxBacklog: 2 }, refused: { quotaExceeded: 1 } });
    alice.terminate();
  });

  it('at most maxUnconfirmed copies are in flight: the rest come as receipts do, in order, once each', async () => {
    const alice = await RawClient.login(server.handle.url, 'alice');
    for (let i = 0; i < 8; i++) alice.send({ type: 'sendC2C', rid: 100 + i, to: 'bob', payload: `m${i}`, onlineUserOnly: false });
    await alice.sync();
    // All eight in one turn or a few: far fewer commits than messages.
    expect(server.handle.metrics().commits).toBeLessThan(8);
    const bob = await RawClient.login(server.handle.url, 'bob');
    await bob.sync();
    expect(bob.ofType('message').map((m) => m.payload)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    bob.send({ type: 'received', upTo: 2 });
    await bob.sync();
    expect(bob.ofType('message').map((m) => m.payload)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    bob.send({ type: 'received', upTo: 7 });
    await bob.sync();
    expect(bob.ofType('message').map((m) => m.payload)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(server.handle.metrics()).toMatchObject({ storedNow: 1, delivered: 7 });
    alice.terminate();
    bob.terminate();
  });
});

describe('upgrading a database of the first version', () => {
  it('its offline messages and its groups are kept: messages move to bodies and deliveries, groups get no owner and the invite rule', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hc-upgrade-')), 'calling.db');
    const old = new Database(path);
    old.exec(`
      CREATE TABLE messages (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, to_user TEXT NOT NULL, from_user TEXT NOT NULL,
        group_id TEXT, payload TEXT NOT NULL, sent_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE groups (group_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
      CREATE TABLE group_members (seq INTEGER PRIMARY KEY, group_id TEXT NOT NULL, user_id TEXT NOT NULL, UNIQUE (group_id, user_id));
      INSERT INTO messages VALUES (5, 'm-5', 'bob', 'alice', NULL, 'hello', 1000, 9999999999999);
      INSERT INTO groups VALUES ('team', 1000);
      INSERT INTO group_members (group_id, user_id) VALUES ('team', 'alice'), ('team', 'bob');
    `);
    old.close();
    const store = new Store(path);
    const groups = new SqliteGroupStore(store.db);
    expect(store.pendingFor('bob', 0, 2000, 10)).toMatchObject([{ delivery: 5, msgID: 'm-5', from: 'alice', payload: 'hello', sentAt: 1000, call: null }]);
    expect([groups.get('team'), groups.members('team')]).toEqual([{ groupID: 'team', owner: '', joinRule: 'invite', incarnation: '' }, ['alice', 'bob']]);
    expect(store.deliveryID()).toBe(6);
    store.close();
  });
});

describe('one server per database file', () => {
  it('a second server on the same file is refused at start (database is locked) and the first goes on; with sharedDatabase another process may read it', async () => {
    const server = await testServer({ offlineTtlMs: 60_000 });
    try {
      const { startServer } = await import('../../server/index');
      const refused = await startServer({ port: 0, dbPath: server.dbPath, sdkAppId: 1400000001, secretKey: 'k' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ message: expect.stringMatching(/database is locked/) });
      // What the command line says (a second `npm start` meets it).
      const { explainStartError } = await import('../../server/cliChecks');
      expect(explainStartError(refused, { dbPath: server.dbPath })).toBe(`--db ${server.dbPath}: another server holds this database (stop it, or give this one its own --db)`);
      const intruder = new Database(server.dbPath, { timeout: 0 });
      expect(() => intruder.prepare('SELECT count(*) FROM bodies').get()).toThrow(/database is locked/);
      intruder.close();
      const alice = await RawClient.login(server.handle.url, 'alice');
      expect(await send(alice, 'bob', 'still stored')).toMatchObject({ type: 'ack' });
      alice.terminate();
    } finally {
      await server.dispose();
    }
    const shared = await testServer({ sharedDatabase: true });
    try {
      const alice = await RawClient.login(shared.handle.url, 'alice');
      await send(alice, 'bob', 'readable');
      alice.terminate();
      const reader = new Database(shared.dbPath, { readonly: true });
      expect(reader.prepare<[], { payload: string }>('SELECT payload FROM bodies').all()).toEqual([{ payload: 'readable' }]);
      reader.close();
    } finally {
      await shared.dispose();
    }
  }, 20_000);
});

describe('a page of stored copies', () => {
  it('holds at most the limit asked for, in delivery order, after the cursor, unexpired; each limit its own statement; a limit that is no count is refused', () => {
    const store = new Store(':memory:');
    const write = (to: string, expiresAt: number) => {
      const body = store.bodyID();
      const delivery = store.deliveryID();
      store.transact([() => store.insertBody({ id: body, msgID: `m-${body}`, from: 'alice', groupID: null, payload: `p${body}`, sentAt: 1, expiresAt, call: null }), () => store.insertDelivery(delivery, to, body)]);
      return delivery;
    };
    const bob = [write('bob', 9e15), write('carol', 9e15), write('bob', 10), write('bob', 9e15), write('bob', 9e15), write('bob', 9e15)].filter((_, i) => i !== 1 && i !== 2);
    const page = (after: number, limit: number) => store.pendingFor('bob', after, 100, limit).map((c) => c.delivery);
    expect(page(0, 64)).toEqual(bob);
    expect(page(0, 1)).toEqual(bob.slice(0, 1));
    expect(page(0, 3)).toEqual(bob.slice(0, 3));
    expect(page(bob[1]!, 2)).toEqual(bob.slice(2, 4));
    expect(page(0, 3)).toEqual(bob.slice(0, 3)); // the statement of limit 3 again
    for (const limit of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => store.pendingFor('bob', 0, 100, limit)).toThrow(RangeError);
    store.close();
  });
});
