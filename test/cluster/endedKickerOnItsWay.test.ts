/**
 * A session's end frees the userSigs its user's logins superseded (`hcEnded`) only when no other session
 * of the user lives. It takes a directory that names a kicked session (its token in `P:s:<user>`) for one nobody
 * lives behind: true when the ending session kicked it itself, its own claim not in Redis (its node's
 * catch-up makes it again), so only on that session's node. A kick on node a for a login on node a sends
 * the kicked session's revocation, then the new login's claim, on one connection; a session of the user
 * on node c that ends between the two (its logout, before node c heard it was taken over) is not the kicker
 * and not the last: the login behind the claim lives. Before, its end freed everything, the claim then found
 * no token to revoke, and the kicked tab 1 logged in through node b and kicked the newer login. The scripts
 * run here in that order on a real Redis, as node a's and node c's connections may have them run.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Revocations } from '../../server/cluster/revocations';
import { defineScripts } from '../../server/cluster/scripts';
import { Session } from '../../server/session';
import { REDIS_URL, flushPrefix } from './support';

const TTL = 60_000;

describe('cluster: a session ends while a login on another node is claiming the user', () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const redis = defineScripts(new Redis(REDIS_URL));
  afterEach(() => flushPrefix(redis, prefix));
  afterAll(() => void redis.disconnect());
  const key = (kind: string, id: string) => `${prefix}:${kind}:${id}`;
  const revocationsOf = (node: string) => new Revocations({ redis, node, key, ttlMs: TTL, lost: () => undefined });
  const claim = (session: Session, node: string, epoch: number) =>
    redis.hcClaim(key('d', 'carol'), key('k', 'carol'), key('s', 'carol'), node, epoch, session.token, '', key('n', ''), 'carol', TTL, session.sigDigest);

  it("tab 0 (node c) is taken over by tab 1 (node a), which tab 2 kicks on node a; tab 0 logs out between node a's two steps: tab 1's userSig stays refused", async () => {
    const [tab0, tab1, tab2] = [0, 1, 2].map((i) => new Session('carol', `tab${i}-token`, `sig-${i}`, Infinity)) as [Session, Session, Session];
    const [a, c] = [revocationsOf('a'), revocationsOf('c')];
    await claim(tab0, 'c', 1);
    await claim(tab1, 'a', 2); // revokes tab 0; node c has not heard yet
    await a.supersede(tab1); // tab 2's login on node a kicked tab 1: its revocation first...
    await c.ended('carol', tab0.token); // ...tab 0's logout on node c...
    await claim(tab2, 'a', 3); // ...then tab 2's claim

    // Tab 1 back through node b with its old userSig: the lookup a login gets (PREPARE).
    const [, , , revoked] = await redis.hcPrepare(key('d', 'carol'), key('s', 'carol'), key('b', 'carol'), key('k', 'carol'), key('o', 's:carol'), key('o', 'b:carol'), TTL, 'sig-1', Date.now(), '', 'b', key('alive', ''));
    expect({ revoked, kept: await redis.hgetall(key('k', 'carol')) }).toEqual({ revoked: 1, kept: { 'sig-0': '0', 'sig-1': '0' } }); // stamped with carol's login count then: none
  });

  it('the kicker itself ends with its claim not in Redis (the case the rule is for): what it superseded is freed', async () => {
    const [tab1, tab2] = [1, 2].map((i) => new Session('carol', `tab${i}-token`, `sig-${i}`, Infinity)) as [Session, Session];
    const a = revocationsOf('a');
    await claim(tab1, 'a', 1);
    await a.supersede(tab1); // tab 2 kicked tab 1 on node a; tab 2's claim failed (node a lost Redis)
    await a.ended('carol', tab2.token); // tab 2 logs out: carol has no session left
    expect({ kept: await redis.hgetall(key('k', 'carol')), ended: await redis.hget(key('d', 'carol'), 'ended') }).toEqual({ kept: {}, ended: '1' });
  });
});
