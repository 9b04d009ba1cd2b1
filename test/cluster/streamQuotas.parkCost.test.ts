/**
 * The review of 4c5d921 (2026-12-04; fixed since): parked copies are out of the recipient's count, so his stream is no longer bounded by
 * his cap (`maxBacklog`): every sender whose total is full on his node parks up to its share there. And the
 * node holding him reads his whole stream from its start at every notice (a position is never kept while
 * something stays), and parks every parked entry again: each copy anyone sends him costs work proportional
 * to all the parked copies of all such senders (MONITOR counts the ids node b passes to PARK).
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { RawClient, TestServer } from '../server/support';
import { inProcessNodes, REDIS_URL, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 4, maxBacklogPerSender: 2, maxBacklog: 4 };
const TTL_MS = 600_000;

describe('cluster: the cost of parked copies', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  const send = (from: RawClient, to: string, payload: string) => from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });
  const confirm = (c: RawClient) => {
    const last = c.frames.filter((f) => f.type === 'message').at(-1);
    if (last) c.send({ type: 'received', upTo: last.seq });
  };

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
    for (const [i, m] of mallories.entries()) for (let k = 0; k < 2; k++) await send(m, 'bob', `m${i}-bob-${k}`);
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

    const monitor = await new Redis(REDIS_URL).monitor();
    const parkedIds: string[] = [];
    const marker = `${t.prefix}:marker`;
    let markerSeen = false;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (String(args[0]).toLowerCase() === 'echo' && args[1] === marker) markerSeen = true;
      // hcPark: EVALSHA sha 3 <inbox> <counts> <parked> ...ids
      if (String(args[0]).toLowerCase() === 'evalsha' && args[2] === '3' && args[5] === `${t.prefix}:p:bob` && args[3] === `${t.prefix}:i:bob` && !String(args[6]).includes(':')) parkedIds.push(...args.slice(6));
    });
    try {
      for (let k = 0; k < 5; k++) {
        expect(await send(alice, 'bob', `a${k}`)).toMatchObject({ type: 'ack' });
        await settle();
        await until(`a${k} given`, () => bob.frames.some((f) => f.type === 'message' && f.payload === `a${k}`), (ok) => ok);
        confirm(bob);
      }
      // MONITOR reports commands in the order Redis ran them: once it reports this one, it reported those before.
      await redis.echo(marker);
      await until('the monitor caught up', () => markerSeen, (seen) => seen);
    } finally {
      monitor.disconnect();
    }
    // Nothing new was parked (node b parked the same 6 entries again at each of Alice's 5 copies: 30 ids).
    expect(parkedIds.length).toBe(0);
  });
});
