/**
 * Review of 5343112: a node whose catch-up claim lost hands its session over quietly when the winning
 * login resumed it, read from `resumed` in `P:d:<user>`. But every claim rewrites `resumed`, the
 * catch-up's own claims too (with ''): once the node that took the session over catches up after a
 * blip of its own, the resuming login's token is no longer there, and the first node kicks the
 * session it should hand over (its token superseded in Redis: the client that moved cannot resume).
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { caughtUp, inProcessNodes, until } from './support';

describe('review: a handover read after the winner caught up too', () => {
  const t = inProcessNodes();
  const nodeOf = (user: string) => t.redis.hget(`${t.prefix}:d:${user}`, 'node');

  it("Bob resumes on node b while node a (holding him detached) is cut; node b then has a blip of its own and catches up first -> node a still hands the session over: its token is not superseded", async () => {
    const pa = await t.proxy();
    const pb = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b', { redisUrl: pb.url });
    const bob = await t.open(a);
    const reply = await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
    const session = reply.session as string;
    await until('bob claimed on a', () => nodeOf('bob'), (n) => n === 'a');
    pa.cut();
    await until('a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === 0);
    bob.close();
    await until('detached on a', () => a.handle.metrics().detachedSessions, (n) => n === 1);
    const moved = await t.open(b);
    expect(await moved.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), resume: session })).toMatchObject({ type: 'loggedIn' });
    await until('bob claimed on b', () => nodeOf('bob'), (n) => n === 'b');
    // Node b's own blip: it catches up (its claims again) while node a is still away.
    pb.cut();
    await until('b lost Redis', () => b.handle.metrics().cluster?.redisUp, (up) => up === 0);
    pb.restore();
    await until('b back', () => b.handle.metrics().cluster?.redisUp, (up) => up === 1, 20_000);
    await caughtUp(b);
    pa.restore();
    await until('node a let the session go', () => a.handle.metrics().detachedSessions, (n) => n === 0, 20_000);
    await caughtUp(a);
    const superseded = await t.redis.exists(`${t.prefix}:s:${session}`);
    // The moved client's connection drops: it resumes its session (on node b) with its token.
    moved.close();
    await until('detached on b', () => b.handle.metrics().detachedSessions, (n) => n === 1);
    const again = await t.open(b);
    const answer = await again.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), resume: session });
    expect({ superseded, resumedAgain: answer.type === 'error' ? answer.code : answer.type }).toEqual({ superseded: 0, resumedAgain: 'loggedIn' });
  }, 60_000);
});
