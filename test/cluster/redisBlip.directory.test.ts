/**
 * Who is where, across a Redis blip (the review of 2026-12-04 evening; each test failed before the
 * fix). Back on Redis, a node claims its users again with the epochs of their logins (`CLAIM`): one
 * a later login took over meanwhile (its takeover was published while the node was away) is kicked
 * now; one the other nodes released while they counted the node dead, or that a Redis restart
 * forgot, is routed to it again. And the copies it acked while Redis was away are offered at once,
 * not at the next step of their back-off. In-process nodes, one behind a proxy the test cuts.
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { flushPrefix, inProcessNodes, until } from './support';

describe('cluster: the directory across a Redis blip', () => {
  const t = inProcessNodes();
  const nodeOf = (user: string) => t.redis.hget(`${t.prefix}:d:${user}`, 'node');
  const payloads = (c: { frames: Record<string, unknown>[] }) => c.frames.filter((f) => f.type === 'message').map((f) => f.payload);

  it('Alice logs in again on node b while node a (her first session) is cut -> back on Redis, node a kicks its session', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const first = await t.login(a, 'alice');
    await until('alice claimed on a', () => nodeOf('alice'), (n) => n === 'a');
    proxy.cut();
    await until('a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    const second = await t.login(b, 'alice');
    await until('alice claimed on b', () => nodeOf('alice'), (n) => n === 'b');
    proxy.restore();
    await first.closed;
    expect(first.frames.some((f) => f.type === 'kicked')).toBe(true);
    expect(await second.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await until('node a holds nobody', () => a.handle.metrics().loggedInUsers, (n) => n === 0);
    expect(await nodeOf('alice')).toBe('b');
  });

  it("Bob's client resumes his session on node b while node a (holding it, detached) is cut -> back on Redis, node a hands it over quietly: the session's token is not superseded", async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const bob = await t.open(a);
    const reply = await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
    const session = reply.session as string;
    await until('bob claimed on a', () => nodeOf('bob'), (n) => n === 'a');
    proxy.cut();
    await until('a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    bob.close(); // his connection drops: the session waits on node a, detached
    await until('detached on a', () => a.handle.metrics().detachedSessions, (n) => n === 1);
    const moved = await t.open(b);
    expect(await moved.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), resume: session })).toMatchObject({ type: 'loggedIn' });
    proxy.restore();
    await until('node a let the session go', () => a.handle.metrics().detachedSessions, (n) => n === 0, 20_000);
    expect(await t.redis.hexists(`${t.prefix}:s:bob`, session)).toBe(0);
    expect(await moved.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('node a is cut until node b counts it dead and releases Alice -> back on Redis, node a claims her again and a message from Carol reaches her', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const alice = await t.login(a, 'alice');
    const carol = await t.login(b, 'carol');
    await until('alice claimed on a', () => nodeOf('alice'), (n) => n === 'a');
    proxy.cut();
    // Node a's heartbeat expires in Redis (3.5 s); node b then counts it dead after the room grace, on its clock.
    await until("a's heartbeat gone", () => t.redis.exists(`${t.prefix}:alive:a`), (n) => n === 0, 10_000);
    await until(
      'b released alice',
      async () => {
        await carol.request({ type: 'ping' }); // her connection stays alive on node b's clock
        await b.clock.advance(5_000);
        return nodeOf('alice');
      },
      (n) => n === null,
      20_000,
    );
    proxy.restore();
    await until('alice claimed on a again', () => nodeOf('alice'), (n) => n === 'a', 20_000);
    expect(await carol.request({ type: 'sendC2C', to: 'alice', payload: 'ring', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('alice given it', () => payloads(alice), (p) => p.length === 1);
    expect(payloads(alice)).toEqual(['ring']);
    // Node a deletes the entry it took in (hcTaken) once its store committed, in the same step as it hands the copy to
    // her connection: the delete is a Redis round trip that may land after she has the copy.
    await until('her stream emptied', () => t.redis.xlen(`${t.prefix}:i:alice`), (n) => n === 0);
  });

  it('Redis restarts empty (its data set lost) -> each node claims its users again: Carol still reaches Alice', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b', { redisUrl: proxy.url });
    const alice = await t.login(a, 'alice');
    const carol = await t.login(b, 'carol');
    await until('alice claimed on a', () => nodeOf('alice'), (n) => n === 'a');
    proxy.cut();
    await until('both lost Redis', () => [a, b].map((n) => n.handle.metrics().cluster?.redisUp), (up) => up.every((u) => u === 0));
    await flushPrefix(t.redis, t.prefix);
    proxy.restore();
    await until('alice claimed on a again', () => nodeOf('alice'), (n) => n === 'a', 20_000);
    await until('node b back', () => b.handle.metrics().cluster?.redisUp, (up) => up === 1, 20_000);
    expect(await carol.request({ type: 'sendC2C', to: 'alice', payload: 'ring', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('alice given it', () => payloads(alice), (p) => p.length === 1);
    expect(alice.open).toBe(true);
  });

  it('Alice (node a) sends to Bob (online on node b) while node a is cut -> the copy it acked moves as soon as Redis is back, not at its next try', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const alice = await t.login(a, 'alice');
    const bob = await t.login(b, 'bob');
    await until('bob claimed on b', () => nodeOf('bob'), (n) => n === 'b');
    proxy.cut();
    await until('a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    // Its tries fail while Redis is away (node a's clock: 1 s, then 2 s, 4 s...): its next one is 8 s away.
    for (const step of [1_000, 2_000, 4_000]) {
      await a.clock.advance(step);
      await until('the try failed', () => a.handle.metrics().cluster?.strandedUsers, (n) => n === 1);
    }
    proxy.restore();
    // Node a's clock stands still from here: only the catch-up can move it.
    await until('bob given it', () => payloads(bob), (p) => p.length === 1, 20_000);
    expect(payloads(bob)).toEqual(['invite']);
    await until('nothing stranded on a', () => a.handle.metrics().cluster?.strandedUsers, (n) => n === 0);
  });
});
