/**
 * (Fixed since: her superseded tokens are one hash, `P:s:<user>`, that ENDED deletes with `P:k:<user>`, each kept to
 * its newest 16, as one node keeps her revoked userSigs.)
 *
 * What one user's logins leave in Redis. Each login that kicks her earlier session writes that session's token
 * as superseded (`P:s:<token>`, a key of its own kept 7 days: CLAIM and SUPERSEDE in scripts.ts, `DIRECTORY_TTL_MS`),
 * never deleted when her sessions end; and its userSig in her revoked set (`P:k:<user>`, one field per userSig, for
 * as long as she keeps a session). One node remembers at most 4,096 superseded tokens in all (`SUPERSEDED_MEMORY`,
 * hub.ts) and 16 revoked userSigs per user (`REVOKED_PER_USER`). So a logged-in user who opens connection after
 * connection (10 a second per address and node, each login one of her 50 frames a second), each with a userSig of
 * its own (an app's signing endpoint hands them out), grows a hash without bound while she stays, and leaves a key
 * per login in the shared Redis for a week after she is gone.
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { inProcessNodes } from './support';

describe("a user's kicked sessions in Redis", () => {
  const t = inProcessNodes();

  it('Mallory logs in 40 times on node a, each login kicking the one before, then logs out -> Redis keeps what one node would', async () => {
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
    const tokens = await t.redis.keys(`${t.prefix}:s:*`);
    const ttl = tokens[0] === undefined ? -2 : await t.redis.pttl(tokens[0]);
    // She has no session left: her 39 superseded tokens stay, each for 7 days (`ttlDays`).
    const atMost16 = expect.toSatisfy((n: number) => n <= 16);
    expect({ revokedSigs, tokens: tokens.length, ttlDays: Math.round(ttl / 86_400_000) }).toEqual({ revokedSigs: atMost16, tokens: atMost16, ttlDays: expect.anything() });
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
    }).toEqual({ byToken: 'sessionSuperseded', bySig: 'sessionSuperseded', kept: { sigs: 16, tokens: 16 } });
  });
});
