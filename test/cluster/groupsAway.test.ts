/**
 * A deleted group keeps no history in Redis (`replica.ts`; groupTombstones.test.ts), so what its week-long
 * tombstone did is now done by the read of the histories: a node that was cut from Redis, or down, while a group
 * was deleted drops it when it catches up or starts (Redis holds no history of it), and one deleted and made
 * again under its ID meanwhile is the new group there (the old members are not in it). A Redis that lost its
 * data holds no history of any group made before: those stay (`P:born`); so do the groups of a node that has
 * seen more changes than a Redis back from an older copy has made (its counter, `P:ver`, behind).
 */
import { describe, expect, it } from 'vitest';
import type { RawClient, TestServer } from '../server/support';
import { caughtUp, flushPrefix, inProcessNodes, until } from './support';

/** Groups made this long after the nodes' start: past the clocks' skew allowed around the birth of Redis's data. */
const LATER_MS = 20_000;

describe('cluster: groups deleted while a node was away', () => {
  const t = inProcessNodes();

  /** Alice (node a) makes `groups`, inviting Carol; Carol (node b) joins each there. */
  async function groupsOnBoth(b: TestServer, alice: RawClient, groups: readonly string[]): Promise<RawClient> {
    const carol = await t.login(b, 'carol');
    for (const groupID of groups) {
      expect((await alice.request({ type: 'groupCreate', groupID, members: ['carol'] })).type).toBe('groupInfo');
      await until(`carol in ${groupID} on b`, async () => (await carol.request({ type: 'groupJoin', groupID })).type, (type) => type === 'groupInfo');
    }
    return carol;
  }
  const refusal = async (client: RawClient, groupID: string) => {
    const reply = await client.request({ type: 'groupMembers', groupID });
    return reply.type === 'error' ? reply.code : reply.type;
  };

  it("node b is cut as Alice deletes 'gone' and deletes 'again' and makes it again for Dave -> back, node b has no 'gone', and Carol is not in 'again'", async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    for (const node of [a, b]) await node.clock.advance(LATER_MS);
    const alice = await t.login(a, 'alice');
    const carol = await groupsOnBoth(b, alice, ['gone', 'again']);
    pb.cut();
    await until('b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    for (const groupID of ['gone', 'again']) expect((await alice.request({ type: 'groupDelete', groupID })).type).toBe('ack');
    expect((await alice.request({ type: 'groupCreate', groupID: 'again', members: ['dave'] })).type).toBe('groupInfo');
    expect(await t.redis.keys(`${t.prefix}:h:g:*`)).toEqual([`${t.prefix}:h:g:again`]); // nothing kept of 'gone'
    pb.restore();
    await caughtUp(b);
    const dave = await t.login(b, 'dave');
    expect({
      gone: await refusal(carol, 'gone'),
      again: await refusal(carol, 'again'),
      daveJoins: (await dave.request({ type: 'groupJoin', groupID: 'again' })).type,
    }).toEqual({ gone: 'noSuchGroup', again: 'notGroupMember', daveJoins: 'groupInfo' });
  }, 60_000);

  it("node b is down as Alice deletes 'gone' -> started again on its database, node b has no 'gone'; 'kept' stays", async () => {
    const a = await t.node('a');
    const b = await t.node('b');
    for (const node of [a, b]) await node.clock.advance(LATER_MS);
    const alice = await t.login(a, 'alice');
    const carol = await groupsOnBoth(b, alice, ['gone', 'kept']);
    carol.terminate();
    await b.handle.close();
    expect((await alice.request({ type: 'groupDelete', groupID: 'gone' })).type).toBe('ack');
    await b.restart();
    const back = await t.login(b, 'carol');
    expect({ gone: await refusal(back, 'gone'), kept: await refusal(back, 'kept') }).toEqual({ gone: 'noSuchGroup', kept: 'groupInfo' });
  }, 60_000);

  it('Redis loses its data while node b is cut, and again while it is down -> node b keeps the groups it holds', async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    for (const node of [a, b]) await node.clock.advance(LATER_MS);
    const alice = await t.login(a, 'alice');
    const carol = await groupsOnBoth(b, alice, ['kept']);
    pb.cut();
    await until('b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    await flushPrefix(t.redis, t.prefix); // a restart without AOF
    pb.restore();
    await caughtUp(b);
    expect(await refusal(carol, 'kept')).toBe('groupInfo');
    carol.terminate();
    await b.handle.close();
    await flushPrefix(t.redis, t.prefix);
    await b.restart();
    expect(await refusal(await t.login(b, 'carol'), 'kept')).toBe('groupInfo');
  }, 60_000);

  it("Redis comes back from an older copy (without 'kept', its counter behind) while node b is cut -> node b keeps 'kept'", async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    for (const node of [a, b]) await node.clock.advance(LATER_MS);
    const carol = await groupsOnBoth(b, await t.login(a, 'alice'), ['kept']);
    pb.cut();
    await until('b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    // The copy was taken before 'kept' was made (its first change, version 1), P:born there already.
    await t.redis.del(`${t.prefix}:h:g:kept`, `${t.prefix}:ver`);
    pb.restore();
    await caughtUp(b);
    expect(await refusal(carol, 'kept')).toBe('groupInfo');
  }, 60_000);
});
