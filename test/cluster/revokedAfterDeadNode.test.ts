/**
 * The kicked-userSig rule across nodes (README "Running a cluster"): a kicked session's userSig is
 * refused on every node while the newer session lives, and goes when that session ends. A newer
 * session whose node died (kill -9) ends when the others count that node dead and release its users:
 * the old userSig logs in again then (`RELEASE` deletes `P:k:<user>` for a dead node's user; before the
 * review of 2026-12-04 evening it stayed refused for the key's 7 days). Real processes: kill -9 needs one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tencentUserSig } from '../support/embeddedWorld';
import { RawClient } from '../server/support';
import { type ClusterProcess, startCluster, type TestCluster, until } from './support';

describe('cluster: a revoked userSig after the newer session died with its node', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2, ['--room-grace-ms', '2000']);
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
  }, 30_000);

  it('tab 2 (node 1) kicked tab 1 (node 0); node 1 is killed and counted dead -> tab 1 logs in again with its userSig', async () => {
    const oldSig = tencentUserSig('carol', 3600);
    const newSig = tencentUserSig('carol', 3599);
    const [n0, n1] = cluster.nodes as [ClusterProcess, ClusterProcess];
    const tab1 = await RawClient.open(n0.url);
    expect((await tab1.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 })).type).toBe('loggedIn');
    await until('carol claimed', () => cluster.redis.hget(`${cluster.prefix}:d:carol`, 'node'), (n) => n !== null);
    const tab2 = await RawClient.open(n1.url);
    expect((await tab2.request({ type: 'login', userID: 'carol', userSig: newSig, protocol: 1 })).type).toBe('loggedIn');
    await tab1.closed;

    n1.child.kill('SIGKILL');
    // Node 0 counts node 1 dead (heartbeat gone 3.5 s, then the room grace) and carol offline.
    await until('carol offline everywhere', () => cluster.redis.hget(`${cluster.prefix}:on`, 'carol'), (n) => n === null, 20_000);
    await until('carol released', () => cluster.redis.hget(`${cluster.prefix}:d:carol`, 'node'), (n) => n === null, 20_000);

    const again = await RawClient.open(n0.url);
    const answer = await again.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
    const ttlMs = await cluster.redis.pttl(`${cluster.prefix}:k:carol`);
    again.close();
    expect({ answer: answer.type === 'error' ? answer.code : answer.type, revocationKeyLeftHours: Math.max(0, Math.round(ttlMs / 3_600_000)) }).toEqual({ answer: 'loggedIn', revocationKeyLeftHours: 0 });
  }, 60_000);
});
