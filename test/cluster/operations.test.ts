/**
 * Operating a cluster: a node that loses Redis says so (`/healthz` 503) and refuses logins with
 * a typed error; SIGTERM hands a node's users to the others without losing a message or a call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, tencentUserSig } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { type ClusterProcess, rawClient, redisProxy, startCluster, startNode, type TestCluster, until } from './support';

describe('operating a cluster', () => {
  let cluster: TestCluster;
  const parties: Party[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, ['--room-grace-ms', '3000']);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(parties.splice(0).map((p) => p.calling.destroy())); // logged out before their nodes go (see callAcross)
    await cluster?.dispose();
  }, 30_000);

  const node = (i: number) => cluster.nodes[i] as ClusterProcess;

  it('a node that loses Redis answers /healthz with 503 and refuses logins with a typed error', async () => {
    const proxy = await redisProxy();
    const lonely = await startNode(cluster.prefix, cluster.dir, 'proxied', [], proxy.url);
    try {
      expect((await fetch(`${lonely.httpUrl}/healthz`)).status).toBe(200);
      proxy.cut();
      const health = await until('healthz', async () => (await fetch(`${lonely.httpUrl}/healthz`)).status, (s) => s === 503);
      expect(health).toBe(503);
      const body = (await (await fetch(`${lonely.httpUrl}/healthz`)).json()) as { error?: string };
      expect(body.error).toMatch(/Redis unreachable/);
      const p = party('h1', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: lonely.url, WebSocket }) }));
      parties.push(p);
      await expect(p.calling.login({ userID: 'h1', userSig: tencentUserSig('h1') })).rejects.toMatchObject({ message: expect.stringContaining('(unavailable)') });
      expect(await (await fetch(`${lonely.httpUrl}/metrics`)).text()).toMatch(/^hc_cluster_refused_logins_total 1$/m);
    } finally {
      lonely.child.kill('SIGKILL');
      await proxy.close();
    }
  });

  it('a node killed for good: after the room grace period its members leave the rooms on the other nodes', async () => {
    const heartbeats = async () => new Set(await cluster.redis.keys(`${cluster.prefix}:alive:*`));
    const before = await heartbeats();
    const doomed = await startNode(cluster.prefix, cluster.dir, 'doomed', ['--room-grace-ms', '3000']);
    const doomedAlive = [...(await heartbeats())].find((key) => !before.has(key)); // its id is a random one
    if (doomedAlive === undefined) throw new Error('the doomed node claimed no heartbeat key');
    const lost = party('d1', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: doomed.url, WebSocket }) }));
    parties.push(lost);
    await lost.calling.login({ userID: 'd1', userSig: tencentUserSig('d1') });
    const other = party('d2', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: node(1).url, WebSocket }) }));
    parties.push(other);
    await other.calling.login({ userID: 'd2', userSig: tencentUserSig('d2') });
    other.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void other.calling.accept({ inviteID }));
    await lost.calling.call({ userID: 'd2', type: 1, timeout: 30 });
    await until('call up', () => other.events.log.map((e) => e.name), (n) => n.includes('onUserEnter'));
    other.take();
    const killedAt = Date.now();
    const exited = new Promise<void>((done) => doomed.child.once('exit', () => done()));
    doomed.child.kill('SIGKILL');
    await exited;
    // Its last beat would live out its TTL (3.5 s) in Redis before the others count it dead (that it lapses by itself
    // is nodeIdTwice.test.ts's); gone now, as then. The others notice at their next check, then wait the grace in full.
    await cluster.redis.del(doomedAlive);
    // The room lets it go once the grace period is over (it might have come back within it):
    // the call ends for the one left, and nothing was heard before (each event's time is the
    // client's wall clock, as the nodes', so no sleep is needed to see that nothing came early).
    await until('the member of the dead node leaves', () => other.events.log.map((e) => e.name), (n) => n.includes('onCallEnd'));
    const heard = other.events.take();
    expect(heard.map((e) => e.name)).toEqual(['onUserLeave', 'onCallEnd']);
    expect(Math.min(...heard.map((e) => e.at)) - killedAt).toBeGreaterThanOrEqual(3000);
    // Redis forgets it too: a node starting now finds no ghost in the room, nor d1 online there.
    const ghosts = async () => {
      const rooms = await cluster.redis.keys(`${cluster.prefix}:r:*`);
      const found = await Promise.all(rooms.map((key) => cluster.redis.hexists(key, 'd1')));
      return { rooms: found.filter((n) => n === 1).length, online: await cluster.redis.hget(`${cluster.prefix}:on`, 'd1'), node: await cluster.redis.hget(`${cluster.prefix}:d:d1`, 'node') };
    };
    expect(await until('the dead node\'s entries leave Redis', ghosts, (g) => g.rooms === 0)).toEqual({ rooms: 0, online: null, node: null });
  }, 30_000);

  it('SIGTERM: the node hands its users to the others, unconfirmed messages come again there, the call goes on', async () => {
    const leaving = node(0);
    // A user on the leaving node that has not confirmed its messages yet.
    const reader = await rawClient(leaving.url, 's1');
    const writer = await rawClient(node(1).url, 's2');
    for (let i = 0; i < 3; i++) writer.ws.send(JSON.stringify({ type: 'sendC2C', rid: 10 + i, to: 's1', payload: `m${i}`, onlineUserOnly: false }));
    const got = await until('messages on node 0', () => reader.messages(), (m) => m.length === 3);
    // A call between a client of the leaving node (with the others' URLs) and one on node 2.
    const mover = party('s3', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: [leaving.url, node(1).url, node(2).url], WebSocket }) }));
    parties.push(mover);
    await mover.calling.login({ userID: 's3', userSig: tencentUserSig('s3') });
    const other = party('s4', new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: node(2).url, WebSocket }) }));
    parties.push(other);
    await other.calling.login({ userID: 's4', userSig: tencentUserSig('s4') });
    other.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void other.calling.accept({ inviteID }));
    await mover.calling.call({ userID: 's4', type: 1, timeout: 30 });
    await until('call up', () => other.events.log.map((e) => e.name), (n) => n.includes('onUserEnter'));
    await until('call up', () => mover.events.log.map((e) => e.name), (n) => n.includes('onUserEnter'));
    mover.take();
    other.take();

    const closed = new Promise<number | null>((r) => reader.ws.once('close', (code) => r(code)));
    const exited = new Promise<number | null>((r) => leaving.child.once('exit', (code) => r(code)));
    leaving.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);

    // The reader comes back on node 1: the same messages, the same ids, nothing lost.
    const back = await rawClient(node(1).url, 's1');
    expect(await until('messages on node 1', () => back.messages(), (m) => m.length >= 3)).toEqual(got);
    // The call moved with its client: node 1 holds it now, and nobody heard it end.
    await until('mover in a room on node 1', async () => /^hc_rooms \d+$/m.exec(await (await fetch(`${node(1).httpUrl}/metrics`)).text())?.[0], (l) => l === 'hc_rooms 1');
    expect(other.events.log.map((e) => e.name)).toEqual([]);
    await other.calling.hangup();
    await until('mover hears the hangup', () => mover.events.log.map((e) => e.name), (n) => n.includes('onCallEnd'));
    // The move was a lost connection and its return (SDK_NOT_READY, SDK_READY), nothing of the call.
    expect(mover.take()).toEqual([ev.notReady(), ev.ready(), ev.leave('s4'), ev.end('s3', 'hangup')]);
    reader.ws.close();
    writer.ws.close();
    back.ws.close();
  }, 30_000);
});
