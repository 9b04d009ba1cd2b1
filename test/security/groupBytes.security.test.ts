/**
 * Attack: make the server send megabytes a second to others for a few kilobytes of one's own. A group
 * message's fan-out was paid in copies (`--fanout-rate` 1,000 a second, burst 2,000) whatever their size,
 * and the sender's byte budget (256 KiB a second) paid its one frame: Mallory, a member of an open group of
 * 200, sent 60 KB messages to it at her byte rate (4 a second, 800 copies) and the server wrote 48 MB a second
 * to the members, 200 times what she sent. Now a copy costs the fan-out budget one per 4 KiB of its payload
 * begun (`FANOUT_COPY_BYTES`: an invitation, a few hundred bytes to a few KiB, still costs one), so what a
 * user's group messages make the server send is bounded in bytes (4 MB a second by default), not only in copies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FANOUT_COPY_BYTES } from '../../server/limits';
import { RawClient, testServer, type TestServer } from '../server/support';

let server: TestServer;
afterEach(async () => server?.dispose());

describe('group fan-out is paid by the bytes it makes the server send', () => {
  it('Mallory sends 60 KB messages to a hall of 8 (burst 32): one goes, the next wait for the budget; 1 KB ones cost a copy each, as before', async () => {
    server = await testServer({ limits: { fanout: { perSecond: 16, burst: 32 }, maxGroupMembers: 8 } });
    const users = ['mallory', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
    server.handle.createGroup('hall', users);
    const [mallory, ...members] = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u, { lean: true })));
    const send = async (payload: string) => {
      const reply = await mallory!.request({ type: 'sendGroup', groupID: 'hall', payload, onlineUserOnly: true });
      return reply.type === 'ack' ? 'ack' : `${String(reply.code)}`;
    };
    const big = 'x'.repeat(60_000);
    expect(Math.ceil(big.length / FANOUT_COPY_BYTES)).toBe(15);
    // 8 copies of 15 units each, 120: more than the burst, taken from a full one, the rest owed. Before: 4 went at once (32 copies, 1.9 MB).
    const bursts = [await send(big), await send(big), await send(big)];
    await server.clock.advance(7_500); // taken from the full burst, the 88 units owed and the burst paid back
    bursts.push(await send(big));
    await server.clock.advance(7_500);
    // Signalling-sized messages cost a copy each, as before: 4 to 8 members fill the burst of 32.
    const small = 'y'.repeat(1000);
    for (let i = 0; i < 5; i++) bursts.push(await send(small));
    expect(bursts).toEqual(['ack', 'rateLimited', 'rateLimited', 'ack', 'ack', 'ack', 'ack', 'ack', 'rateLimited']);
    for (const m of members) await m.sync();
    expect(members.map((m) => m.ofType('message').map((f) => f.payload))).toEqual(members.map(() => ['(60000 chars)', '(60000 chars)', ...Array<string>(4).fill('(1000 chars)')]));
    for (const c of [mallory!, ...members]) c.terminate();
  });

  it('Mallory sends 60 KB messages to the hall for 30 s, trying every 2.5 s: the copies stay within the rate in bytes, not a burst per message', async () => {
    // 8 copies of 15 units each, 120: more than the burst (32). Taken whole from a full budget, the rest is owed.
    server = await testServer({ limits: { fanout: { perSecond: 16, burst: 32 }, maxGroupMembers: 8 } });
    const users = ['mallory', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
    server.handle.createGroup('hall', users);
    const [mallory, ...members] = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u, { lean: true })));
    const big = 'x'.repeat(60_000);
    const sent: number[] = [];
    for (let t = 0; t <= 30_000; t += 2_500) {
      const reply = await mallory!.request({ type: 'sendGroup', groupID: 'hall', payload: big, onlineUserOnly: true });
      if (reply.type === 'ack') sent.push(t);
      await server.clock.advance(2_500);
    }
    // 16 units a second (64 KiB of copies a second) pay a message of 120 units every 7.5 s. Charged the burst alone (a
    // cost above it was cut to it, before 2026-12-06, late), one went at each try: three times the rate in bytes.
    expect(sent).toEqual([0, 7_500, 15_000, 22_500, 30_000]);
    for (const c of [mallory!, ...members]) c.terminate();
  });
});
