/**
 * Two logins of one user on two nodes at once: the later epoch's claim wins, and the earlier one's node kicks
 * its own session when its claim loses (`ClusterNode.claim`: `letGo`, whose revocation, SUPERSEDE, it sends
 * next). A node killed (kill -9) between its claim's answer and that revocation left the losing session
 * unrevoked: its tab, back through another node with its token or its userSig, logged in and kicked the newer
 * login, which one node never allows (the revocation review of 2026-12-04 left it unproven). The losing
 * claim now revokes its own session in the same step; unless the winner resumed it (a handover: that client
 * moved and may still name its old token). The scripts run here in that order on a real Redis.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defineScripts } from '../../server/cluster/scripts';
import { Session } from '../../server/session';
import { REDIS_URL, flushPrefix } from './support';

const TTL = 60_000;

describe('cluster: a login whose claim loses to a parallel login, its node killed before its revocation', () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const redis = defineScripts(new Redis(REDIS_URL));
  afterEach(() => flushPrefix(redis, prefix));
  afterAll(() => void redis.disconnect());
  const key = (kind: string, id: string) => `${prefix}:${kind}:${id}`;
  const dir = key('d', 'dora');
  const prepare = (node: string, sig: string, resume = '') =>
    redis.hcPrepare(dir, key('s', 'dora'), key('b', 'dora'), key('k', 'dora'), key('o', 's:dora'), key('o', 'b:dora'), TTL, sig, Date.now(), resume, node, key('alive', ''));
  const claim = (session: Session, node: string, epoch: number, resume = '') =>
    redis.hcClaim(dir, key('k', 'dora'), key('s', 'dora'), node, epoch, session.token, resume, key('n', ''), 'dora', TTL, session.sigDigest);
  const tabs = () => [1, 2].map((i) => new Session('dora', `tab${i}-token`, `sig-${i}`, Infinity)) as [Session, Session];

  it('tab 1 (node a) loses to tab 2 (node b), node a dies: tab 1 back through node c is refused, with its token and with its userSig', async () => {
    const [tab1, tab2] = tabs();
    const [e1] = await prepare('a', 'sig-1');
    const [e2] = await prepare('b', 'sig-2');
    expect(await claim(tab2, 'b', e2)).toBe(1);
    expect(await claim(tab1, 'a', e1)).toBe(0); // node a is killed here: no revocation of its own follows
    const [, superseded] = await prepare('c', 'sig-1', tab1.token);
    const [, , , revoked] = await prepare('c', 'sig-1');
    expect({ superseded, revoked }).toEqual({ superseded: 1, revoked: 1 });
  });

  it('tab 2 resumed tab 1 (the same client moved to node b): the losing claim revokes nothing', async () => {
    const [tab1, tab2] = tabs();
    const [e1] = await prepare('a', 'sig-1');
    const [e2] = await prepare('b', 'sig-1', tab1.token);
    expect(await claim(tab2, 'b', e2, tab1.token)).toBe(1);
    expect(await claim(tab1, 'a', e1)).toBe(0);
    expect({ tokens: await redis.hexists(key('s', 'dora'), tab1.token), sigs: await redis.hgetall(key('k', 'dora')) }).toEqual({ tokens: 0, sigs: {} });
  });

  it("tab 2's session ended before tab 1's claim lost: tab 1's token is refused, its userSig logs in (nobody is left to protect)", async () => {
    const [tab1, tab2] = tabs();
    const [e1] = await prepare('a', 'sig-1');
    const [e2] = await prepare('b', 'sig-2');
    expect(await claim(tab2, 'b', e2)).toBe(1);
    expect(await redis.hcEnded(dir, key('k', 'dora'), key('s', 'dora'), tab2.token, 'b')).toBeTypeOf('number');
    expect(await claim(tab1, 'a', e1)).toBe(0);
    const [, superseded] = await prepare('c', 'sig-1', tab1.token);
    const [, , , revoked] = await prepare('c', 'sig-1');
    expect({ superseded, revoked }).toEqual({ superseded: 1, revoked: 0 });
  });
});
