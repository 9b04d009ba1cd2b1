/**
 * A node gone for good (no heartbeat for longer than the room grace) is forgotten by the others: its members leave
 * their rooms, its users go offline (`deadNodes.ts`). Its mark in `P:said` (the nodes that wrote their members
 * since Redis last lost its data: a set with no TTL) stayed: one member more for each node that crashed, for good,
 * and a node with no `--node-id` takes a new ID at each start (the review of the cluster after a week, 2026-12-06).
 * Its members are gone from Redis now, so it has said none: the others take its mark out with them. A node with no
 * member and no user was named nowhere but in `P:said`, so it was never checked at all: the others check the nodes
 * `P:said` names too (the review of the cluster after a week). And a node's mark goes only while it is still gone: a
 * node back (or only slow: its commands timing out, its connections alive) as the others forget it keeps it, or
 * learns from its heartbeat that it lapsed and says its users, members and mark again.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

const GRACE_MS = 10_000; // roomGraceMs, the default

describe('cluster: a node gone for good', () => {
  const t = inProcessNodes();

  /** Node a, and node b (behind proxy `pb`) with Carol online on it, heard by node a. */
  async function carolOnB() {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    await t.login(b, 'carol');
    await until('carol online on b', () => t.redis.hget(`${t.prefix}:on`, 'carol'), (n) => n === 'b');
    await heardAll(a);
    return { pb, a, b };
  }

  it('Carol online on node b, node b loses Redis for good -> node a forgets her, and node b\'s mark in P:said', async () => {
    const { pb, a } = await carolOnB();
    expect(await t.redis.smembers(`${t.prefix}:said`)).toEqual(expect.arrayContaining(['a', 'b']));
    pb.cut(); // as a crash looks to the others: no more heartbeats
    await t.redis.del(`${t.prefix}:alive:b`); // (its last one's 3.5 s, passed)
    // Node a's liveness check runs each second of real time (the heartbeat's expiry is Redis's); the grace on its clock.
    await until('node b forgotten', async () => {
      await a.clock.advance(GRACE_MS);
      return [await t.redis.hexists(`${t.prefix}:on`, 'carol'), await t.redis.sismember(`${t.prefix}:said`, 'b')];
    }, ([online, said]) => online === 0 && said === 0);
    expect(await t.redis.smembers(`${t.prefix}:said`)).toEqual(['a']);
  });

  it('node b, with no user and no member, loses Redis for good -> node a takes its mark out of P:said all the same', async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    await t.node('b', { redisUrl: pb.url });
    await heardAll(a);
    expect((await t.redis.smembers(`${t.prefix}:said`)).sort()).toEqual(['a', 'b']);
    pb.cut(); // node b named by no member and no user: only its mark says it was there
    await t.redis.del(`${t.prefix}:alive:b`);
    await until('node b\'s mark gone', async () => {
      await a.clock.advance(GRACE_MS);
      return t.redis.smembers(`${t.prefix}:said`);
    }, (said) => !said.includes('b'));
    expect(await t.redis.smembers(`${t.prefix}:said`)).toEqual(['a']);
  });

  it('node b stalls past its heartbeat, its connections alive, and node a forgets it -> Redis answering again, node b says Carol and its mark again', async () => {
    const { pb, a, b } = await carolOnB();
    const catchUps = b.handle.metrics().cluster?.catchUps ?? 0;
    pb.hold(); // what node b sends waits (a Redis too slow for it: its commands time out, its connections live on)
    await t.redis.del(`${t.prefix}:alive:b`); // (its last beat's 3.5 s, passed)
    await until('node b forgotten', async () => {
      await a.clock.advance(GRACE_MS);
      return [await t.redis.hget(`${t.prefix}:d:carol`, 'node'), await t.redis.sismember(`${t.prefix}:said`, 'b')];
    }, ([node, said]) => node === null && said === 0);
    pb.release(); // its heartbeat reads that it lapsed: it catches up as after losing Redis
    await until('node b said again', async () => [await t.redis.hget(`${t.prefix}:d:carol`, 'node'), await t.redis.sismember(`${t.prefix}:said`, 'b')], ([node, said]) => node === 'b' && said === 1);
    // Its catch-up claims its users first and counts itself done last (ClusterNode.catchUp): read at once, the count
    // was behind now and then (a shuffled run, 2026-12-06).
    await until('node b caught up', () => b.handle.metrics().cluster?.catchUps ?? 0, (n) => n > catchUps);
    expect({ online: await t.redis.hget(`${t.prefix}:on`, 'carol'), caughtUp: (b.handle.metrics().cluster?.catchUps ?? 0) > catchUps }).toEqual({ online: 'b', caughtUp: true });
  });

  it('node b is back (heartbeat, mark) as node a\'s forgetting of it reaches Redis -> its mark stays', async () => {
    const pa = await t.proxy();
    const pb = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b', { redisUrl: pb.url });
    await t.login(b, 'carol');
    await heardAll(a);
    pb.cut();
    await t.redis.del(`${t.prefix}:alive:b`);
    // Node a's checks of node b pass one at a time (what it sends before each, its heartbeat, passes as it comes); the
    // one that finds it gone for good sends its forgetting, held.
    pa.hold();
    const alive = `${t.prefix}:alive:b`;
    const forgot = () => a.logs.some((l) => l.message === 'cluster: forgot the users of a node gone for good');
    const checking = () => {
      const sent = pa.holding();
      if (!sent.includes(alive)) (pa.release(), pa.hold());
      return sent.includes(alive);
    };
    while (!forgot()) {
      await a.clock.advance(GRACE_MS);
      await until('node a checks node b', checking, (ok) => ok);
      pa.passUntil(alive);
      await until('its answer taken', () => forgot() || checking(), (ok) => ok);
    }
    // Node b back meanwhile (as a restart does: heartbeat, then its members loaded, then its mark).
    await t.redis.set(alive, 'ok', 'PX', 60_000);
    await t.redis.sadd(`${t.prefix}:said`, 'b');
    pa.release();
    await t.login(a, 'dave'); // looked up behind node a's forgetting: Redis ran it
    expect(await t.redis.sismember(`${t.prefix}:said`, 'b')).toBe(1);
  });

  it('P:said names node b (live) and ten crashed idle nodes -> node a asks after all eleven heartbeats at once (one round trip), and forgets the ten, not b', async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    await t.node('b');
    const crashed = Array.from({ length: 10 }, (_, i) => `d${i}`); // no heartbeat: gone for good once the grace passed
    await t.redis.sadd(`${t.prefix}:said`, ...crashed);
    // What node a sends passes until a check asks after a heartbeat; from then on it is held. One at a time (each
    // EXISTS awaited, as before 2026-12-06), a single question waits for its answer; in one round trip, all eleven are out.
    pa.hold();
    const asked = () => {
      const n = pa.holding().match(/\$6\r\nexists\r\n/gi)?.length ?? 0;
      if (n === 0) (pa.release(), pa.hold());
      return n;
    };
    expect(await until('the check asks after every heartbeat', asked, (n) => n >= 11)).toBe(11);
    pa.release();
    await until('the crashed nodes forgotten', async () => {
      await a.clock.advance(GRACE_MS);
      return (await t.redis.smembers(`${t.prefix}:said`)).sort();
    }, (said) => said.length === 2);
    expect((await t.redis.smembers(`${t.prefix}:said`)).sort()).toEqual(['a', 'b']);
  });
});
