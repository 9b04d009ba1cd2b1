/**
 * Who is online (`P:on`, README, Running a cluster, Presence) when two logins of one user race and the older one
 * (its epoch taken first) is handled last: node a waits for the old node's budgets (`budgets?`, answered late: a
 * loaded node), node b does not. Node a's "online here" then lands after b's and names a; a's claim loses to b's,
 * a kicks its session, and its "gone" deletes the entry (it names a): before 2026-12-05 Alice, online on b, was
 * offline in Redis and on every node (the presence feed said so, `onlineUserOnly` messages to her were dropped)
 * until her next login. A node that hears another's "gone" for a user online on it says her online again.
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

describe('cluster: an older login handled after a newer one, on another node', () => {
  const t = inProcessNodes();

  it('leaves Alice online where the newer login is: on b', async () => {
    const pc = await t.proxy();
    const c = await t.node('c', { redisUrl: pc.url });
    const a = await t.node('a', { budgetAskMs: 10_000 }); // waits for c's answer
    const b = await t.node('b', { budgetAskMs: 1 }); // goes on without it
    await t.login(c, 'alice');
    await until('alice online on c', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'c');
    pc.deafen(); // node c reads its channel late: the budget asks wait
    const onA = await t.open(a);
    const older = onA.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') });
    await until("node a's login took its epoch", () => t.redis.hget(`${t.prefix}:d:alice`, 'epoch'), (e) => e === '2');
    const onB = await t.open(b);
    expect((await onB.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice') })).type).toBe('loggedIn');
    await until('alice online on b', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'b');
    pc.hear(); // node a hears c's budgets now, and goes on with its login
    expect((await older).type).toBe('loggedIn');
    await onA.closed; // its claim lost to b's: kicked
    await until('alice online on b', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'b');
    await onB.sync();
    expect(await t.redis.hget(`${t.prefix}:on`, 'alice')).toBe('b');
  }, 30_000);
});
