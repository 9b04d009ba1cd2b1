/**
 * (Fixed since.) Review of 29aa8b0/5343112: rooms after a Redis restart that lost its data set (README: "room
 * membership (each node says again what it holds when Redis is back)"). The node that catches up
 * first reads the rooms before the other node has said its members again, and announces them as
 * leaving (a 1v1 call's USER_LEAVE ends it), then hears them enter again.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { tencentUserSig } from '../server/support';
import { SDKAPPID } from '../support/embeddedWorld';
import { party } from '../support/world';
import { caughtUp, flushPrefix, heardAll, inProcessNodes, until } from './support';


describe('review: rooms after a Redis restart', () => {
  const t = inProcessNodes();

  it('Redis restarts empty; node a is back ~1 s before node b -> Alice (node a) never hears Bob (node b, still in the room) leave', async () => {
    const pa = await t.proxy();
    const pb = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b', { redisUrl: pb.url });
    const alice = await t.login(a, 'alice');
    const bob = await t.login(b, 'bob');
    a.handle.grantRoom(7, ['alice', 'bob']);
    await until('the grant on b', async () => (await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type, (x) => x === 'roomInfo');
    expect(await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await bob.next((f) => f.type === 'userEntered' && f.userID === 'alice');
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
    const client = (id: string, url: string) => party(id, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url, WebSocket }) }));
    const alice = client('alice', a.handle.url);
    const bob = client('bob', b.handle.url);
    const seen = (p: typeof alice) => p.events.log.map((e) => e.name);
    try {
      await alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice') });
      await bob.calling.login({ userID: 'bob', userSig: tencentUserSig('bob') });
      bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
      await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
      await until('the call is up', () => [seen(alice), seen(bob)], (s) => s.every((n) => n.includes('onUserEnter')));
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
      void alice.calling.destroy();
      void bob.calling.destroy();
    }
  }, 60_000);
});
