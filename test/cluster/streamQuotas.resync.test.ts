/**
 * Found by the second review of the stream quotas (2026-12-04), fixed since: `mailbox.resync()` reads again only the streams of users with a position
 * (`lastIn`). A user held here whose login drain found an empty stream has none (drainNow sets no
 * position on an empty stream), nor has one whose position a refusal or a failed commit forgot: a
 * notice lost while the subscription was down leaves his copy in the stream until some later notice.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };

describe('stream quotas: resync after a lost notice, for a user with no position yet', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;
  it("Bob (node b) took nothing in yet; node b's subscriber misses Mallory's m1 -> once it is back, Bob still gets m1", async () => {
    const proxy = await t.proxy();
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000, redisUrl: proxy.url });
    const bob = await login(b, 'bob');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const mallory = await login(a, 'mallory');
    await movesDone(b);

    proxy.cut();
    await until('node b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm1', onlineUserOnly: false })).type).toBe('ack');
    await until('m1 in his stream', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 1);
    proxy.restore();
    await until('node b back', () => b.handle.metrics().cluster?.redisUp, (up) => up === 1, 10_000);
    // Node b read Bob's stream again when its subscription came back: m1 comes without another notice.
    await until('m1 given', () => payloads(bob), (p) => p.includes('m1'));
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await until('his stream emptied', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect({ bob: payloads(bob), stream: await redis.xlen(`${t.prefix}:i:bob`), open: bob.open }).toEqual({ bob: ['m1'], stream: 0, open: true });
  }, 30_000);
});
