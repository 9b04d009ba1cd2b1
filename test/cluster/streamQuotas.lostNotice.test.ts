/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): a lost pub/sub notice (the recipient
 * node's subscriber was reconnecting when DELIVER published). Nothing reads the stream again while
 * the recipient's session lasts: the next notice is taken in alone and moves `lastIn` past the lost
 * entries, which are then skipped by every later take-in. With the quotas, the lost entries also
 * keep the sender's share of the recipient full: the sender's later copies are refused and wait on
 * its node, offered again every 30 s, for ever, while the recipient is online.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, until } from './support';

// Her share of Bob is 2: m1 (its notice lost) and m2 fill it. (A share of 1 made m2 wait on node a before;
// node a now refuses it at once, as one node would, since m1's move told it her share in his stream.)
const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 2, maxBacklog: 8 };

describe('stream quotas: a lost notice with the stream quotas', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it("node b's subscriber misses Mallory's notice -> once it is back, node b reads every held user's stream again: Bob gets m1, then m2 (her share freed), and Alice's copies", async () => {
    const proxy = await t.proxy();
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000, redisUrl: proxy.url });
    const bob = await login(b, 'bob');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const mallory = await login(a, 'mallory');
    const alice = await login(a, 'alice');
    // Bob has taken a copy in on b already (the usual case: his session is not brand new).
    expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a0', onlineUserOnly: false })).type).toBe('ack');
    await until('a0 given', () => payloads(bob), (p) => p.includes('a0'), 5000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq }); // as a client does

    proxy.cut();
    await until('node b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm1', onlineUserOnly: false })).type).toBe('ack');
    await until('m1 in his stream', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 1); // its notice to b is lost
    proxy.restore();
    await until('node b back', () => b.handle.metrics().cluster?.redisUp, (up) => up === 1, 10_000);
    await movesDone(a);
    await a.clock.advance(300); // node a counts its store again (m1 left it)

    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm2', onlineUserOnly: false })).type).toBe('ack');
    expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a1', onlineUserOnly: false })).type).toBe('ack');
    await until('a1 given', () => payloads(bob), (p) => p.includes('a1'), 5000);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await bob.sync();
    await until(
      'm2 given, his stream emptied',
      async () => {
        await a.clock.advance(30_000); // node a offers m2 again
        await b.clock.advance(30_000); // node b takes in again what its bounds left in the stream
        await movesDone(a);
        await movesDone(b);
        bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq }); // as a client does
        await bob.sync();
        return { given: payloads(bob).includes('m2'), stream: await redis.xlen(`${t.prefix}:i:bob`) };
      },
      ({ given, stream }) => given && stream === 0,
    );
    expect({ bob: payloads(bob).sort(), stream: await redis.xlen(`${t.prefix}:i:bob`), share: await redis.hget(`${t.prefix}:q:bob`, 's:mallory') }).toEqual({
      bob: ['a0', 'a1', 'm1', 'm2'],
      stream: 0,
      share: null,
    });
  });
});
