/**
 * A node's own revocations (`server/cluster/revocations.ts`) on a real Redis, through a proxy the test cuts:
 * the case the takeover's step cannot cover, a kicked session the directory does not name (its claim had
 * not reached Redis when the later login's did), and what late commands may not do. In the cluster's
 * end-to-end tests (kickRedisDown, kickTimedOut) the takeover's step alone refuses the comeback.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Revocations } from '../../server/cluster/revocations';
import { defineScripts } from '../../server/cluster/scripts';
import { Session } from '../../server/session';
import { REDIS_URL, flushPrefix, redisProxy, until } from './support';

const TTL = 60_000;

describe('cluster: a node revokes the sessions it kicks until Redis answers', () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await flushPrefix(redis, prefix);
  });
  const key = (kind: string, id: string) => `${prefix}:${kind}:${id}`;

  /** A node's command connection (its settings: nothing queued while Redis is away) through a proxy, and its revocations. */
  async function nodeSide() {
    const proxy = await redisProxy();
    const connection = new Redis(proxy.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, retryStrategy: () => 20 });
    connection.on('error', () => undefined);
    cleanups.push(() => connection.disconnect(), () => proxy.close());
    await until('connected', () => connection.status, (s) => s === 'ready');
    const lost: string[] = [];
    const revocations = new Revocations({ redis: defineScripts(connection), node: 'a', key, ttlMs: TTL, lost: (what) => lost.push(what) });
    return { proxy, connection, revocations, lost };
  }
  /** `session` claims carol in the directory, as a login does (`hcClaim`). */
  const claim = (session: Session, epoch: number) =>
    defineScripts(redis).hcClaim(key('d', 'carol'), key('k', 'carol'), key('s', 'carol'), 'b', epoch, session.token, '', key('n', ''), 'carol', TTL, session.sigDigest);

  it('Redis away as node a kicks tab 1 (not in the directory): tab 1 waits; sent again once Redis is back, then told; its userSig refused', async () => {
    const { proxy, connection, revocations, lost } = await nodeSide();
    const tab1 = new Session('carol', 'tab1-token', 'sig-1', Infinity);
    await claim(new Session('carol', 'tab2-token', 'sig-2', Infinity), 1); // the newer login, on node b

    proxy.cut();
    await until('Redis lost', () => connection.status, (s) => s !== 'ready');
    let told = false;
    const telling = revocations.supersede(tab1).then(() => void (told = true));
    await until('the first try failed', () => lost.length, (n) => n >= 1);
    revocations.before('carol'); // a login of carol looked up here: sent again first, and failed again
    await until('the second try failed', () => lost.length, (n) => n >= 2);
    expect({ told, waiting: revocations.waiting, revoked: await redis.hgetall(key('k', 'carol')) }).toEqual({ told: false, waiting: 1, revoked: {} });

    proxy.restore();
    await until('connected again', () => connection.status, (s) => s === 'ready');
    await revocations.retry();
    await telling;
    expect({ told, waiting: revocations.waiting, revoked: await redis.hgetall(key('k', 'carol')), token: await redis.hexists(key('s', 'carol'), 'tab1-token') }).toEqual({
      told: true,
      waiting: 0,
      revoked: { 'sig-1': '0' }, // stamped with carol's login count (`revoke`, scripts.ts): none looked up here
      token: 1,
    });
  });

  it('a revocation that lands after the newer session ended revokes no userSig; a kicked session ending frees nothing', async () => {
    const { revocations, lost } = await nodeSide();
    const tab1 = new Session('carol', 'tab1-token', 'sig-1', Infinity);
    const tab2 = new Session('carol', 'tab2-token', 'sig-2', Infinity);
    await claim(tab1, 1);
    revocations.claimed(tab1, 1); // as node a's login of tab 1 did
    await claim(tab2, 2); // tab 2 takes carol over: the claim revokes tab 1
    expect(await redis.hgetall(key('k', 'carol'))).toEqual({ 'sig-1': '0' });
    await revocations.ended(tab1.userID, tab1.token); // tab 1's end, told late: the directory names tab 2, which lives
    expect(await redis.hgetall(key('k', 'carol'))).toEqual({ 'sig-1': '0' });
    await revocations.ended(tab2.userID, tab2.token); // tab 2 logs out: carol has no session left
    expect(await redis.hgetall(key('k', 'carol'))).toEqual({});
    await revocations.supersede(tab1); // node a's revocation of tab 1, landing only now
    expect({ revoked: await redis.hgetall(key('k', 'carol')), token: await redis.hexists(key('s', 'carol'), 'tab1-token'), lost }).toEqual({ revoked: {}, token: 1, lost: [] });
  });
});
