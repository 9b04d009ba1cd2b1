/**
 * A room grant's history in Redis (`P:h:r:<room>`) is kept as long as the grant can live, plus a
 * margin: a user cycling claim, enter and exit through fresh rooms (a room left on purpose stops
 * counting against its owner) leaves histories that expire within seconds, not one per room for
 * two days; and a node started afterwards still rebuilds every grant that lives.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_MARGIN_MS } from '../../server/cluster/grants';
import { tencentUserSig } from '../server/support';
import { inProcessNodes } from './support';

const CYCLES = 40;
const LIVE = 7_000_001; // claimed, never entered: counts against its owner for the idle time
const RINGING = 7_000_002; // an invitation ringing for ten minutes

describe('cluster: grant histories', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  async function histories(): Promise<Map<number, number>> {
    const ttls = new Map<number, number>();
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${t.prefix}:h:r:*`, 'COUNT', 500);
      cursor = next;
      for (const key of found) ttls.set(Number(key.slice(`${t.prefix}:h:r:`.length)), await redis.pttl(key));
    } while (cursor !== '0');
    return ttls;
  }

  it(`Mallory cycles ${CYCLES} rooms (claim, enter, exit) -> their histories expire within the margin; the live grants' stay, and a node started afterwards has them`, async () => {
    const a = await node('a', { limits: { maxRoomsPerUser: 3 } });
    const mallory = await open(a);
    expect(await mallory.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory') })).toMatchObject({ type: 'loggedIn' });
    expect(await mallory.request({ type: 'roomClaim', roomID: LIVE })).toMatchObject({ type: 'ack' });
    const ring = { inviteID: 'inv-ring', roomID: RINGING, invitees: ['bob'], timeout: 600 };
    expect(await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, call: ring })).toMatchObject({ type: 'ack' });
    for (let i = 0; i < CYCLES; i++) {
      const roomID = 1_000_000 + i;
      expect(await mallory.request({ type: 'roomClaim', roomID })).toMatchObject({ type: 'ack' });
      expect(await mallory.request({ type: 'roomEnter', roomID, audio: false, video: false })).toMatchObject({ type: 'roomInfo' });
      expect(await mallory.request({ type: 'roomExit', roomID })).toMatchObject({ type: 'ack' });
      await a.clock.advance(100); // within the frame rate
    }
    await mallory.sync();
    const ttls = await histories();
    const cycled = [...ttls].filter(([roomID]) => roomID < LIVE).map(([, ttl]) => ttl);
    // Every cycled room's history goes within the margin (it was kept two days); the live ones outlive it.
    expect(cycled.filter((ttl) => ttl <= 0 || ttl > HISTORY_MARGIN_MS)).toEqual([]);
    expect((ttls.get(LIVE) ?? 0) > HISTORY_MARGIN_MS && (ttls.get(RINGING) ?? 0) > 600_000).toBe(true);
    // A node started now rebuilds the live grants from Redis: Bob may enter the room he is invited to,
    // Carol may claim neither live room, and a cycled room is free once its history is gone.
    const b = await node('b');
    await b.clock.advance(CYCLES * 100 + 1000); // past the cycled rooms' ends on its own clock
    const bob = await open(b);
    expect(await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') })).toMatchObject({ type: 'loggedIn' });
    expect(await bob.request({ type: 'roomEnter', roomID: RINGING, audio: false, video: false })).toMatchObject({ type: 'roomInfo' });
    const carol = await open(b);
    expect(await carol.request({ type: 'login', userID: 'carol', userSig: tencentUserSig('carol') })).toMatchObject({ type: 'loggedIn' });
    expect(await carol.request({ type: 'roomClaim', roomID: LIVE })).toMatchObject({ type: 'error', code: 'roomInUse' });
    expect(await carol.request({ type: 'roomClaim', roomID: RINGING })).toMatchObject({ type: 'error', code: 'roomInUse' });
    // A cycled room is Mallory's in Redis while its history lives (a claim is taken there only then: the room's
    // end on one node's clock may be a renewal on its way on another's), and free once it is gone.
    expect(await carol.request({ type: 'roomClaim', roomID: 1_000_000 })).toMatchObject({ type: 'error', code: 'roomInUse' });
    await redis.del(`${t.prefix}:h:r:1000000`); // its TTL runs in real time: gone within the margin
    expect(await carol.request({ type: 'roomClaim', roomID: 1_000_000 })).toMatchObject({ type: 'ack' });
  });
});
