/**
 * Who is online, cluster-wide: the presence feed on one node tells of users on the others, and
 * an `onlineUserOnly` message reaches a recipient online on another node (and only then).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterProcess, rawClient, startCluster, type TestCluster, until } from './support';

type Raw = Awaited<ReturnType<typeof rawClient>>;

describe('presence and onlineUserOnly across nodes', () => {
  let cluster: TestCluster;
  const raws: Raw[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2, ['--presence', '--presence-batch-ms', '50', '--ip-connect-rate', '1000', '--ip-connect-burst', '1000']);
  }, 60_000);
  afterAll(async () => {
    for (const r of raws.splice(0)) r.ws.close();
    await cluster?.dispose();
  }, 30_000);

  const url = (i: number) => (cluster.nodes[i] as ClusterProcess).url;
  const login = async (node: number, userID: string) => {
    const r = await rawClient(url(node), userID);
    raws.push(r);
    return r;
  };
  /** The presence frames `r` got, as far as they name `users`. */
  const presence = (r: Raw, users: string[]) =>
    r.frames
      .filter((f) => f.type === 'presence')
      .map((f) => ({ snapshot: f.snapshot, online: (f.online as string[]).filter((u) => users.includes(u)), offline: (f.offline as string[]).filter((u) => users.includes(u)) }))
      .filter((f) => f.snapshot === true || f.online.length + f.offline.length > 0);

  it('a subscriber on one node hears users come and go on another, and its snapshot names them', async () => {
    const users = ['p-early', 'p-late'];
    const early = await login(1, 'p-early');
    // A subscriber's snapshot at node 0 names the user of node 1 (once its login got there: ms).
    let watcher: Raw | null = null;
    for (let i = 0; watcher === null; i++) {
      const r = await login(0, `p-watch${i}`);
      r.ws.send(JSON.stringify({ type: 'presenceSubscribe', rid: 2 }));
      const [snapshot] = await until('snapshot', () => presence(r, users), (p) => p.length === 1);
      if (snapshot?.online.includes('p-early')) watcher = r;
      else if (i > 50) throw new Error('no snapshot at node 0 names p-early');
      else r.ws.close();
    }
    expect(presence(watcher, users)).toEqual([{ snapshot: true, online: ['p-early'], offline: [] }]);
    const late = await login(1, 'p-late');
    await until('p-late online', () => presence(watcher as Raw, users), (p) => p.length === 2);
    expect(presence(watcher, users)[1]).toEqual({ snapshot: false, online: ['p-late'], offline: [] });
    late.ws.send(JSON.stringify({ type: 'logout', rid: 2 }));
    await until('p-late offline', () => presence(watcher as Raw, users), (p) => p.length === 3);
    expect(presence(watcher, users)[2]).toEqual({ snapshot: false, online: [], offline: ['p-late'] });
    early.ws.close();
    await until('p-early offline', () => presence(watcher as Raw, users), (p) => p.length === 4);
    expect(presence(watcher, users)[3]).toEqual({ snapshot: false, online: [], offline: ['p-early'] });
  });

  it('onlineUserOnly: delivered to a recipient online on another node, dropped for one offline everywhere', async () => {
    const sender = await login(0, 'o-send');
    // Node 0 routes by what it heard on pub/sub, not by the directory hash (written first, by the same
    // script): a watcher's presence feed at node 0 tells when node 0 itself knows the reader online.
    const watcher = await login(0, 'o-watch');
    watcher.ws.send(JSON.stringify({ type: 'presenceSubscribe', rid: 2 }));
    await until('snapshot', () => presence(watcher, ['o-read']), (p) => p.length === 1);
    const reader = await login(1, 'o-read');
    await until('o-read known online at node 0', () => presence(watcher, ['o-read']), (p) => p.some((f) => f.online.includes('o-read')));
    sender.ws.send(JSON.stringify({ type: 'sendC2C', rid: 2, to: 'o-read', payload: 'live', onlineUserOnly: true }));
    sender.ws.send(JSON.stringify({ type: 'sendC2C', rid: 3, to: 'o-nobody', payload: 'lost', onlineUserOnly: true }));
    await until('acks', () => sender.frames.filter((f) => f.type === 'ack').length, (n) => n === 2);
    await until('the live copy', () => reader.frames.filter((f) => f.type === 'message').map((f) => f.payload), (m) => m.length === 1);
    expect(reader.frames.find((f) => f.type === 'message')).toMatchObject({ from: 'o-send', payload: 'live' });
    // The offline recipient never gets it, on either node.
    const nobody = await login(1, 'o-nobody');
    nobody.ws.send(JSON.stringify({ type: 'ping', rid: 2 }));
    await until('pong', () => nobody.frames.some((f) => f.rid === 2), (ok) => ok);
    expect(nobody.frames.filter((f) => f.type === 'message')).toEqual([]);
  });
});
