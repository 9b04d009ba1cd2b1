/**
 * A deleted group's history is cut to its deletion and kept a week (`TOMBSTONE_MS`) for nodes away that long.
 * A change of the group made on another node before the deletion but taken by Redis after it (its SHARE goes out
 * after the ack: a member's quit as the owner deletes, a node's unsent changes sent once Redis is back) was
 * appended to that tombstone and made it persistent (a group change kept its history for good, as a live
 * group's must be): one key per deleted group, for ever, on a timing any two members on two nodes can meet
 * (test/cluster/week.test.ts found it, 2026-12-06). Such a change keeps the history's life as it finds it.
 */
import { describe, expect, it } from 'vitest';
import { TOMBSTONE_MS } from '../../server/cluster/replicaScripts';
import { inProcessNodes, until } from './support';

describe('cluster: a group change Redis takes after the group was deleted', () => {
  const t = inProcessNodes();

  it('Carol quits on node b as Alice deletes the group on node a, her quit reaching Redis last -> the tombstone still expires', async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    const alice = await t.login(a, 'alice');
    const carol = await t.login(b, 'carol');
    const history = `${t.prefix}:h:g:g1`;
    expect(await alice.request({ type: 'groupCreate', groupID: 'g1', members: ['carol'] })).toMatchObject({ type: 'groupInfo' });
    expect(await until('the group on node b', () => carol.request({ type: 'groupJoin', groupID: 'g1' }), (r) => r.type === 'groupInfo')).toMatchObject({ type: 'groupInfo' });
    await until('her join in the history', () => t.redis.llen(history), (n) => n === 2);
    expect(await t.redis.pttl(history)).toBe(-1); // a live group's history is kept for good
    pb.holdScripts(); // node b's quit goes out to Redis, and waits there
    expect(await carol.request({ type: 'groupQuit', groupID: 'g1' })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'groupDelete', groupID: 'g1' })).toMatchObject({ type: 'ack' });
    await until('the deletion in Redis', () => t.redis.llen(history), (n) => n === 1);
    pb.release();
    await until('her quit behind it', () => t.redis.llen(history), (n) => n === 2);
    const ttl = await t.redis.pttl(history);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TOMBSTONE_MS);
  });
});
