/**
 * (Fixed since.) Review of 29aa8b0: `reconcile` skips every member an event told of since the read began (`touched`),
 * even an event that was stale: a leave said again by a node back from its own blip (`unsaid`), for a
 * member who has entered on another node since. The node that missed that entry drops the member on
 * the stale leave and then skips what Redis holds (the member there, on the other node): he stays
 * invisible to it, and relays to him are refused.
 * Three in-process nodes; a and c behind proxies; b stays on Redis. Rooms of no one (entries that are
 * no member) only make c's read of the rooms last a moment, as on a service with many rooms.
 */
import { describe, expect, it } from 'vitest';
import { type RawClient, tencentUserSig } from '../server/support';
import { caughtUp, heardAll, inProcessNodes, until } from './support';


describe('review: a stale leave heard during the read', () => {
  const t = inProcessNodes();
  const names = async (c: RawClient) => ((await c.request({ type: 'roomMembers', roomID: 7 })).members as { userID: string }[]).map((m) => m.userID).sort();

  it('Bob exits room 7 on node a and enters it on node b while nodes a and c are cut; both come back -> Carol (node c) sees Bob in the room', async () => {
    const pa = await t.proxy();
    const pc = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b');
    const c = await t.node('c', { redisUrl: pc.url });
    const bobA = await t.login(a, 'bob');
    const carol = await t.login(c, 'carol');
    a.handle.grantRoom(7, ['bob', 'carol']);
    await until('the grant on c', async () => (await carol.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type, (x) => x === 'roomInfo');
    await until('the grant on b', () => b.handle.metrics().roomGrants, (n) => n >= 1);
    expect(await bobA.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await carol.next((f) => f.type === 'userEntered' && f.userID === 'bob');
    const pipeline = t.redis.pipeline();
    for (let i = 0; i < 4000; i++) pipeline.hset(`${t.prefix}:r:${100_000 + i}`, 'x', 'not a member');
    await pipeline.exec();
    pa.cut();
    pc.cut();
    await until('a and c lost Redis', () => [a, c].map((n) => n.handle.metrics().cluster?.redisUp), (up) => up.every((u) => u === 0));
    expect(await bobA.request({ type: 'roomExit', roomID: 7 })).toMatchObject({ type: 'ack' }); // said when a is back
    const bobB = await t.open(b);
    expect(await bobB.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') })).toMatchObject({ type: 'loggedIn' });
    expect(await bobB.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    expect((await t.redis.hkeys(`${t.prefix}:r:7`)).sort()).toEqual(['bob', 'carol']);
    pc.restore();
    await until('c back', () => c.handle.metrics().cluster?.redisUp, (up) => up === 1, 20_000);
    pa.restore();
    await until('a back', () => a.handle.metrics().cluster?.redisUp, (up) => up === 1, 20_000);
    await caughtUp(c);
    await caughtUp(a);
    await heardAll(c);
    expect({ members: await names(carol), relay: (await carol.request({ type: 'relay', roomID: 7, to: 'bob', data: 'offer' })).type }).toEqual({ members: ['bob', 'carol'], relay: 'ack' });
  }, 60_000);
});
