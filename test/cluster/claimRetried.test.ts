/**
 * A login's claim that Redis failed (an error, not a loss to a later login) is made again at the next heartbeat.
 * Before, it was logged and forgotten: the directory never named the node for the user, so a later login of the
 * user on another node did not kick the session here (two live sessions of one user, which one node never allows),
 * and the other nodes did not know where the user was until the session ended or Redis was lost and caught up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterNode } from '../../server/cluster/node';
import { tencentUserSig } from '../support/embeddedWorld';
import { inProcessNodes, until } from './support';

describe('cluster: a login whose claim Redis failed', () => {
  const t = inProcessNodes();
  afterEach(() => vi.restoreAllMocks());

  it('is claimed again at the next heartbeat: the directory names node a, and a later login on node b kicks it', async () => {
    const connect = vi.spyOn(ClusterNode, 'connect');
    const a = await t.node('a');
    const nodeA = (await connect.mock.results[0]?.value) as ClusterNode;
    connect.mockRestore();
    const b = await t.node('b');
    // Node a's next claim fails once, as a script error or a timeout would.
    const redis = (nodeA as unknown as { redis: { hcClaim: (...args: unknown[]) => Promise<number> } }).redis;
    const real = redis.hcClaim.bind(redis);
    let failed = 0;
    redis.hcClaim = (...args: unknown[]) => (failed++ === 0 ? Promise.reject(new Error('ERR injected')) : real(...args));

    const tab1 = await t.open(a);
    expect((await tab1.request({ type: 'login', userID: 'dora', userSig: tencentUserSig('dora', 3600), protocol: 1 })).type).toBe('loggedIn');
    await until('claimed again', () => t.redis.hget(`${t.prefix}:d:dora`, 'node'), (node) => node === 'a');
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(a.logs.some((l) => l.fields?.what === 'claim')).toBe(true);

    const tab2 = await t.open(b);
    expect((await tab2.request({ type: 'login', userID: 'dora', userSig: tencentUserSig('dora', 3599), protocol: 1 })).type).toBe('loggedIn');
    await tab1.closed;
    expect(tab1.frames.map((f) => f.type)).toContain('kicked');
  }, 30_000);
});
