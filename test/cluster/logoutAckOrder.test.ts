/**
 * A logout's ack waits for its turn's commit, then for `ended` (the DEL of P:k): the frames queued for the
 * commit before it go first. It waited for `ended` alone (the review of 0746a26), so when the DEL settled
 * within the turn (Redis unreachable: without an offline queue, ioredis rejects at once) the logout's ack
 * overtook the ack of the message sent just before it.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';

describe('cluster: a logout\'s ack after the turn\'s commit', () => {
  const t = inProcessNodes();
  const { node, login } = t;

  it('Redis unreachable: the ack of a message sent just before a logout comes before the logout\'s ack', async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const bob = await login(a, 'bob');
    const alice = await login(a, 'alice');
    pa.cut();
    await until('node a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    // Both frames in one TCP segment: handled in one turn, as a pipelining client's often are.
    const socket = (alice as unknown as { ws: { _socket: Socket } }).ws._socket;
    socket.cork();
    alice.send({ type: 'sendC2C', rid: 50, to: 'bob', payload: 'm1', onlineUserOnly: false });
    alice.send({ type: 'logout', rid: 51 });
    socket.uncork();
    await until('both answers', () => alice.frames.filter((f) => f.rid === 50 || f.rid === 51).length, (n) => n === 2);
    const order = alice.frames.filter((f) => f.rid === 50 || f.rid === 51).map((f) => `${String(f.rid)} ${String(f.type)}`);
    expect(order).toEqual(['50 ack', '51 ack']);
    expect(bob.frames.some((f) => f.type === 'message')).toBe(true);
  });
});
