/**
 * One room ID claimed on two nodes at the same instant (the review of 2026-12-04 found it, then a known limit): each
 * node applied its own claim first and refused the other's replay, so both claimers were acked, the replicas never
 * converged, and the loser entered the winner's call through her own node. A room's first holder is now decided
 * in Redis (`ClusterGrants.inOrder`): the claim that finds no grant of its room on its node goes to Redis as an
 * ordered change, taken only while no other user's grant history holds the room, every node applies the claims
 * Redis took in its order, and the request waits for its own node to have applied it (or, not taken, to have
 * heard what Redis had). So the first claim holds the room everywhere, the later one is refused `roomInUse`, as
 * on one node.
 *
 * The race is made, not hoped for: node b's pub/sub is held (`deafen`), so b has not heard Alice's claim when
 * Mallory's comes; Mallory's claim has gone to Redis before b hears anything again.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

const ROOM = 777;
/** `limits.roomIdleMs`'s default: how long a claimed room nobody entered lives. */
const IDLE = 300_000;
const invite = (roomID: number, invitees: string[]) => ({ inviteID: `inv-${roomID}`, roomID, invitees, timeout: 30 });

describe('cluster: a room claimed on two nodes at once is decided in Redis\'s order', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const history = (roomID: number) => redis.lrange(`${t.prefix}:h:r:${roomID}`, 0, -1);

  /** Alice on node a, Mallory and Bob on node b, b deaf to pub/sub (it hears nothing the other nodes change). */
  async function deafB() {
    const pb = await t.proxy();
    const a = await node('a');
    const b = await node('b', { redisUrl: pb.url });
    const alice = await login(a, 'alice');
    const mallory = await login(b, 'mallory');
    const bob = await login(b, 'bob');
    await heardAll(b);
    pb.deafen();
    return { pb, a, b, alice, mallory, bob };
  }

  it('the first claim in Redis\'s order holds the room on every node: the later one is refused, its claimer kept out', async () => {
    const { pb, b, alice, mallory, bob } = await deafB();
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    // Alice enters: her room's history is kept two days while she is in it.
    expect(await alice.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    const mallorysClaim = mallory.request({ type: 'roomClaim', roomID: ROOM });
    // b has not heard Alice's claim: Mallory's goes to Redis, which does not take it (Alice's grant holds the room
    // there), and waits for b to hear what Redis had.
    await until('b waiting for its claim\'s order', () => b.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pb.hear();
    expect(await mallorysClaim).toMatchObject({ type: 'error', code: 'roomInUse' });
    // The losing claim left the winner's history as it was: one claim, kept as long as her call needs it.
    expect((await history(ROOM)).filter((e) => e.includes('"op":"claim"'))).toHaveLength(1);
    expect(await redis.pttl(`${t.prefix}:h:r:${ROOM}`)).toBeGreaterThan(86_400_000);

    // Alice's call goes on: she invites Bob, on b, who enters; Mallory, on b too, may not.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['bob']) })).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message');
    await heardAll(b);
    expect(await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    expect(await mallory.request({ type: 'roomEnter', roomID: ROOM, audio: false, video: false })).toMatchObject({ type: 'error', code: 'notInvited' });
    expect(alice.frames.filter((f) => f.type === 'userEntered').map((f) => f.userID)).toEqual(['bob']);
  });

  it('an invitation carrying a room ID nobody here holds claims it in the same order: refused when another node\'s claim came first', async () => {
    const { pb, b, alice, mallory, bob } = await deafB();
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    const mallorysInvitation = mallory.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['bob']) });
    await until('b waiting for its claim\'s order', () => b.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pb.hear();
    expect(await mallorysInvitation).toMatchObject({ type: 'error', code: 'roomInUse' });
    await heardAll(b);
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'error', code: 'notInvited' });
  });

  it('the SDK\'s claim, enter and invitation written at once: the enter and the invitation wait for the claim\'s order', async () => {
    const a = await node('a');
    const b = await node('b');
    const alice = await login(a, 'alice');
    const bob = await login(b, 'bob');
    const answers = await Promise.all([
      alice.request({ type: 'roomClaim', roomID: ROOM }),
      alice.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true }),
      alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['bob']) }),
    ]);
    expect(answers.map((f) => f.type)).toEqual(['ack', 'roomInfo', 'ack']);
    await bob.next((f) => f.type === 'message');
    await heardAll(b);
    expect(await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    // The invitation of a room its sender holds already is not ordered again: one claim in the history.
    expect((await history(ROOM)).filter((e) => e.includes('"op":"claim"'))).toHaveLength(1);
  });

  it('Redis away: a node decides a claim alone, as before (a blip keeps calls going)', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const alice = await login(a, 'alice');
    pa.cut();
    await until('a without Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    // Back, so that the node's close hands back at once (cut, it waits its whole hand-back bound).
    pa.restore();
    await until('a with Redis again', () => a.handle.metrics().cluster?.redisUp, (up) => up === 1);
  });

  // The review of 2026-12-06 found the next three.
  it('an outcome nobody read (its connection closed while it waited) is not handed to a later claim of the room, held by another by then', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const alice = await login(a, 'alice');
    await heardAll(a);
    pa.deafen();
    void alice.request({ type: 'roomClaim', roomID: ROOM }).catch(() => undefined);
    await until('her claim in the history', () => history(ROOM), (h) => h.length === 1);
    alice.terminate(); // gone before a applied her claim: its outcome ('won') is never read
    await until('a without her connection', () => a.handle.metrics().connections, (n) => n === 0);
    pa.hear();
    await heardAll(a);
    // Her claimed room is left idle: its grant ends everywhere; Carol claims the free room on b.
    await a.clock.advance(IDLE + 1000);
    await b.clock.advance(IDLE + 1000);
    // Its history goes with it (Redis's TTL runs in real time; the nodes' clocks were moved).
    await redis.del(`${t.prefix}:h:r:${ROOM}`);
    const carol = await login(b, 'carol');
    expect(await carol.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    await heardAll(a);
    // Alice back on a: the room is Carol's (before the fix she was acked with the stale 'won').
    const again = await login(a, 'alice');
    expect(await again.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'error', code: 'roomInUse' });
  });

  it('a claim caught by Redis\'s loss: once Redis is away, the node decides it alone, as every other', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const alice = await login(a, 'alice');
    pa.hold(); // Redis stalls: the claim's step waits
    const claiming = alice.request({ type: 'roomClaim', roomID: ROOM });
    await until('a waiting for the order', () => a.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    await a.clock.advance(2000);
    expect(await claiming).toMatchObject({ type: 'error', code: 'unavailable' });
    pa.cut();
    await until('a without Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM + 1 })).toMatchObject({ type: 'ack' });
    // Before the fix, `unavailable` for as long as Redis was away.
    expect(await alice.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    pa.release(); // (what it held went with the cut connections)
    pa.restore();
    await until('a with Redis again', () => a.handle.metrics().cluster?.redisUp, (up) => up === 1);
  });

  it('a group invitation decided again (its group not heard yet) waits for the claim its second look sends', async () => {
    const pb = await t.proxy();
    const a = await node('a');
    const b = await node('b', { redisUrl: pb.url });
    const alice = await login(b, 'alice');
    const bob = await login(a, 'bob');
    await heardAll(b);
    pb.deafen();
    a.handle.createGroup('team', ['alice', 'bob']);
    // b has not heard of the group: refused noSuchGroup, decided again once b has what Redis had.
    const inviting = alice.request({ type: 'sendGroup', groupID: 'team', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['bob']) });
    await until('b deciding it again', () => b.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pb.hear();
    // Its second look finds no grant of the room: a claim in Redis's order, waited for (before the fix: `unavailable` at once).
    expect(await inviting).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message');
    await heardAll(a);
    expect(await bob.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
  });

  /**
   * An owner's invitation renewing a grant in its last moments is applied by her node at once; a node that has not
   * heard it takes the grant for ended. A claim of the room sent from there in order reached Redis first, and the
   * nodes disagreed (the review of 2026-12-06): hers kept the room hers, the other gave it to the claimer. Redis now
   * takes another user's claim only once the room's history is gone (it outlives the grant), so the claim is refused.
   */
  it('a claim sent while its owner\'s renewal of a grant in its last second is on its way to Redis is refused: the nodes agree', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const first = await login(a, 'alice');
    expect(await first.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    await heardAll(b);
    await a.clock.advance(IDLE - 1000);
    await b.clock.advance(IDLE - 1000);
    const alice = await login(a, 'alice');
    const carol = await login(a, 'carol');
    const mallory = await login(b, 'mallory');
    // Alice invites Carol 1 s before her room would end: a applies the renewal at once, its Redis step held.
    pa.holdScripts();
    const inviting = alice.request({ type: 'sendC2C', to: 'carol', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['carol']) });
    await carol.next((f) => f.type === 'message'); // handed here: a has applied the renewal
    await a.clock.advance(2000);
    await b.clock.advance(2000);
    // b never heard the renewal: the room has ended there, and Mallory's claim reaches Redis first.
    const mallorys = await mallory.request({ type: 'roomClaim', roomID: ROOM });
    pa.release();
    await inviting;
    await heardAll(a);
    await heardAll(b);
    const carolsEnter = await carol.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false });
    const mallorysEnter = await mallory.request({ type: 'roomEnter', roomID: ROOM, audio: false, video: false });
    const code = (f: { type: unknown; code?: unknown }) => (f.type === 'error' ? f.code : f.type);
    // Before the fix: claim 'ack', and Mallory entered the room (her node's grant) while Carol did too (Alice's).
    expect({ claim: code(mallorys), carolsEnter: code(carolsEnter), mallorysEnter: code(mallorysEnter) }).toEqual({ claim: 'roomInUse', carolsEnter: 'roomInfo', mallorysEnter: 'notInvited' });
  });

  it('the administrator\'s grant of a room its node holds none of is ordered too: a former owner\'s claim on another node, its history still in Redis, is refused', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const before = await login(b, 'mallory');
    expect(await before.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    await heardAll(a);
    // Mallory's grant ends on both nodes; its history still lives in Redis (10 s; real time here).
    await a.clock.advance(IDLE + 1000);
    await b.clock.advance(IDLE + 1000);
    const mallory = await login(b, 'mallory');
    const dave = await login(a, 'dave');
    const carol = await login(a, 'carol');
    // The administrator grants the room to Dave and Carol on a, its Redis step held.
    pa.holdScripts();
    a.handle.grantRoom(ROOM, ['dave', 'carol']);
    // Mallory claims it again on b (the history in Redis is hers): not taken, decided on b: refused.
    const claim = await mallory.request({ type: 'roomClaim', roomID: ROOM });
    pa.release();
    await heardAll(a);
    await heardAll(b);
    const code = (f: { type: unknown; code?: unknown }) => (f.type === 'error' ? f.code : f.type);
    const davesEnter = await dave.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false });
    const carolsEnter = await carol.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false });
    const mallorysEnter = await mallory.request({ type: 'roomEnter', roomID: ROOM, audio: false, video: false });
    // Before the fix: her claim taken (the history's first change named her), and she entered Dave and Carol's call.
    expect({ claim: code(claim), davesEnter: code(davesEnter), carolsEnter: code(carolsEnter), mallorysEnter: code(mallorysEnter) }).toEqual({
      claim: 'roomInUse',
      davesEnter: 'roomInfo',
      carolsEnter: 'roomInfo',
      mallorysEnter: 'notInvited',
    });
  });

  it('the administrator\'s grant of a free room, its Redis step slower than a claim of it on another node: every node gives the room to the claimer, with the administrator\'s users in it', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const dave = await login(a, 'dave');
    const eve = await login(a, 'eve');
    const mallory = await login(b, 'mallory');
    await heardAll(a);
    pa.holdScripts();
    a.handle.grantRoom(ROOM, ['dave']);
    expect(await mallory.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    pa.release();
    await heardAll(a);
    await heardAll(b);
    // Mallory's room on both nodes (before the fix, a applied the grant at once and held the room for Dave): her
    // invitation admits Eve on a too, and the administrator's Dave is in it.
    expect(await mallory.request({ type: 'sendC2C', to: 'eve', payload: 'invite', onlineUserOnly: false, call: invite(ROOM, ['eve']) })).toMatchObject({ type: 'ack' });
    await eve.next((f) => f.type === 'message');
    await heardAll(a);
    expect(await eve.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect(await dave.request({ type: 'roomEnter', roomID: ROOM, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
  });

  it('a claim Redis did not take, its answer lost and the claim sent again: refused when the second answer comes', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const bob = await login(b, 'bob');
    const alice = await login(a, 'alice');
    await heardAll(a);
    pa.deafen();
    expect(await bob.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    // a has not heard Bob's claim; what Redis answers a is lost (Redis runs it), until the connection is cut.
    pa.gag();
    const claiming = alice.request({ type: 'roomClaim', roomID: ROOM });
    await until('a waiting for its claim\'s order', () => a.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pa.cut();
    pa.restore();
    pa.hear();
    // Back: a sends the claim again (it never heard an answer), Redis does not take it again, and a decides it.
    expect(await claiming).toMatchObject({ type: 'error', code: 'roomInUse' });
  });

  it('a claim its own node refuses for the quotas goes nowhere: the room ID stays free for others', async () => {
    const a = await node('a', { limits: { maxRoomsPerUser: 1 } });
    const b = await node('b', { limits: { maxRoomsPerUser: 1 } });
    const mallory = await login(a, 'mallory');
    const carol = await login(b, 'carol');
    expect(await mallory.request({ type: 'roomClaim', roomID: ROOM })).toMatchObject({ type: 'ack' });
    // At her quota: refused on her node (ordered, every node refused it too, and its history kept the ID for minutes).
    expect(await mallory.request({ type: 'roomClaim', roomID: ROOM + 1 })).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    expect(await history(ROOM + 1)).toEqual([]);
    expect(await carol.request({ type: 'roomClaim', roomID: ROOM + 1 })).toMatchObject({ type: 'ack' });
  });

  // The third review: `mayClaim` counts what its node has heard. Two claims of two free rooms on two nodes while the
  // server holds maxRooms - 1 both pass it; every node refuses the later in order. Its history kept the room ID from
  // everyone for the idle time: its maker now deletes a history holding that claim alone.
  it('a claim every node refuses in order leaves no history keeping its room ID from others once the server has room again', async () => {
    const pb = await t.proxy();
    const limits = { maxRooms: 1 };
    const a = await node('a', { limits });
    const b = await node('b', { redisUrl: pb.url, limits });
    const alice = await login(a, 'alice');
    const mallory = await login(b, 'mallory');
    const carol = await login(a, 'carol');
    await heardAll(b);
    pb.deafen();
    expect(await alice.request({ type: 'roomClaim', roomID: 100 })).toMatchObject({ type: 'ack' });
    // b has not heard Alice's claim: it holds no room, so Mallory's claim of room 200 passes its quotas and goes to Redis.
    const mallorys = mallory.request({ type: 'roomClaim', roomID: 200 });
    await until('b waiting for its claim\'s order', () => b.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pb.hear();
    // Applied after Alice's in Redis's order, every node refuses it: the server holds as many rooms as it may.
    expect(await mallorys).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    await heardAll(a);
    await heardAll(b);
    // Alice's call ends at once: she enters and leaves on purpose (nobody invited: the grant is over within seconds).
    expect(await alice.request({ type: 'roomEnter', roomID: 100, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await alice.request({ type: 'roomExit', roomID: 100 });
    await a.clock.advance(6000);
    await b.clock.advance(6000);
    // Nobody holds room 200 anywhere, and never did; yet Redis keeps a history of it for minutes.
    const pttl = await redis.pttl(`${t.prefix}:h:r:200`);
    // Carol claims room 200: the server has room for it and no grant holds it.
    const carols = await carol.request({ type: 'roomClaim', roomID: 200 });
    expect({ carols, pttl: pttl > 15_000 ? 'minutes' : 'short' }).toMatchObject({ carols: { type: 'ack' }, pttl: 'short' });
  });
});
