/**
 * The cluster's login gate and kicked-userSig rule, with in-process servers on one Redis (a key
 * prefix of their own, deleted afterwards):
 * - before a login succeeds nothing a connection sends reaches Redis: a login the hub will refuse
 *   (a forged userSig, a userID the protocol refuses) is never looked up there;
 * - a kicked tab that reconnects on its own, with its token or without, can never kick the newer
 *   login back, whichever node it reaches (on one node the hub's own rule), also while the newer
 *   session waits in its grace; once the user has no session left, its old userSig logs in again.
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

describe('cluster trust boundary', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  it('logins the hub refuses (a forged userSig, a userID the protocol refuses) write nothing to Redis', async () => {
    const a = await node('a');
    const client = await open(a);
    const bogus = [
      { userID: `x-${'A'.repeat(1000)}`, userSig: tencentUserSig('x') }, // not a userID
      { userID: 'mallory', userSig: 'forged' },
      { userID: 'mallory', userSig: tencentUserSig('alice') }, // another user's
    ];
    for (const [i, login] of bogus.entries()) client.send({ type: 'login', rid: i + 1, protocol: 1, ...login });
    const codes: unknown[] = [];
    for (let i = 1; i <= bogus.length; i++) codes.push((await client.next((f) => f.rid === i)).code);
    expect(codes).toEqual(['badFrame', 'userSigMalformed', 'userSigWrongUser']);
    expect(await redis.keys(`${t.prefix}:d:*`)).toEqual([]);
    // A login that verifies is looked up as before.
    expect((await client.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory'), protocol: 1 })).type).toBe('loggedIn');
    expect(await redis.keys(`${t.prefix}:d:*`)).toEqual([`${t.prefix}:d:mallory`]);
  });

  describe('a kicked tab coming back', () => {
    const oldSig = tencentUserSig('carol', 3600);
    const newSig = tencentUserSig('carol', 3599);

    /** Tab 1 logs in on node a, tab 2 on node b (or `on` a too) kicks it. */
    async function kicked(on: 'a' | 'b' = 'b') {
      const [a, b] = [await node('a'), await node('b')];
      expect(newSig).not.toBe(oldSig);
      const tab1 = await open(a);
      const first = await tab1.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
      expect(first.type).toBe('loggedIn');
      await until('carol claimed on a', () => redis.hget(`${t.prefix}:d:carol`, 'node'), (n) => n === 'a');
      const tab2 = await open(on === 'a' ? a : b);
      const second = await tab2.request({ type: 'login', userID: 'carol', userSig: newSig, protocol: 1 });
      expect(second.type).toBe('loggedIn');
      expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
      return { a, b, tab2, token: first.session as string, newer: second.session as string };
    }

    it.each([
      ['with its token', 'b'],
      ['without its token', 'b'],
      ['with its token', 'a'],
      ['without its token', 'a'],
    ] as const)('%s, through node %s -> refused (sessionSuperseded); the newer login stays', async (how, where) => {
      const { a, b, tab2, token } = await kicked();
      const comeback = await open(where === 'a' ? a : b);
      const login = { type: 'login', userID: 'carol', userSig: oldSig, protocol: 1, ...(how === 'with its token' ? { resume: token } : {}) };
      const answer = await comeback.request(login);
      expect(answer.type === 'error' ? answer.code : answer.type).toBe('sessionSuperseded');
      // The newer login was not kicked: it still answers.
      expect((await tab2.request({ type: 'ping' })).type).toBe('pong');
      expect(tab2.open).toBe(true);
    });

    it.each(['with its token', 'without its token'] as const)('kicked by a login on its own node a, coming back %s through node b -> refused; the newer login stays', async (how) => {
      const { b, tab2, token } = await kicked('a');
      const comeback = await open(b);
      const login = { type: 'login', userID: 'carol', userSig: oldSig, protocol: 1, ...(how === 'with its token' ? { resume: token } : {}) };
      const answer = await comeback.request(login);
      expect(answer.type === 'error' ? answer.code : answer.type).toBe('sessionSuperseded');
      expect((await tab2.request({ type: 'ping' })).type).toBe('pong');
    });

    it("the newer login's connection drops (its session in its grace) -> the old userSig is still refused; the newer one resumes", async () => {
      const { a, b, tab2, newer } = await kicked();
      tab2.terminate();
      await until('carol offline (in her grace)', () => redis.hget(`${t.prefix}:on`, 'carol'), (n) => n === null);
      const comeback = await open(a);
      const answer = await comeback.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
      expect(answer.type === 'error' ? answer.code : answer.type).toBe('sessionSuperseded');
      const back = await open(b);
      expect((await back.request({ type: 'login', userID: 'carol', userSig: newSig, protocol: 1, resume: newer })).type).toBe('loggedIn');
    });

    it('the newer login logs out -> the old userSig logs in again (the user has no session left)', async () => {
      const { a, tab2 } = await kicked();
      // Its ack comes once Redis freed the revocation (logoutTold.test.ts): no waiting for it here.
      expect((await tab2.request({ type: 'logout' })).type).toBe('ack');
      expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(0);
      const again = await open(a);
      expect((await again.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 })).type).toBe('loggedIn');
    });
  });
});
