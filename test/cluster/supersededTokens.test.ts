/**
 * What one user's logins leave in Redis, and what they must keep. Each login that kicked her earlier session wrote
 * that session's token as superseded in a key of its own (`P:s:<token>`, kept 7 days), and its userSig in her
 * revoked set (`P:k:<user>`, one field per userSig for as long as she kept a session): a user opening connection
 * after connection, each with a userSig of its own, grew a hash without bound and left a key per login for a week
 * (a cluster adversary's finding). Now her superseded tokens are one hash, `P:s:<user>` (her newest 256, a week
 * from its last write), and `P:k` keeps her newest 16, as one node keeps 16 revoked userSigs per user. The tokens
 * stay through her logouts: with one userSig on every device, only the token tells a kicked session from the newer
 * one (one node keeps 4,096 of them in all, whoever logs out), so neither reloads nor a logout lets a kicked phone
 * resume and kick the newer login back (the review of the first fix, which kept 16 and deleted them at ENDED).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { defineScripts } from '../../server/cluster/scripts';
import { tencentUserSig } from '../server/support';
import { REDIS_URL, flushPrefix, inProcessNodes } from './support';

describe("a user's kicked sessions in Redis", () => {
  const t = inProcessNodes();

  it('Mallory logs in 40 times on node a, each login with a userSig of its own kicking the one before, then logs out -> one key of her tokens, 16 userSigs', async () => {
    const a = await t.node('a');
    let last = null as Awaited<ReturnType<typeof t.open>> | null;
    for (let i = 0; i < 40; i++) {
      const tab = await t.open(a);
      const sig = tencentUserSig('mallory', 3600 - i); // a fresh userSig each time
      expect((await tab.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 })).type).toBe('loggedIn');
      if (last) await last.closed; // told once Redis took the revocation
      last = tab;
    }
    const revokedSigs = await t.redis.hlen(`${t.prefix}:k:mallory`);
    expect((await last!.request({ type: 'logout' })).type).toBe('ack');
    const keys = await t.redis.keys(`${t.prefix}:s:*`);
    const ttlDays = Math.round((await t.redis.pttl(`${t.prefix}:s:mallory`)) / 86_400_000);
    expect({ revokedSigs, keys, tokens: await t.redis.hlen(`${t.prefix}:s:mallory`), ttlDays, sigsAfterLogout: await t.redis.exists(`${t.prefix}:k:mallory`) }).toEqual({
      revokedSigs: 16,
      keys: [`${t.prefix}:s:mallory`],
      tokens: 39,
      ttlDays: 7,
      sigsAfterLogout: 0,
    });
  });

  it('Mallory logs in 20 times on node a, each login kicking the one before -> the newest kicked tab is refused on node b, by its token and by its userSig', async () => {
    const a = await t.node('a');
    const b = await t.node('b');
    const logins: { sig: string; session: string }[] = [];
    let last = null as Awaited<ReturnType<typeof t.open>> | null;
    for (let i = 0; i < 20; i++) {
      const tab = await t.open(a);
      const sig = tencentUserSig('mallory', 3600 - i);
      const reply = await tab.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 });
      logins.push({ sig, session: String(reply.session) });
      if (last) await last.closed;
      last = tab;
    }
    const kicked = logins[18] as { sig: string; session: string }; // the newest kicked (the 20th lives)
    const answer = async (frame: Record<string, unknown>) => {
      const reply = await (await t.open(b)).request({ type: 'login', userID: 'mallory', protocol: 1, ...frame });
      return reply.type === 'error' ? reply.code : reply.type;
    };
    expect({
      byToken: await answer({ userSig: tencentUserSig('mallory', 1800), resume: kicked.session }),
      bySig: await answer({ userSig: kicked.sig }),
      kept: { sigs: await t.redis.hlen(`${t.prefix}:k:mallory`), tokens: await t.redis.hlen(`${t.prefix}:s:mallory`) },
    }).toEqual({ byToken: 'sessionSuperseded', bySig: 'sessionSuperseded', kept: { sigs: 16, tokens: 19 } });
  });

  // One userSig on every device: only the token tells the kicked phone from the newer login.
  for (const after of ['16 reloads of the laptop', 'a logout and a login again of the laptop'] as const) {
    it(`Mallory's phone drops off, her laptop takes it over (one userSig), then ${after} -> the phone's resume through node b is refused`, async () => {
      const a = await t.node('a');
      const b = await t.node('b');
      const sig = tencentUserSig('mallory');
      const phone = await t.open(a);
      const first = await phone.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 });
      expect(first.type).toBe('loggedIn');
      phone.terminate(); // a tunnel: its session waits in its grace
      let laptop = await t.open(a);
      expect((await laptop.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 })).type).toBe('loggedIn');
      if (after === '16 reloads of the laptop') {
        for (let i = 0; i < 16; i++) {
          const next = await t.open(a);
          expect((await next.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 })).type).toBe('loggedIn');
          await laptop.closed;
          laptop = next;
        }
      } else {
        expect((await laptop.request({ type: 'logout' })).type).toBe('ack'); // her last session ends (ENDED)
        laptop = await t.open(a);
        expect((await laptop.request({ type: 'login', userID: 'mallory', userSig: sig, protocol: 1 })).type).toBe('loggedIn');
      }
      const reply = await (await t.open(b)).request({ type: 'login', userID: 'mallory', userSig: sig, resume: first.session, protocol: 1 });
      expect(reply.type === 'error' ? reply.code : reply.type).toBe('sessionSuperseded');
    }, 60_000);
  }
});

describe("the superseded tokens' bound", () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    await flushPrefix(redis, prefix);
    redis.disconnect();
  });

  it('300 sessions of one user superseded -> her newest 256 tokens kept, in one key', async () => {
    const scripts = defineScripts(redis);
    const key = (kind: string, id: string) => `${prefix}:${kind}:${id}`;
    // One pipeline: Redis runs its commands in order, as 600 round trips did one after the other (those took 20 s
    // and more when each Redis answer came 30 ms late, past the test's time).
    const pipeline = scripts.pipeline() as ReturnType<Redis['pipeline']> & { hcSupersede(...args: Array<string | number>): unknown };
    for (let i = 0; i < 300; i++) {
      pipeline.hset(key('d', 'mallory'), 'epoch', i); // her login count as each revocation is written
      pipeline.hcSupersede(key('s', 'mallory'), key('k', 'mallory'), key('d', 'mallory'), 60_000, `sig-${i}`, i, `token-${i}`);
    }
    expect(((await pipeline.exec()) ?? []).filter(([error]) => error !== null)).toEqual([]);
    const tokens = await redis.hkeys(key('s', 'mallory'));
    expect({ kept: tokens.length, oldest: tokens.includes('token-43'), newestKept: tokens.includes('token-44') && tokens.includes('token-299') }).toEqual({ kept: 256, oldest: false, newestKept: true });
  });
});
