/**
 * A node restarted with its --node-id (a deploy) while a member's session there waited out its room grace (its
 * connection dropped): the member stays in the room's hash in Redis, naming the node, and on every other node. The
 * other nodes see the node alive again, so they forget nothing of it (`deadNodes.ts`), and the node starting
 * took in every member but its own: a ghost member for good, its room's grant occupied for good (the week test,
 * 2026-12-06). Now the node starting takes its earlier run's members in too, and they leave once the room grace has
 * passed, unless their users entered again meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

const GRACE_MS = 10_000; // roomGraceMs, the default

const memberIDs = (answer: Record<string, unknown>): string[] => ((answer.members ?? []) as { userID: string }[]).map((m) => m.userID).sort();

describe('cluster: a node restarted while a member of its waited out the room grace', () => {
  const t = inProcessNodes();

  it('Bob drops on node b, node b restarts -> once the grace passed Alice hears Bob leave, and the room is gone from Redis', async () => {
    const { a, b, alice, bob } = await t.inRoom7();
    bob.terminate(); // his session waits out the room grace on node b
    await b.handle.close();
    await b.restart();
    expect(await t.redis.hexists(`${t.prefix}:r:7`, 'bob')).toBe(1);
    await b.clock.advance(GRACE_MS);
    await alice.next((f) => f.type === 'userLeft' && f.userID === 'bob');
    expect((await alice.request({ type: 'roomMembers', roomID: 7 })).members).toEqual([{ userID: 'alice', audio: true, video: false }]);
    expect(await alice.request({ type: 'roomExit', roomID: 7 })).toMatchObject({ type: 'ack' });
    await until('the room gone from Redis', () => t.redis.exists(`${t.prefix}:r:7`), (n) => n === 0);
    await until('no room on either node', () => [a, b].map((s) => s.handle.metrics().cluster?.clusterRooms), (n) => n.every((x) => x === 0));
  });

  it('Bob drops on node b, node b restarts, Bob logs in again on node b and enters within the grace -> Alice hears nothing', async () => {
    const { b, alice, bob } = await t.inRoom7();
    await until('node a has Bob in the room', () => alice.request({ type: 'roomMembers', roomID: 7 }), (r) => (r.members as { userID: string }[]).length === 2);
    const before = alice.frames.length; // (his entry may reach node a after hers: heard by then)
    bob.terminate();
    await b.handle.close();
    await b.restart();
    const back = await t.login(b, 'bob');
    expect(await back.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await b.clock.advance(GRACE_MS);
    // Node b's grace has passed and left Bob in (a leave there is made when it passes, before b answers anything else):
    // nothing to tell node a. What node b told it before is heard by the ping's answer.
    expect(memberIDs(await back.request({ type: 'roomMembers', roomID: 7 }))).toEqual(['alice', 'bob']);
    await alice.sync();
    expect(alice.frames.slice(before).filter((f) => f.type === 'userLeft' || f.type === 'userEntered').map((f) => `${String(f.type)} ${String(f.userID)}`)).toEqual([]);
    expect(await t.redis.hget(`${t.prefix}:r:7`, 'bob')).toContain('"node":"b"');
  });

  it('Bob drops on node b, node b restarts, Bob fails over to node a and enters again within the grace -> Alice hears nothing, P:r names node a', async () => {
    const { a, b, alice, bob } = await t.inRoom7();
    await until('node a has Bob in the room', () => alice.request({ type: 'roomMembers', roomID: 7 }), (r) => (r.members as { userID: string }[]).length === 2);
    const before = alice.frames.length;
    bob.terminate();
    await b.handle.close();
    await b.restart(); // it takes Bob in as its earlier run's member, to leave after the grace
    const back = await t.login(a, 'bob');
    expect(await back.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).toMatchObject({ type: 'roomInfo' });
    await until('P:r names node a', () => t.redis.hget(`${t.prefix}:r:7`, 'bob'), (m) => m?.includes('"node":"a"') === true);
    await heardAll(b); // his entry on node a (published with that write) replaced its earlier run's member there
    const carol = await t.login(b, 'carol');
    await b.clock.advance(GRACE_MS);
    expect(memberIDs(await carol.request({ type: 'roomMembers', roomID: 7 }))).toEqual(['alice', 'bob']); // its grace left him in
    await alice.sync();
    expect(alice.frames.slice(before).filter((f) => f.type === 'userLeft' || f.type === 'userEntered').map((f) => `${String(f.type)} ${String(f.userID)}`)).toEqual([]);
    expect(await t.redis.hget(`${t.prefix}:r:7`, 'bob')).toContain('"node":"a"');
  });
});
