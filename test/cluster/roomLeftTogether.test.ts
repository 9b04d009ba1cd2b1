/**
 * A room whose last two members, on two nodes, leave at the same moment (both hang up together, a pub/sub
 * hop apart; or one leaves while its node is cut from Redis and says it when back): neither node sees its
 * own member's leave empty the room (each still sees the other's member), so neither vacates it there. The
 * leave Redis takes last records the vacate in its own step (it found the room's hash empty: `LEAVE` in
 * `server/cluster/scripts.ts`), and every node applies it. Found by the review of 2026-12-04: before, no node
 * vacated such a room, its grant stayed occupied on every node for ever (its invitees could enter it days
 * later) and counted against its owner's `maxRoomsPerUser` for ever. As on one node (and when the leaves
 * are a hop apart), the grant lingers 5 s and stops counting at once.
 */
import { describe, expect, it } from 'vitest';
import { type RawClient, type TestServer } from '../server/support';
import { heardAll, inProcessNodes, until } from './support';

const ROOM = 4242;

describe('cluster: the last two members leave a room together, on two nodes', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  async function inCall(a: TestServer, b: TestServer): Promise<[RawClient, RawClient]> {
    const alice = await login(a, 'alice');
    const bob = await login(b, 'bob');
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    const call = { inviteID: 'inv-1', roomID: ROOM, invitees: ['bob'], timeout: 30 };
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    // The grant's change is published in the step that writes its history: once it is there, node b hears it before a marker sent now.
    await until('the grant in its history', () => redis.lrange(`${t.prefix}:h:r:${ROOM}`, 0, -1), (h) => h.some((e) => e.includes('"op":"grant"')));
    await heardAll(b);
    expect(await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await alice.next((f) => f.type === 'userEntered' && f.userID === 'bob');
    await until('node b has alice in the room', () => bob.request({ type: 'roomMembers', roomID: ROOM }), (r) => (r.members as unknown[]).length === 2);
    return [alice, bob];
  }

  /** The room's vacate is in its history, and every node has heard it. */
  async function vacated(...nodes: TestServer[]): Promise<void> {
    await until('the vacate in the history', () => redis.lrange(`${t.prefix}:h:r:${ROOM}`, 0, -1), (h) => h.some((e) => e.includes('"op":"vacated"')));
    for (const n of nodes) await heardAll(n);
  }

  /** Both exits sent in one go (a hop apart from each other's node), their answers awaited; then each node hears the other's, and the vacate. */
  async function hangUpTogether(a: TestServer, b: TestServer, alice: RawClient, bob: RawClient): Promise<void> {
    alice.send({ type: 'roomExit', rid: 900, roomID: ROOM });
    bob.send({ type: 'roomExit', rid: 900, roomID: ROOM });
    expect(await alice.next((f) => f.rid === 900)).toMatchObject({ type: 'ack' });
    expect(await bob.next((f) => f.rid === 900)).toMatchObject({ type: 'ack' });
    for (const n of [a, b]) await until('the room empty on every node', () => n.handle.metrics().cluster?.clusterRooms, (rooms) => rooms === 0);
    await vacated(a, b);
  }

  it.each(['a hop apart (control)', 'together'] as const)('exits %s -> the owner can make its next call (maxRoomsPerUser 1): the room it left no longer counts', async (how) => {
    const options = { limits: { maxRoomsPerUser: 1 } };
    const [a, b] = [await node('a', options), await node('b', options)];
    const [alice, bob] = await inCall(a, b);
    if (how === 'together') await hangUpTogether(a, b, alice, bob);
    else {
      expect(await bob.request({ type: 'roomExit', roomID: ROOM })).toMatchObject({ type: 'ack' });
      await alice.next((f) => f.type === 'userLeft' && f.userID === 'bob');
      expect(await alice.request({ type: 'roomExit', roomID: ROOM })).toMatchObject({ type: 'ack' });
    }
    // Acked: the room lingers, counting against nobody (together, before the fix: quotaExceeded, for ever).
    const answer = await alice.request({ type: 'roomClaim', roomID: ROOM + 1 });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('ack');
  });

  it('the ended call\'s room is closed to its invitee once its linger and idle time are over', async () => {
    const options = { idleTimeoutMs: 3_600_000 };
    const [a, b] = [await node('a', options), await node('b', options)];
    const [alice, bob] = await inCall(a, b);
    await hangUpTogether(a, b, alice, bob);
    for (const n of [a, b]) await n.clock.advance(10 * 60_000); // far past the 5 s linger and the 5 min idle time
    const answer = await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('notInvited'); // before the fix: roomInfo, he is in it again
  });

  it("Bob exits while his node is cut from Redis, after Alice's exit it has not heard -> back on Redis, its leave vacates the room", async () => {
    const proxy = await t.proxy();
    const options = { limits: { maxRoomsPerUser: 1 }, idleTimeoutMs: 3_600_000 };
    const a = await node('a', options);
    const b = await node('b', { ...options, redisUrl: proxy.url });
    const [alice, bob] = await inCall(a, b);
    proxy.cut();
    await until('node b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect(await alice.request({ type: 'roomExit', roomID: ROOM })).toMatchObject({ type: 'ack' });
    expect(await bob.request({ type: 'roomExit', roomID: ROOM })).toMatchObject({ type: 'ack' }); // node b still sees Alice
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM + 1 })).toMatchObject({ type: 'error', code: 'quotaExceeded' }); // Bob is in it, as far as node a knows
    proxy.restore();
    await vacated(a);
    await until('node b caught up', () => b.handle.metrics().cluster?.catchUps, (n) => (n ?? 0) >= 1, 20_000);
    await heardAll(b);
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM + 1 })).toMatchObject({ type: 'ack' });
    expect([a, b].map((n) => n.handle.metrics().cluster?.clusterRooms)).toEqual([0, 0]);
    for (const n of [a, b]) await n.clock.advance(10 * 60_000); // node b vacated it too: its grant is over there
    const answer = await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('notInvited');
  });
});
