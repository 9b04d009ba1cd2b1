/**
 * The review of 4c5d921 (2026-12-04; fixed since): parked copies are out of the recipient's count, so his stream is no longer bounded by
 * his cap (`maxBacklog`): every sender whose total is full on his node parks up to its share there. And the
 * node holding him reads his whole stream from its start at every notice (a position is never kept while
 * something stays), and parks every parked entry again: each copy anyone sends him costs work proportional
 * to all the parked copies of all such senders (`hc_cluster_parked_total` counts the ids node b asks Redis to park).
 */
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../server/support';
import { confirmGiven, inProcessNodes, sendC2C, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 4, maxBacklogPerSender: 2, maxBacklog: 4 };
const TTL_MS = 600_000;

describe('cluster: the cost of parked copies', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const send = sendC2C;
  const confirm = confirmGiven;

  it("three senders park 6 copies in Bob's stream (his cap is 4); then no copy Alice sends him parks them again (each re-parked all 6)", async () => {
    const [a, b] = [await node('a', { limits: CAPS, offlineTtlMs: TTL_MS }), await node('b', { limits: CAPS, offlineTtlMs: TTL_MS })];
    const nodes: TestServer[] = [a, b];
    const settle = async () => {
      for (const n of nodes) await settleMoves(n);
    };
    const bob = await login(b, 'bob');
    const xs = (i: number) => [`x${i}a`, `x${i}b`];
    for (const i of [0, 1, 2]) for (const x of xs(i)) await login(b, x);
    const alice = await login(a, 'alice');
    const mallories = [await login(a, 'm1'), await login(a, 'm2'), await login(a, 'm3')];
    for (const [i, m] of mallories.entries()) for (const x of xs(i)) for (let k = 0; k < 2; k++) expect(await send(m, x, `m${i}-${x}-${k}`)).toMatchObject({ type: 'ack' });
    await settle();
    // (A send may be refused once on the holdings node a last learned, before node b took their copies in: sent again.)
    for (const [i, m] of mallories.entries()) {
      for (let k = 0; k < 2; k++) await until(`m${i} to bob`, () => send(m, 'bob', `m${i}-bob-${k}`), (f) => f.type === 'ack');
    }
    await settle();
    await until(
      '6 parked',
      async () => {
        for (const n of nodes) await n.clock.advance(1000);
        await settle();
        return redis.scard(`${t.prefix}:p:bob`);
      },
      (n) => n === 6,
    );
    expect(await redis.xlen(`${t.prefix}:i:bob`)).toBe(6); // above his cap of 4

    // What node b asks Redis to park from now on (hc_cluster_parked_total): each of Alice's copies re-reads the stream.
    const asked = () => b.handle.metrics().cluster?.parked ?? 0;
    const before = asked();
    for (let k = 0; k < 5; k++) {
      expect(await send(alice, 'bob', `a${k}`)).toMatchObject({ type: 'ack' });
      await settle();
      await until(`a${k} given`, () => bob.frames.some((f) => f.type === 'message' && f.payload === `a${k}`), (ok) => ok);
      confirm(bob);
    }
    await settle();
    expect(asked() - before).toBe(0);
    // (Node b asked for the same 6 entries again at each of Alice's 5 copies: 30 ids.)
  });
});
