/**
 * Grants and groups reach every node, including one that was not there when they were made: a
 * node started later, and a node that lost Redis for a while and came back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAs, type ClusterProcess, redisProxy, startCluster, startNode, type TestCluster, until } from './support';

/** Many short connections from one address: its connection rate must not refuse them. */
const FLAGS = ['--ip-connect-rate', '1000', '--ip-connect-burst', '1000'];

describe('replicated grants and groups', () => {
  let cluster: TestCluster;
  const extra: ClusterProcess[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2, FLAGS);
  }, 60_000);
  afterAll(async () => {
    for (const n of extra) n.child.kill('SIGTERM');
    await cluster?.dispose();
  }, 30_000);

  const url = (i: number) => (cluster.nodes[i] as ClusterProcess).url;

  /** `from` invites `to` into `roomID` (a C2C invitation carrying the call): the grant. */
  const invite = (node: string, from: string, to: string, roomID: number) =>
    askAs(node, from, {
      type: 'sendC2C',
      to,
      payload: 'ring',
      onlineUserOnly: false,
      call: { inviteID: `inv-${roomID}`, roomID, invitees: [to], timeout: 600 },
    });

  it('a node started after a group and a call grant were made knows both', async () => {
    expect(await askAs(url(0), 'la', { type: 'groupCreate', groupID: 'late-grp', members: ['lb'] })).toMatchObject({ type: 'groupInfo' });
    expect(await askAs(url(1), 'lb', { type: 'groupJoin', groupID: 'late-grp' })).toMatchObject({ type: 'groupInfo' });
    expect(await invite(url(0), 'la', 'lc', 7001)).toMatchObject({ type: 'ack' });
    const late = await startNode(cluster.prefix, cluster.dir, 'late', FLAGS);
    extra.push(late);
    // At once: no waiting for anything to arrive later.
    expect(await askAs(late.url, 'lb', { type: 'groupMembers', groupID: 'late-grp' })).toMatchObject({ type: 'groupInfo', members: ['la', 'lb'] });
    expect(await askAs(late.url, 'lc', { type: 'roomEnter', roomID: 7001, audio: true, video: false })).toMatchObject({ type: 'roomInfo', roomID: 7001 });
    // Someone never invited is still refused there.
    expect(await askAs(late.url, 'ld', { type: 'roomEnter', roomID: 7001, audio: true, video: false })).toMatchObject({ type: 'error' });
  }, 60_000);

  it('a node that lost Redis for a while catches up when it is back', async () => {
    const proxy = await redisProxy();
    const away = await startNode(cluster.prefix, cluster.dir, 'away', FLAGS, proxy.url);
    extra.push(away);
    try {
      proxy.cut();
      await until('healthz', async () => (await fetch(`${away.httpUrl}/healthz`)).status, (s) => s === 503);
      expect(await askAs(url(0), 'ra', { type: 'groupCreate', groupID: 'away-grp', members: ['rb'] })).toMatchObject({ type: 'groupInfo' });
      expect(await askAs(url(1), 'rb', { type: 'groupJoin', groupID: 'away-grp' })).toMatchObject({ type: 'groupInfo' });
      expect(await invite(url(1), 'ra', 'rc', 7002)).toMatchObject({ type: 'ack' });
      proxy.restore();
      await until('healthz', async () => (await fetch(`${away.httpUrl}/healthz`)).status, (s) => s === 200);
      await until(
        'the group on the node that was away',
        async () => (await askAs(away.url, 'rb', { type: 'groupMembers', groupID: 'away-grp' }))?.type,
        (t) => t === 'groupInfo',
      );
      expect(await askAs(away.url, 'rb', { type: 'groupMembers', groupID: 'away-grp' })).toMatchObject({ members: ['ra', 'rb'] });
      expect(await askAs(away.url, 'rc', { type: 'roomEnter', roomID: 7002, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    } finally {
      away.child.kill('SIGKILL');
      await proxy.close();
    }
  }, 60_000);
});
