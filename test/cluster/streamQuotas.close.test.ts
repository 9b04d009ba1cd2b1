/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): a node's graceful end. node.ts says what a
 * node stored for others goes to their streams when it closes (`close()`); with the quotas, a copy
 * the stream refuses stays in the closing node's SQLite file. A node that is scaled away (its disk
 * with it) takes acked copies with it; until it comes back, they are nowhere a recipient can reach.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, payloads, settleMoves, until } from './support';

// His cap in the stream is what refuses m4 (her share of him refuses at once on node a, as on one node).
const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 8, maxBacklog: 3 };

describe('stream quotas: a node closing gracefully with copies its streams refused', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const start = (id: string) => node(id, { limits: CAPS, offlineTtlMs: 60_000 });


  it('node a closes (scale-down) holding an acked copy the stream refused -> it moves anyway (a closing node passes the quotas); Bob, online on node b, gets all four', async () => {
    const [a, b] = [await start('a'), await start('b')];
    const mallory = await login(a, 'mallory');
    for (const p of ['m1', 'm2', 'm3']) expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: p, onlineUserOnly: false })).type).toBe('ack');
    await settleMoves(a);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm4', onlineUserOnly: false })).type).toBe('ack');
    await settleMoves(a);
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(1);

    await a.handle.close(); // graceful: "what this node stored for others goes to their streams"
    // Everything acked should now be in Redis (node a's disk is going away).
    const inStream = (await redis.xrange(`${t.prefix}:i:bob`, '-', '+')).map(([, f]) => JSON.parse(f[1] as string).payload);
    const bob = await login(b, 'bob');
    // His cap on node b is 3: the fourth comes in once he confirms the first three (the next try).
    await until('bob given 3', () => payloads(bob).length, (n) => n >= 3, 5000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await bob.sync();
    await until(
      'bob given 4',
      async () => {
        await b.clock.advance(1000);
        return payloads(bob).length;
      },
      (n) => n >= 4,
    );
    expect({ inStream, bob: payloads(bob) }).toEqual({ inStream: ['m1', 'm2', 'm3', 'm4'], bob: ['m1', 'm2', 'm3', 'm4'] });
  });
});
