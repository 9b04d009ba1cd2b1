/**
 * One room ID claimed on two nodes at the same instant: a KNOWN LIMIT, not fixed (the review of 2026-12-04;
 * README, Known limits of the cluster; `server/cluster/grants.ts`'s header says what the fix takes). Each
 * node applies its own claim first and refuses the other's when it is replayed (`ClusterGrants.apply` ->
 * `SqliteRoomGrants.claim`: roomInUse, silently), so the replicas never converge: node a holds the room for
 * Alice's call, node b for Mallory. Mallory enters it through node b, and node a, which takes room
 * membership from the other nodes without a grant check (`applyRemote`), puts her in Alice's call: Alice
 * hears her enter, and Alice's relays to the room go to her. Alice's own invitee, on node b, is refused.
 * On one node the second claim is refused (roomInUse): the behaviour this test asks for.
 *
 * The test asserts the limit as it stands (not `it.fails`, which any timeout would keep green): once the
 * claim is decided in Redis it fails, and its expectation becomes what one node does (in the comment).
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

const ROOM = 777;

describe('cluster: a room claimed on two nodes at once (known limit)', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('KNOWN LIMIT: both claims are acked, the loser gets into the winner\'s call and the winner\'s invitee on her node is refused', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const alice = await login(a, 'alice');
    const mallory = await login(b, 'mallory');
    const bob = await login(b, 'bob');
    alice.send({ type: 'roomClaim', rid: 900, roomID: ROOM });
    mallory.send({ type: 'roomClaim', rid: 900, roomID: ROOM });
    const answers = [await alice.next((f) => f.rid === 900), await mallory.next((f) => f.rid === 900)];
    // Both changes in the room's history: every node has heard both once a marker sent now reaches it.
    await until('both claims in the history', () => redis.llen(`${t.prefix}:h:r:${ROOM}`), (n) => n >= 2);
    for (const n of [a, b]) await heardAll(n);

    // Alice's call goes on as usual: she invites Bob and enters.
    const call = { inviteID: 'inv-1', roomID: ROOM, invitees: ['bob'], timeout: 30 };
    const invited = await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call });
    expect(await alice.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await until('the invitation\'s grant in the history', () => redis.lrange(`${t.prefix}:h:r:${ROOM}`, 0, -1), (h) => h.some((e) => e.includes('"op":"grant"')));
    await heardAll(b);
    const bobsEnter = await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true });
    const mallorysEnter = await mallory.request({ type: 'roomEnter', roomID: ROOM, audio: false, video: false });
    if (mallorysEnter.type === 'roomInfo') {
      await alice.next((f) => f.type === 'userEntered' && f.userID === 'mallory');
      await alice.request({ type: 'relay', roomID: ROOM, data: 'alice-sdp-offer' });
      await mallory.next((f) => f.type === 'relayed' && f.data === 'alice-sdp-offer'); // she gets Alice's signalling
    }
    expect({ claims: answers.map((f) => (f.type === 'error' ? f.code : f.type)).sort(), invited: invited.type, bobsEnter: bobsEnter.type === 'error' ? bobsEnter.code : bobsEnter.type, mallorysEnter: mallorysEnter.type === 'error' ? mallorysEnter.code : mallorysEnter.type }).toEqual({
      // What one node does, and what the fix must make true: claims ['ack', 'roomInUse'], bobsEnter 'roomInfo', mallorysEnter 'notInvited'.
      claims: ['ack', 'ack'],
      invited: 'ack',
      bobsEnter: 'notInvited',
      mallorysEnter: 'roomInfo',
    });
  });
});
