/**
 * A member's state change heard from another node when this node holds no such member (it left, and the change
 * came late, or a node's stale word) changes nothing here: before 2026-12-06 the node made the room first and
 * then ignored the change, so an empty room stayed in its map for good (`hc_cluster_rooms` counted it, every
 * liveness check and relay walked it). Noticed by the cluster property hunt's helper; in-process servers on one
 * Redis (a key prefix of their own).
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes } from './support';

describe('cluster: a late state change of a member that is not there', () => {
  const t = inProcessNodes();
  const { node, redis } = t;

  it('node a says bob in room 9 now publishes video, node b holds nobody in room 9 -> node b holds no room', async () => {
    const b = await node('b');
    await node('a');
    await redis.publish(`${t.prefix}:all`, JSON.stringify({ t: 'room', node: 'a', ev: 'state', roomID: 9, userID: 'bob', audio: true, video: true }));
    await heardAll(b); // published after it on the same connection: handled after it
    expect(b.handle.metrics().cluster?.clusterRooms).toBe(0);
  });
});
