/**
 * An invitee's node may have the invitation before it has heard the room's grant: the grant comes over the
 * node's pub/sub connection, the invitation may come over its command connection (a login's read of the
 * stream), and a loaded node reads one socket before the other in any order (the stall runs of 2026-12-05:
 * an invitee's `roomEnter`, 3 ms after its INVITED, refused `notInvited`). A refusal that a change this node
 * has not heard yet may undo (a grant, a group's) is decided again once the node has caught up with Redis
 * (every change Redis had made when it was asked), the connection's later frames waiting behind it.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inProcessNodes, until } from './support';

/** From now on Redis answers no read of `key` (in this process: the in-process nodes'); the reads asked for, in order. */
function neverAnswered(key: string): unknown[] {
  const reads: unknown[] = [];
  const get = Redis.prototype.get;
  vi.spyOn(Redis.prototype, 'get').mockImplementation(function (this: Redis, ...args: unknown[]) {
    if (args[0] !== key) return (get as (...a: unknown[]) => Promise<string | null>).apply(this, args);
    reads.push(args[0]);
    return new Promise<never>(() => undefined);
  } as never);
  return reads;
}

describe("cluster: a refusal decided again once the node heard what Redis had", () => {
  const t = inProcessNodes();
  afterEach(() => vi.restoreAllMocks());

  const rechecks = (server: { handle: { metrics(): { cluster?: { rechecks: number } } } }) => server.handle.metrics().cluster?.rechecks;

  it("the invitee's enter on a node that has the invitation but not yet its grant: answered once the grant is heard, the frames behind it after", async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    const alice = await t.login(a, 'alice');
    pb.deafen(); // node b reads no pub/sub frame from now on: not the grant, not the stream's notice
    const ring = { inviteID: 'inv-late-grant', roomID: 4242, invitees: ['bob'], timeout: 30 };
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, call: ring })).toMatchObject({ type: 'ack' });
    const bob = await t.login(b, 'bob'); // his login reads his stream over b's command connection
    await bob.next((f) => f.type === 'message' && f.payload === 'ring', 'the invitation on b');
    const entering = bob.request({ type: 'roomEnter', roomID: 4242, audio: true, video: false });
    const members = bob.request({ type: 'roomMembers', roomID: 4242 });
    const answered = () => bob.frames.filter((f) => f.type === 'roomInfo' || f.type === 'error');
    // Before: refused at once (notInvited), the grant unheard.
    await until('an answer, or b waiting to catch up', () => answered().length > 0 || rechecks(b) === 1, (ok) => ok);
    expect(answered()).toEqual([]);
    // A keepalive does not wait behind it (the client's clock offset is its round trip).
    expect(await bob.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(answered()).toEqual([]);
    pb.hear();
    expect(await entering).toMatchObject({ type: 'roomInfo', roomID: 4242 });
    // Behind the enter, in order: bob is in the room by then.
    expect(await members).toMatchObject({ type: 'roomInfo', roomID: 4242, members: [expect.objectContaining({ userID: 'bob' })] });
    const answers = bob.frames.filter((f) => f.type === 'roomInfo').map((f) => f.rid);
    expect(answers).toEqual([...answers].sort((x, y) => Number(x) - Number(y)));
  });

  it("an invitee's join of a group made on another node, before its node heard of the group: joined once it has", async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    const alice = await t.login(a, 'alice');
    const bob = await t.login(b, 'bob');
    pb.deafen();
    expect(await alice.request({ type: 'groupCreate', groupID: 'grp-late', members: ['bob'] })).toMatchObject({ type: 'groupInfo' });
    // The creation's ack does not wait for Redis (node a sends the change behind it): b's catch-up asks Redis, and
    // a change Redis does not have yet is none it can wait for. Bob joins once Redis has it, as he would once told
    // of the group through the cluster (a message sent after the creation reaches Redis after it).
    await until('the creation in Redis', () => t.redis.exists(`${t.prefix}:h:g:grp-late`), (n) => n === 1);
    const joining = bob.request({ type: 'groupJoin', groupID: 'grp-late' });
    const answered = () => bob.frames.filter((f) => f.type === 'groupInfo' || f.type === 'error');
    // Before: refused at once (noSuchGroup).
    await until('an answer, or b waiting to catch up', () => answered().length > 0 || rechecks(b) === 1, (ok) => ok);
    expect(answered()).toEqual([]);
    pb.hear();
    expect(await joining).toMatchObject({ type: 'groupInfo', groupID: 'grp-late' });
    expect(await bob.request({ type: 'sendGroup', groupID: 'grp-late', payload: 'hi', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await alice.next((f) => f.type === 'message' && f.payload === 'hi', "bob's message on a");
  });

  it('an enter nobody granted, the node unable to catch up: refused once its wait runs out on its clock, and a strike as before', async () => {
    const pb = await t.proxy();
    const a = await t.node('a');
    const b = await t.node('b', { redisUrl: pb.url });
    const alice = await t.login(a, 'alice');
    pb.deafen();
    // A change Redis has that b cannot hear: b's wait has a version to reach.
    expect(await alice.request({ type: 'roomClaim', roomID: 777 })).toMatchObject({ type: 'ack' });
    const mallory = await t.login(b, 'mallory');
    const entering = mallory.request({ type: 'roomEnter', roomID: 4243, audio: true, video: false });
    await until('b waiting to catch up', () => rechecks(b), (n) => n === 1);
    expect(mallory.frames.filter((f) => f.type === 'error')).toEqual([]);
    await b.clock.advance(1000);
    expect(await entering).toMatchObject({ type: 'error', code: 'notInvited' });
    pb.hear();
  });

  it("a node that read every history after the newest change's expired: caught up, a refusal answered at once", async () => {
    const a = await t.node('a');
    const alice = await t.login(a, 'alice');
    expect(await alice.request({ type: 'roomClaim', roomID: 778 })).toMatchObject({ type: 'ack' });
    // The claim is the newest change (P:ver names it); its history runs out (10 s at least for a claim).
    const history = `${t.prefix}:h:r:778`;
    await until('the claim in Redis', () => t.redis.exists(history), (n) => n === 1);
    await t.redis.pexpire(history, 1);
    await until('its history expired', () => t.redis.exists(history), (n) => n === 0);
    const b = await t.node('b'); // reads every history there is: nothing of version P:ver is left to hear
    const mallory = await t.login(b, 'mallory');
    const entering = mallory.request({ type: 'roomEnter', roomID: 4245, audio: true, video: false });
    await until('b asked Redis', () => rechecks(b), (n) => n === 1);
    // Before: b waited for a version it would never hear, the whole second of its clock (the frames behind too).
    expect(await entering).toMatchObject({ type: 'error', code: 'notInvited' });
  });

  it("Redis not answering the read of P:ver: the wait ends after 1 s of the node's clock all the same", async () => {
    const b = await t.node('b');
    const mallory = await t.login(b, 'mallory');
    // Redis never answers b's read of P:ver: not even its failure at ioredis's 2 s command timeout (real time), which
    // ends the wait too. This test gave the refusal 1 s of real time to come before that failure, which a loaded
    // machine could take; nothing but the node's clock ends the wait now.
    const reads = neverAnswered(`${t.prefix}:ver`);
    const entering = mallory.request({ type: 'roomEnter', roomID: 4246, audio: true, video: false });
    await until('b waiting to catch up', () => rechecks(b), (n) => n === 1);
    await until('its read of P:ver sent', () => reads.length, (n) => n === 1);
    await b.clock.advance(1000);
    // Before: the second began only once Redis answered (here never: the refusal never came).
    expect(await entering).toMatchObject({ type: 'error', code: 'notInvited' });
  });

  it('a refusal the node is caught up for is answered at once: no wait, one question to Redis', async () => {
    const a = await t.node('a');
    const mallory = await t.login(a, 'mallory');
    expect(await mallory.request({ type: 'roomEnter', roomID: 4244, audio: true, video: false })).toMatchObject({ type: 'error', code: 'notInvited' });
    expect(rechecks(a)).toBe(1);
    // Asked again after the catch-up, refused again: not a third time.
    expect(await mallory.request({ type: 'roomMembers', roomID: 4244 })).toMatchObject({ type: 'error', code: 'notInvited' });
    expect(rechecks(a)).toBe(2);
  });
});
