/**
 * What a node keeps per user (its epoch, its position in the user's stream, the copies it sent to
 * the stream) goes with the user's session there: a long-running node holds state for the users
 * it holds now, not for every user it has ever seen. And a user coming back later finds its stored
 * messages exactly once. In-process servers on one Redis (a key prefix of their own).
 */
import { describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, type TestServer } from '../server/support';
import { caughtUp, inProcessNodes, movesDone, until } from './support';

const USERS = 40;

describe('cluster: per-user state of a node', () => {
  const t = inProcessNodes();
  const { node, open } = t;

  const entries = (server: TestServer) => server.handle.metrics().cluster?.userEntries;

  /** Logs `user` in, takes its one stored message, logs out; returns what it was given. */
  async function visit(server: TestServer, user: string): Promise<string[]> {
    const c = await RawClient.open(server.handle.url);
    expect(await c.request({ type: 'login', userID: user, userSig: tencentUserSig(user) })).toMatchObject({ type: 'loggedIn' });
    const m = await c.next((f) => f.type === 'message');
    c.send({ type: 'received', upTo: m.seq });
    expect(await c.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    c.terminate();
    await c.closed;
    return c.frames.filter((f) => f.type === 'message').map((f) => String(f.payload));
  }

  it(`Alice stores a message for each of ${USERS} offline users, each logs in, takes it and logs out -> the node keeps state for Alice alone`, async () => {
    const server = await node('n1');
    const alice = await open(server);
    expect(await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') })).toMatchObject({ type: 'loggedIn' });
    const aliceOnly = entries(server);
    for (let i = 0; i < USERS; i++) {
      expect(await alice.request({ type: 'sendC2C', to: `u${i}`, payload: `hi u${i}`, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    }
    for (let i = 0; i < USERS; i++) expect(await visit(server, `u${i}`)).toEqual([`hi u${i}`]);
    expect(server.handle.metrics().loggedInUsers).toBe(1);
    expect(await until('the users forgotten', () => entries(server), (n) => n === aliceOnly)).toBe(1);
  });

  it(`Alice stores a message for each of ${USERS} offline users and logs out -> the node forgets what she holds in their streams`, async () => {
    const server = await node('n1');
    const alice = await open(server);
    expect(await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') })).toMatchObject({ type: 'loggedIn' });
    for (let i = 0; i < USERS; i++) {
      expect(await alice.request({ type: 'sendC2C', to: `u${i}`, payload: `hi u${i}`, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    }
    // Her copies moved to the users' streams: her total there, and her share of each, count in her quotas here.
    await until('her copies in the streams', () => server.handle.metrics().cluster?.heldEntries, (n) => n === USERS + 1);
    expect(await alice.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    await until('what she holds forgotten', () => server.handle.metrics().cluster?.heldEntries, (n) => n === 0);
    // Her next login here learns her total again from Redis (PREPARE): her quotas still count it.
    const back = await open(server);
    expect(await back.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') })).toMatchObject({ type: 'loggedIn' });
    expect(server.handle.metrics().cluster?.heldEntries).toBe(1);
  });

  it('Mallory holds a copy in a stream, logs in again and closes while the lookup is out -> the node keeps nothing of her', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const held = () => a.handle.metrics().cluster?.heldEntries;
    const mallory = await t.login(a, 'mallory');
    expect(await mallory.request({ type: 'sendC2C', to: 'u1', payload: 'hi', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('her copy in the stream (her total, her share of it)', held, (n) => n === 2);
    expect(await mallory.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    await until('forgotten with her session', held, (n) => n === 0);
    mallory.terminate();
    // Her next login's lookup (PREPARE reads her total) waits at the proxy; her connection closes meanwhile.
    const again = await open(a);
    pa.hold();
    again.send({ rid: 1, type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory') });
    await until('her lookup sent', () => pa.holding(), (sent) => sent.includes(`${t.prefix}:o:b:mallory`));
    again.terminate();
    await until('her connection gone from the node', () => a.handle.metrics().connections, (n) => n === 0);
    pa.release();
    // Carol's login is looked up behind hers on the same connection: answered, Mallory's lookup was too.
    await t.login(a, 'carol');
    expect({ held: held(), loggedIn: a.handle.metrics().loggedInUsers }).toEqual({ held: 0, loggedIn: 1 });
  });

  it('Bob\'s session on node a ends with a delete of his stream unanswered, his next login there ends its lookup meanwhile -> what he holds in the streams still counts', async () => {
    const pa = await t.proxy();
    const [a, b] = [await node('a', { redisUrl: pa.url }), await node('b')];
    const held = () => a.handle.metrics().cluster?.heldEntries;
    const alice = await t.login(b, 'alice');
    const bob = await t.login(a, 'bob');
    expect(await bob.request({ type: 'sendC2C', to: 'u1', payload: 'his copy', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('his copy in u1\'s stream', held, (n) => n === 2);
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'one', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message' && f.payload === 'one');
    // Node a takes 'two' in; Redis deletes it from his stream, its answer lost: the delete is tried again (`untaken`).
    await until('taken from his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    pa.gag();
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'two', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    bob.send({ type: 'received', upTo: (await bob.next((f) => f.type === 'message' && f.payload === 'two')).seq }); // none to move at his end
    await until('taken from his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    pa.cut();
    pa.restore();
    await caughtUp(a);
    await movesDone(a); // its read of his stream again: nothing left there, the delete still to try
    // His second login's lookup, then his first session's last delete (its end), wait at the proxy.
    pa.hold();
    const again = await open(a);
    again.send({ rid: 1, type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
    await until('his lookup sent', () => pa.holding(), (sent) => sent.includes(`${t.prefix}:o:b:bob`));
    bob.send({ rid: 2, type: 'logout' }); // (its ack waits for Redis)
    await until('his ended session\'s delete sent', () => pa.holding().split(`${t.prefix}:q:bob`).length - 1, (n) => n === 1);
    pa.passUntil(`${t.prefix}:o:b:bob`); // the lookup answered: his session here again, the delete still out
    expect(await again.next((f) => f.rid === 1)).toMatchObject({ type: 'loggedIn' });
    pa.release();
    await movesDone(a);
    expect(held()).toBe(1); // his total in the streams (his share of u1's is learned again at his next move)
  });

  it('Bob takes a message on node b and logs out; one more is sent to him from node a -> back on node b he gets it, once', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const alice = await open(a);
    expect(await alice.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') })).toMatchObject({ type: 'loggedIn' });
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'one', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    expect(await visit(b, 'bob')).toEqual(['one']);
    await until('node b forgot bob', () => entries(b), (n) => n === 0);
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'two', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('in his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 1);
    const bob = await open(b);
    expect(await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') })).toMatchObject({ type: 'loggedIn' });
    const m = await bob.next((f) => f.type === 'message');
    bob.send({ type: 'received', upTo: m.seq });
    await until('taken from his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'message').map((f) => f.payload)).toEqual(['two']);
  });
});
