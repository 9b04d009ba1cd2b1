/**
 * Attack: make the server write a copy per device at no cost (`--multi-device`, up to 5 devices a user). A group
 * message pays its fan-out budget a copy per device (`fanoutCharge`, `server/fanout.ts`), but a C2C message to a user
 * on 5 devices made 5 copies, and 4 more to its sender's own other devices, for its one frame: Mallory messaging users
 * on 5 devices each made the server write 5 (or 9) times what her budgets paid for, beside a fan-out budget that bounds
 * a group's. Left by the attacker review of 2026-12-07 (server/README's limits), fixed the same evening: a C2C
 * message's copies beyond the one its frame paid for are paid from the fan-out budget as a group's are (`fanoutCharge`),
 * in the same units (one per 8 KiB begun as written); one device each costs nothing, as before.
 *
 * The same for a relay held for a ringing invitee (call setup: the caller's offer and candidates), which also went at
 * once, marked `early`, to each of the invitee's devices: up to 5 copies a frame, unpaid, 64 relays and 64 KiB per
 * invitee and room. Its early copies beyond the first now pay the fan-out budget too (counted by `Rooms.relay`), refused
 * `rateLimited` (`earlyRelays`) past it, nothing held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';
import { HELD_RELAYS } from '../../server/heldRelays';
import { c2cInvite, loginDevices, outcome } from './support';

let server: TestServer;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server?.dispose();
});

/** `user` logged in on `n` devices (a multi-device server), terminated after the test. */
const devices = async (user: string, n: number) => {
  const logged = await loginDevices(server.handle.url, user, n);
  clients.push(...logged);
  return logged;
};
/** `n` C2C messages sent at once (no clock step between them), their outcomes in order. */
const burst = async (from: RawClient, to: string, n: number) =>
  (await Promise.all(Array.from({ length: n }, (_, i) => from.request({ type: 'sendC2C', to, payload: `m${i} ${'x'.repeat(1_000)}`, onlineUserOnly: true })))).map(outcome);
const heard = async (c: RawClient) => {
  await c.sync();
  return c.ofType('message').length;
};
// A fan-out of 16 copies a second, 32 at once (the least the server takes beside groups of 8 at most).
const limits = { fanout: { perSecond: 16, burst: 32 }, maxGroupMembers: 8 };

describe('many devices: a C2C message pays for the copies beyond its first, as a group message does', () => {
  it('Mallory sends 10 messages at once to Bob on 5 devices: 8 go (4 copies each beyond the first: her burst of 32), 2 are refused; Carol on one device still gets all 10', async () => {
    server = await testServer({ multiDevice: true, limits });
    const bob = await devices('bob', 5);
    const [carol] = await devices('carol', 1);
    const [mallory] = await devices('mallory', 1);
    // Before: all 10 went, 50 copies written for 10 frames and no fan-out paid.
    expect(await burst(mallory!, 'bob', 10)).toEqual([...Array<string>(8).fill('ack'), 'rateLimited', 'rateLimited']);
    expect(await Promise.all(bob.map(heard))).toEqual([8, 8, 8, 8, 8]);
    // One device: one copy, the one the frame paid for; her fan-out spent changes nothing.
    expect(await burst(mallory!, 'carol', 10)).toEqual(Array<string>(10).fill('ack'));
    expect(await heard(carol!)).toBe(10);
    // A second later 16 more units: four more messages to Bob.
    await server.clock.advance(1_000);
    expect(await burst(mallory!, 'bob', 5)).toEqual([...Array<string>(4).fill('ack'), 'rateLimited']);
    expect(server.handle.metrics().limits).toMatchObject({ fanout: 3 });
  });

  it('Mallory on 5 devices sends 10 messages at once to Carol on one: 8 go (each a copy to her own 4 others), 2 are refused', async () => {
    server = await testServer({ multiDevice: true, limits });
    const [carol] = await devices('carol', 1);
    const [mallory, ...others] = await devices('mallory', 5);
    // Before: all 10 went, 50 copies written (10 to Carol, 40 to Mallory's own devices).
    expect(await burst(mallory!, 'carol', 10)).toEqual([...Array<string>(8).fill('ack'), 'rateLimited', 'rateLimited']);
    expect(await heard(carol!)).toBe(8);
    expect(await Promise.all(others.map(heard))).toEqual([8, 8, 8, 8]);
  });

  it('Mallory invites Bob, ringing on 5 devices, and relays 10 frames to him at once: 7 go early to each device (4 copies each beyond the first, her burst less the invitation\'s 4), 3 are refused; Carol on one device gets all 10', async () => {
    server = await testServer({ multiDevice: true, limits });
    const bob = await devices('bob', 5);
    const [carol] = await devices('carol', 1);
    const [mallory] = await devices('mallory', 1);
    expect(await mallory!.request({ type: 'roomClaim', roomID: 9 })).toMatchObject({ type: 'ack' });
    expect(await mallory!.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    expect(await mallory!.request(c2cInvite('bob', 9, 'i1', true))).toMatchObject({ type: 'ack' });
    const relays = (to: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => mallory!.request({ type: 'relay', roomID: 9, to, data: `r${i} ${'x'.repeat(1_000)}` }))).then((r) => r.map(outcome));
    // Before: all 10 went, 50 early copies written for 10 frames and no fan-out paid.
    expect(await relays('bob', 10)).toEqual([...Array<string>(7).fill('ack'), ...Array<string>(3).fill('rateLimited')]);
    const early = async (c: RawClient) => {
      await c.sync();
      return c.ofType('relayed').filter((f) => f.early === true).length;
    };
    expect(await Promise.all(bob.map(early))).toEqual([7, 7, 7, 7, 7]);
    // Held as ever: the device that enters gets the 7, numbered.
    expect(await bob[0]!.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    await bob[0]!.sync();
    expect(bob[0]!.ofType('relayed').filter((f) => f.early !== true).map((f) => f.held)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // One device: one early copy, which the frame paid for; her fan-out spent changes nothing.
    expect(await mallory!.request(c2cInvite('carol', 9, 'i2', true))).toMatchObject({ type: 'ack' });
    expect(await relays('carol', 10)).toEqual(Array<string>(10).fill('ack'));
    expect(await early(carol!)).toBe(10);
    expect(server.handle.metrics().limits).toMatchObject({ earlyRelays: 3 });
  });

  // A relay the room cannot hold (its 64 relays held already, all the sender's own) is refused `notInRoom` and goes
  // nowhere, early neither: it pays nothing. Its early copies were paid before the hold refused it (the review of
  // 2026-12-07 evening): a caller whose room was full spent her fan-out on copies never made, then was refused.
  it('a relay to Bob on 5 devices that the full room cannot hold is refused notInRoom and costs no fan-out', async () => {
    server = await testServer({ multiDevice: true, limits });
    await devices('bob', 5);
    await devices('carol', 1);
    const [alice] = await devices('alice', 1);
    expect(await alice!.request({ type: 'roomClaim', roomID: 9 })).toMatchObject({ type: 'ack' });
    expect(await alice!.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    expect(await alice!.request(c2cInvite('bob', 9, 'i1', true))).toMatchObject({ type: 'ack' });
    expect(await alice!.request(c2cInvite('carol', 9, 'i2', true))).toMatchObject({ type: 'ack' });
    await server.clock.advance(1_000); // the invitation to Bob's devices paid back
    const relays = (to: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => alice!.request({ type: 'relay', roomID: 9, to, data: `r${i}` }))).then((r) => r.map(outcome));
    expect(await relays('carol', HELD_RELAYS.frames)).toEqual(Array<string>(HELD_RELAYS.frames).fill('ack'));
    // Before: the first 8 paid 4 units each for nothing (notInRoom), the last 2 were refused rateLimited.
    expect(await relays('bob', 10)).toEqual(Array<string>(10).fill('notInRoom'));
    // Her whole burst is left: 8 messages to Bob's 5 devices.
    expect(await burst(alice!, 'bob', 8)).toEqual(Array<string>(8).fill('ack'));
  });
});
