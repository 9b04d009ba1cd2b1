/**
 * The server's connection slots against clients that never log in. An attacker with many
 * addresses (a hundred IPv4 ones, or a single IPv6 /56: the per-address cap counts a /64) could
 * hold every slot with connections that never log in, opening a new one as each timed out: every
 * user who then (re)connected was refused at the door. Now a slot held by a connection that has not
 * logged in is the first to go when the server is full, oldest first, once it has had 3 s to log in
 * (honest users arriving at a full server must not cut each other's logins: slotChurn.test.ts); a
 * logged-in user's never is.
 *
 * Every address of 127.0.0.0/8 is this machine's on Linux: the attackers connect from 127.0.0.2
 * and up, the honest users from 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { EVICTABLE_AFTER_MS } from '../../server/limits';
import { RawClient, type RawAttacker, defaultLimitsWorld, honestCall, idleAttacker, stopAttackers, until } from './support';

const MAX_CONNECTIONS = 24;
const PER_ADDRESS = 6;

describe('connections that never log in cannot keep users out', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  let url: string;
  let port: number;

  beforeEach(async () => {
    world = defaultLimitsWorld({ server: { limits: { maxConnections: MAX_CONNECTIONS, maxConnectionsPerIp: PER_ADDRESS } } });
    alice = await world.user('alice');
    bob = await world.user('bob');
    url = (await world.server()).url;
    port = Number(new URL(url).port);
  });
  afterEach(async () => {
    stopAttackers();
    await world.dispose();
  });

  /** Mallory's idle connections from `addresses` addresses (127.0.0.2 and up), `each` from every one, in order. */
  async function flood(addresses: number, each: number, first = 2): Promise<RawAttacker[]> {
    const out: RawAttacker[] = [];
    for (let a = first; a < first + addresses; a++) for (let i = 0; i < each; i++) out.push(await idleAttacker(port, `127.0.0.${a}`));
    return out;
  }

  it('at the cap, a user logging in takes the slot of the oldest connection that never logged in', async () => {
    // Alice and Bob hold 2 slots; Mallory fills the other 22 from 4 addresses, then more come.
    const held = await flood(4, PER_ADDRESS - 1);
    const more = await flood(1, 2, 6);
    expect([...held, ...more].map((a) => a.status)).toEqual(Array<number>(22).fill(101));
    // A connection may go only once it has had EVICTABLE_AFTER_MS to log in: until then, 503 as before.
    await expect(RawClient.login(url, 'carol', { localAddress: '127.0.1.1' })).rejects.toThrow('503');
    await world.advance(EVICTABLE_AFTER_MS);
    // Carol logs in: before, 503 at the door for as long as Mallory kept it up.
    const carol = await RawClient.login(url, 'carol', { localAddress: '127.0.1.1' });
    await until("the oldest attacker's slot to be taken", () => held[0]?.closed === true);
    expect(held.filter((a) => a.closed)).toEqual([held[0]]);
    expect(more.some((a) => a.closed)).toBe(false);
    // Mallory's new connections take each other's slots, never a logged-in one.
    const again = await flood(2, 3, 7);
    expect(again.every((a) => a.status === 101)).toBe(true);
    await until('six more of the oldest to go', () => held.filter((a) => a.closed).length === 7);
    expect(held.slice(0, 7).every((a) => a.closed)).toBe(true);
    expect(await carol.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    const metrics = (await world.server()).metrics();
    expect(metrics.connections).toBe(MAX_CONNECTIONS);
    expect(metrics.limits.maxConnections).toBe(1);
    expect(metrics.limits.notLoggedInEvicted).toBe(7);
    await honestCall(world, alice, bob);
  });

  it('the per-address cap holds first: an address at its cap takes no one else\'s slot', async () => {
    const held = await flood(3, PER_ADDRESS);
    const full = await flood(1, 4, 5);
    expect([...held, ...full].every((a) => a.status === 101)).toBe(true);
    await world.advance(EVICTABLE_AFTER_MS); // every slot of Mallory's could go now, but not to Mallory
    const over = await idleAttacker(port, '127.0.0.2');
    expect(over.status).toBe(503);
    expect(held.some((a) => a.closed)).toBe(false);
    expect((await world.server()).metrics().limits).toMatchObject({ maxConnectionsPerIp: 1 });
  });

  it('when every slot is a logged-in user\'s, a new connection is refused and no one is cut', async () => {
    const users: RawClient[] = [];
    for (let i = 0; i < MAX_CONNECTIONS - 2; i++) users.push(await RawClient.login(url, `user${i}`, { localAddress: `127.0.1.${i}` }));
    const late = await idleAttacker(port, '127.0.0.2');
    expect(late.status).toBe(503);
    await expect(RawClient.login(url, 'dave', { localAddress: '127.0.2.1' })).rejects.toThrow();
    for (const user of users) expect(await user.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    const metrics = (await world.server()).metrics();
    expect(metrics.limits.maxConnections).toBe(2);
    expect(metrics.limits.notLoggedInEvicted).toBeUndefined();
    for (const user of users) user.terminate();
  });
});
