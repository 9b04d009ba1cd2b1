/**
 * A room entry written late by the node a member left (README, Running a cluster, Rooms): Alice enters room 7 on
 * node a, whose socket to Redis stalls with the entry on it; her client moves to node b (resuming her session) and
 * enters there; then node a's entry reaches Redis, after b's. Before 2026-12-05 it stood: the room's hash (and every
 * node but b, hearing it) named node a, where relays to her were dropped, and her leave on b (naming b) would delete
 * nothing. Node b, hearing an event of another node about a member with a live session on it, says its entry again.
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

describe('cluster: a room entry of the old node landing after the new one', () => {
  const t = inProcessNodes();
  const nodeOf = async (user: string) => {
    const entry = await t.redis.hget(`${t.prefix}:r:7`, user);
    return entry === null ? null : (JSON.parse(entry) as { node: string }).node;
  };

  it("leaves Alice's entry naming the node she is on: b", async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b', { budgetAskMs: 1 }); // node a's answer is held: b goes on without it
    const first = await t.open(a);
    const reply = await first.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') });
    a.handle.grantRoom(7, ['alice', 'bob']);
    const bob = await t.login(b, 'bob');
    await until('the grant on b', async () => (await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type, (x) => x === 'roomInfo');
    pa.hold(); // node a's socket stalls
    first.send({ type: 'roomEnter', rid: 99, roomID: 7, audio: true, video: false });
    await until("node a's entry on its way", () => pa.holding().includes(`${t.prefix}:r:7`), (ok) => ok);
    first.close(); // her client moves
    await until('detached on a', () => a.handle.metrics().detachedSessions, (n) => n === 1);
    const moved = await t.open(b);
    expect(await moved.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice'), resume: reply.session })).toMatchObject({ type: 'loggedIn' });
    expect((await moved.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type).toBe('roomInfo');
    await until('her entry names b', () => nodeOf('alice'), (n) => n === 'b');
    pa.release(); // node a's entry lands now, then what node a sends after it
    a.handle.grantRoom(555, ['carol']);
    await until("node a's later command ran", () => t.redis.exists(`${t.prefix}:h:r:555`), (n) => n === 1);
    await until('her entry names b again', () => nodeOf('alice'), (n) => n === 'b');
    await bob.sync();
    expect(await nodeOf('alice')).toBe('b');
  }, 30_000);
});
