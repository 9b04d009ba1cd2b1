/**
 * A message for a user with no session on the sender's node is acked only once Redis answered its move
 * to the user's stream (DELIVER), or an online-only one its publish to the user's node: the order per sender-recipient pair then holds when the sender moves to
 * another node (our client dials the next URL at each reconnect). Acked before, the sender's next message
 * through another node could reach a Redis that had not yet run the first one's move (a Redis that stalls
 * runs what two connections sent in either order), and the recipient got the second first: a call's
 * cancel before its invite, which then rings on. Node a reaches Redis through a proxy that holds what node a sends.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, payloads, sendC2C, until } from './support';

describe('cluster: a message to another node is acked once Redis holds its move', () => {
  const t = inProcessNodes();
  const { node, login } = t;

  it.each([
    ['stored', false],
    ['online only', true],
  ] as const)("node a's writes to Redis stall as Alice sends m1 (%s) to Bob (on node b): no ack until they land; then m2 through node c comes after m1", async (_, onlineUserOnly) => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b');
    const c = await node('c', { budgetAskMs: 1 });
    const bob = await login(b, 'bob');
    const alice = await login(a, 'alice');
    await until('bob claimed on b', () => t.redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    // Node a knows he is online on node b (an online-only copy goes there): the notice came before this mark.
    await until('bob online on b', () => t.redis.hget(`${t.prefix}:on`, 'bob'), (n) => n === 'b');
    await heardAll(a);

    const published = a.handle.metrics().cluster?.published ?? 0;
    pa.hold();
    const ack = alice.request({ type: 'sendC2C', to: 'bob', payload: 'm1', onlineUserOnly });
    // Stored on node a (its move waits), or published to node b (its publish waits).
    await until('m1 routed on a', () => (onlineUserOnly ? (a.handle.metrics().cluster?.published ?? 0) - published : a.handle.metrics().stored), (n) => n === 1);
    await heardAll(a); // a later turn of node a's: whatever the message's turn sent has gone out
    // Its move waits in the proxy: Alice was told nothing yet.
    expect(alice.frames.map((f) => f.type)).not.toContain('ack');
    expect(payloads(bob)).toEqual([]);

    pa.release();
    expect((await ack).type).toBe('ack');
    const moved = await login(c, 'alice'); // Alice comes back through node c
    expect((await sendC2C(moved, 'bob', 'm2')).type).toBe('ack');
    await until("bob's messages", () => payloads(bob), (p) => p.length === 2);
    expect(payloads(bob)).toEqual(['m1', 'm2']);
  });
});
