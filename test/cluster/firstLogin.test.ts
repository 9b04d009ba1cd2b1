/**
 * A client given the nodes of a cluster (`embeddedBackend({ url: [a, b] })`) logs in at its first
 * login even when the first node is down (refuses connections) or cannot serve (has lost Redis,
 * refuses the login with `unavailable`): the next URL is tried at once, each URL once.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, tencentUserSig } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { type ClusterProcess, redisProxy, startCluster, startNode, type TestCluster, until } from './support';

/** A URL on a port nothing listens on (connections are refused). */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return `ws://127.0.0.1:${port}/ws`;
}

describe('first login with a list of URLs', () => {
  let cluster: TestCluster;
  const parties: Party[] = [];

  beforeAll(async () => {
    cluster = await startCluster(1);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(parties.splice(0).map((p) => p.calling.destroy())); // logged out before their nodes go (see callAcross)
    await cluster?.dispose();
  }, 30_000);

  const node = () => cluster.nodes[0] as ClusterProcess;

  async function logIn(userID: string, urls: string[]) {
    const backend = embeddedBackend({ url: urls, WebSocket });
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    parties.push(p);
    await p.calling.login({ userID, userSig: tencentUserSig(userID) });
    await until(`${userID} ready`, () => p.events.log.map((e) => e.name), (n) => n.includes('sdkReady'));
    expect(p.take()).toEqual([ev.ready()]);
    return backend;
  }

  it('the first URL refuses connections: the login succeeds on the second', async () => {
    const backend = await logIn('f1', [await deadUrl(), node().url]);
    expect(backend.connection.url).toBe(node().url);
  });

  it('every URL refuses connections: the login fails once every one was tried', async () => {
    const p = party('f2', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: [await deadUrl(), await deadUrl()], WebSocket }) }));
    parties.push(p);
    await expect(p.calling.login({ userID: 'f2', userSig: tencentUserSig('f2') })).rejects.toThrow(/cannot reach/);
  });

  it('the first node has lost Redis (refuses with unavailable): the login succeeds on the second', async () => {
    const proxy = await redisProxy();
    const lonely = await startNode(cluster.prefix, cluster.dir, 'proxied', [], proxy.url);
    try {
      proxy.cut();
      await until('healthz', async () => (await fetch(`${lonely.httpUrl}/healthz`)).status, (s) => s === 503);
      const backend = await logIn('f3', [lonely.url, node().url]);
      expect(backend.connection.url).toBe(node().url);
    } finally {
      lonely.child.kill('SIGKILL');
      await proxy.close();
    }
  }, 30_000);
});
