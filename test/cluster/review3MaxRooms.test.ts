/**
 * Review 3: a claim every node refuses on replay still leaves a history in Redis that keeps its room ID from
 * everyone for the idle time. `mayClaim` is asked on the claimer's node before the claim goes to Redis, but it
 * counts only the grants that node has applied: two claims of two free rooms made on two nodes while the server
 * holds `maxRooms - 1` rooms both pass it, Redis takes both (no history of either room), and every node refuses the
 * later one on replay (`maxRooms`). Its history, `roomIdleMs + 10 s`, stays: nobody holds the room anywhere, yet
 * another user's claim of it, once the server has room again, is refused `roomInUse` for some five minutes.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

describe('review 3: a claim refused on replay by every node', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('leaves no history keeping its room ID from others once the server has room again', async () => {
    const pb = await t.proxy();
    const limits = { maxRooms: 1 };
    const a = await node('a', { limits });
    const b = await node('b', { redisUrl: pb.url, limits });
    const alice = await login(a, 'alice');
    const mallory = await login(b, 'mallory');
    const carol = await login(a, 'carol');
    await heardAll(b);
    pb.deafen();
    expect(await alice.request({ type: 'roomClaim', roomID: 100 })).toMatchObject({ type: 'ack' });
    // b has not heard Alice's claim: it holds no room, so Mallory's claim of room 200 passes its quotas and goes to Redis.
    const mallorys = mallory.request({ type: 'roomClaim', roomID: 200 });
    await until('b waiting for its claim\'s order', () => b.handle.metrics().cluster?.rechecks, (n) => (n ?? 0) >= 1);
    pb.hear();
    // Applied after Alice's in Redis's order, every node refuses it: the server holds as many rooms as it may.
    expect(await mallorys).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    await heardAll(a);
    await heardAll(b);
    // Alice's call ends at once: she enters and leaves on purpose (nobody invited: the grant is over within seconds).
    expect(await alice.request({ type: 'roomEnter', roomID: 100, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await alice.request({ type: 'roomExit', roomID: 100 });
    await a.clock.advance(6000);
    await b.clock.advance(6000);
    // Nobody holds room 200 anywhere, and never did; yet Redis keeps a history of it for minutes.
    const pttl = await redis.pttl(`${t.prefix}:h:r:200`);
    // Carol claims room 200: the server has room for it and no grant holds it.
    const carols = await carol.request({ type: 'roomClaim', roomID: 200 });
    expect({ carols, pttl: pttl > 15_000 ? 'minutes' : 'short' }).toMatchObject({ carols: { type: 'ack' }, pttl: 'short' });
  });
});
