/**
 * (Fixed since.) Review of 29aa8b0/5343112: rooms after a Redis restart that lost its data set (README: "room
 * membership (each node says again what it holds when Redis is back)"). The node that catches up
 * first reads the rooms before the other node has said its members again, and announces them as
 * leaving (a 1v1 call's USER_LEAVE ends it), then hears them enter again.
 */
import { describe, expect, it } from 'vitest';
import { callAcross, caughtUp, flushPrefix, heardAll, inProcessNodes, until } from './support';


describe('review: rooms after a Redis restart', () => {
  const t = inProcessNodes();

  it('Redis restarts empty; node a is back ~1 s before node b -> Alice (node a) never hears Bob (node b, still in the room) leave', async () => {
    const { pa, pb, a, b, alice } = await t.inRoom7();
    await heardAll(a); // node a has heard everything node b said so far
    const before = alice.frames.length;
    pa.cut();
    pb.cut();
    await until('both lost Redis', () => [a, b].map((n) => n.handle.metrics().cluster?.redisUp), (up) => up.every((u) => u === 0));
    await flushPrefix(t.redis, t.prefix); // the restart lost the data set
    pa.restore();
    await until('node a said Alice again', () => t.redis.hkeys(`${t.prefix}:r:7`), (k) => k.includes('alice'), 20_000);
    await caughtUp(a); // before node b is back
    pb.restore();
    await until('node b said Bob again', () => t.redis.hkeys(`${t.prefix}:r:7`), (k) => k.includes('bob'), 20_000);
    await caughtUp(b);
    await heardAll(a);
    await alice.sync(); // what node a sent her has arrived
    const seen = alice.frames.slice(before).filter((f) => (f.type === 'userLeft' || f.type === 'userEntered') && f.userID === 'bob').map((f) => f.type);
    expect({ heardBob: seen, members: ((await alice.request({ type: 'roomMembers', roomID: 7 })).members as { userID: string }[]).map((m) => m.userID).sort() }).toEqual({
      heardBob: [],
      members: ['alice', 'bob'],
    });
  }, 60_000);

  it('TRTCCalling: a 1v1 call across nodes a and b; Redis restarts empty, node a back first -> the call goes on (no onUserLeave / onCallEnd)', async () => {
    const pa = await t.proxy();
    const pb = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b', { redisUrl: pb.url });
    const { alice, seen, destroy } = await callAcross(a, b);
    try {
      pa.cut();
      pb.cut();
      await until('both lost Redis', () => [a, b].map((n) => n.handle.metrics().cluster?.redisUp), (up) => up.every((u) => u === 0));
      await flushPrefix(t.redis, t.prefix);
      pa.restore();
      await caughtUp(a);
      pb.restore();
      await caughtUp(b);
      await heardAll(a);
      expect(seen(alice).filter((n) => n === 'onUserLeave' || n === 'onCallEnd')).toEqual([]);
    } finally {
      await destroy();
    }
  }, 60_000);
});
