/**
 * Rooms across a Redis blip (the review of 2026-12-04 evening; each test failed before the fix): a
 * node cut from Redis for a moment missed what the others published meanwhile, and what it said
 * itself was lost (a room event is sent once). Back on Redis, a node now says again every member of
 * its own and the leaves Redis did not take, and reads every room again (`ClusterRooms.rejoin` and
 * `reconcile`). In-process nodes on one Redis, one of them behind a proxy the test cuts.
 */
import { describe, expect, it } from 'vitest';
import { type RawClient, type TestServer } from '../server/support';
import { callAcross, inProcessNodes, until } from './support';

describe('cluster: rooms across a Redis blip', () => {
  const t = inProcessNodes();
  const names = async (c: RawClient) => ((await c.request({ type: 'roomMembers', roomID: 7 })).members as { userID: string }[]).map((m) => m.userID).sort();
  const heard = (c: RawClient, type: string, userID: string) => c.frames.some((f) => f.type === type && f.userID === userID);

  /** Alice on node a and Bob on node b in room 7; `cut` ('a' or 'b') is behind the proxy. */
  async function inRoom(cut: 'a' | 'b') {
    const { pa, pb, ...rest } = await t.inRoom7();
    return { proxy: cut === 'a' ? pa : pb, ...rest };
  }

  async function blip(proxy: { cut(): void; restore(): void }, node: TestServer, meanwhile: () => Promise<void>) {
    proxy.cut();
    await until('the node lost Redis', () => node.handle.metrics().cluster?.redisUp, (up) => up === 0);
    await meanwhile();
    proxy.restore();
  }

  it('Alice exits on node a while node b is cut -> back on Redis, node b reads the room again: Bob hears her leave', async () => {
    const { proxy, b, alice, bob } = await inRoom('b');
    await blip(proxy, b, async () => {
      expect(await alice.request({ type: 'roomExit', roomID: 7 })).toMatchObject({ type: 'ack' });
    });
    await until('Bob hears Alice leave', () => heard(bob, 'userLeft', 'alice'), (ok) => ok, 20_000);
    expect(await names(bob)).toEqual(['bob']);
    expect(b.handle.metrics().cluster?.clusterRooms).toBe(1);
  });

  it('Alice exits on node a while node a is cut -> back on Redis, node a says her leave again: Bob hears it, and Redis holds no ghost', async () => {
    const { proxy, a, alice, bob } = await inRoom('a');
    await blip(proxy, a, async () => {
      expect(await alice.request({ type: 'roomExit', roomID: 7 })).toMatchObject({ type: 'ack' });
    });
    await until('Bob hears Alice leave', () => heard(bob, 'userLeft', 'alice'), (ok) => ok, 20_000);
    expect(await names(bob)).toEqual(['bob']);
    expect(await t.redis.hkeys(`${t.prefix}:r:7`)).toEqual(['bob']);
  });

  it('Carol enters on node a while node b is cut -> back on Redis, Bob sees her come in and his relay reaches her', async () => {
    const { proxy, a, b, bob } = await inRoom('b');
    const carol = await t.login(a, 'carol');
    await blip(proxy, b, async () => {
      expect(await carol.request({ type: 'roomEnter', roomID: 7, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    });
    await until('Bob hears Carol enter', () => heard(bob, 'userEntered', 'carol'), (ok) => ok, 20_000);
    expect(await names(bob)).toEqual(['alice', 'bob', 'carol']);
    expect(await bob.request({ type: 'relay', roomID: 7, to: 'carol', data: 'offer' })).toMatchObject({ type: 'ack' });
    await carol.next((f) => f.type === 'relayed' && f.from === 'bob');
  });

  it("TRTCCalling: Alice hangs up a 1v1 call while Bob's node is cut -> back on Redis, Bob's call ends", async () => {
    const proxy = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: proxy.url });
    const { alice, bob, seen, destroy } = await callAcross(a, b);
    try {
      await blip(proxy, b, async () => {
        await alice.calling.hangup();
        await until('Alice ended', () => seen(alice), (n) => n.includes('onCallEnd'));
      });
      await until("Bob's call ends", () => seen(bob), (n) => n.includes('onCallEnd'), 20_000);
      expect(seen(bob).filter((n) => n === 'onUserLeave' || n === 'onCallEnd')).toEqual(['onUserLeave', 'onCallEnd']);
    } finally {
      await destroy();
    }
  });
});
