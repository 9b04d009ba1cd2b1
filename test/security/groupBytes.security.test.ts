/**
 * Attack: make the server send megabytes a second to others for a few kilobytes of one's own. A group
 * message's fan-out was paid in copies (`--fanout-rate` 1,000 a second, burst 2,000) whatever their size,
 * and the sender's byte budget (256 KiB a second) paid its one frame: Mallory, a member of an open group of
 * 200, sent 60 KB messages to it at her byte rate (4 a second, 800 copies) and the server wrote 48 MB a second
 * to the members, 200 times what she sent. Now a copy costs the fan-out budget one per 8 KiB of its payload
 * begun (`FANOUT_COPY_BYTES`: an invitation, at most 7.4 KB, still costs one), so what a user's group messages
 * make the server send is bounded in bytes (8 MB a second by default), not only in copies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INVITE_ID_LENGTH } from '../../adapters/signalingSchema';
import { encodeSignal } from '../../adapters/signalingCodec';
import { fanoutCharge, wireBytes } from '../../server/fanout';
import { FANOUT_COPY_BYTES, resolveLimits } from '../../server/limits';
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
    expect(Math.ceil(big.length / FANOUT_COPY_BYTES)).toBe(8);
    // 8 copies of 8 units each, 64: more than the burst, taken from a full one, the rest owed. Before: 4 went at once (32 copies, 1.9 MB).
    const bursts = [await send(big), await send(big), await send(big)];
    await server.clock.advance(7_500); // taken from the full burst, the 32 units owed and the burst paid back
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

  it("the largest group invitation a client sends, and its cancel, cost one a copy: a call to a full group and its cancel fit the burst with every device", () => {
    // 200 members (the default --max-group-members) with 32-character IDs, a 64-character group ID, the longest inviteID.
    const { maxGroupMembers } = resolveLimits({});
    const invitees = Array.from({ length: maxGroupMembers }, (_, i) => `u${String(i).padStart(31, '0')}`);
    const call = { inviteID: 'i'.repeat(MAX_INVITE_ID_LENGTH), inviter: 'a'.repeat(32), groupID: 'g'.repeat(64), callType: 2 as const, invitees };
    const invite = encodeSignal({ kind: 'invite', ...call, roomID: 0xffffffff, timeout: 30, onlineUserOnly: false, isGroup: true, consumed: false });
    const cancel = encodeSignal({ kind: 'cancel', ...call });
    // 7.6 and 7.5 KB: at 4 KiB a copy (the first version of this limit) each cost two, and with three devices a member
    // the call (1,200) and its cancel (1,200) outran the burst of 2,000: the cancel refused, every device rang on.
    // Measured as the server writes them (each `"` escaped), 8,037 and 7,957 bytes: still one. So are the other signals
    // that name every invitee; the largest, a switch request, is 8,099 bytes, 93 to spare.
    const others = [
      encodeSignal({ kind: 'timeout', ...call, roomID: 0xffffffff }),
      encodeSignal({ kind: 'hangup', ...call, callEnd: 86_400 }),
      encodeSignal({ kind: 'switch', ...call, roomID: 0xffffffff, to: 1 }),
    ];
    expect([invite, cancel, ...others].map(wireBytes)).toEqual([8_037, 7_957, 8_011, 8_009, 8_099]);
    expect([invite, cancel, ...others].map((payload) => fanoutCharge(false, 1, payload))).toEqual([1, 1, 1, 1, 1]);
    expect([Buffer.byteLength(invite), Buffer.byteLength(cancel)].map((bytes) => Math.ceil(bytes / FANOUT_COPY_BYTES))).toEqual([1, 1]);
  });

  it('Mallory sends 60 KB messages to the hall for 30 s, trying every 2.5 s: the copies stay within the rate in bytes, not a burst per message', async () => {
    // 8 copies of 8 units each, 64: more than the burst (32). Taken whole from a full budget, the rest is owed.
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
    // 16 units a second (128 KiB of copies a second) pay a message of 64 units every 4 s, one every other try (the
    // budget full again after 5 s). Charged the burst alone (a cost above it was cut to it, before 2026-12-06, late),
    // one went at each try.
    expect(sent).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    for (const c of [mallory!, ...members]) c.terminate();
  });
});
