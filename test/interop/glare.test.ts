/**
 * Glare with Tencent's own client (trtc-calling-js 1.0.6): ours and Tencent's call each other at
 * once. Tencent's client answers an invite busy whenever it is calling (its own clients, in glare,
 * both end LINE_BUSY), and ends its own call on any CANCEL whatever inviteID it names. Ours merges
 * the two dials into one call in both orders of the inviteIDs: it never cancels its own invite in
 * a glare, and takes Tencent's invite when its own is answered busy by the peer whose invite it holds.
 */
import { describe, expect, it } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import type { InteropWorld } from './support/interopWorld';
import { expectEvents, oe, useInterop } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();

/** Lets the clock run until someone sends a message (Tencent's client enters its room before it invites). */
async function untilSent(world: InteropWorld): Promise<void> {
  const before = world.im.log.length;
  for (let ms = 0; world.im.log.length === before; ms++) {
    if (ms > 5 * S) throw new Error('nothing was sent');
    await world.advance(1);
  }
}

const INVITE = { type: 2, invitees: ['alice'], userIDs: ['alice'] } as const;

describe("glare: ours (Alice) and Tencent's (Bob) call each other, the invites crossing", () => {
  it.each([
    { order: "ours sorts first: Alice holds Bob's invite, Bob answers hers busy, so she takes his", inviteIDs: 'low' },
    { order: "Tencent's sorts first: Alice takes Bob's invite at once and cancels nothing", inviteIDs: 'high' },
  ] as const)('$order -> one call in Bob\'s room; connected past 40 s; a hang-up ends it on both sides', async ({ inviteIDs }) => {
    const alice = await t.world.party('ours', 'alice', { inviteIDs });
    const bob = await t.world.party('official', 'bob');
    const bobCalls = bob.call('alice', 2);
    await untilSent(t.world);
    // Alice dials the instant Bob's invite leaves: neither has arrived when the other is sent.
    await t.world.act(Promise.all([alice.call('bob', 2), bobCalls]));
    expectEvents(alice, { ours: [ev.accepted('bob'), ...ev.arrives('bob')], official: [] });
    // Bob's client reports its own busy answer (its quirk), then Alice's accept of his call.
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob'), ...oe.arrives('alice').slice(0, 2), oe.accepted('bob'), oe.enter('alice')] });
    expectWire(t.world.wire.take(), [
      W.invite('bob', 'alice', { ...INVITE, id: 'id1', room: 'room1' }),
      W.invite('alice', 'bob', { type: 2, invitees: ['bob'], userIDs: ['bob'], id: 'id2', room: 'room2' }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
      W.accept('alice', { id: 'id1', inviter: 'bob', type: 2 }),
    ]);
    if (alice.kind !== 'ours') throw new Error('unreachable');
    const room = alice.calling.getSnapshot().call?.roomID ?? 0;
    expect(t.world.rtc.members(room)).toEqual(['bob', 'alice']);
    await t.world.advance(40 * S);
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['connected', 'connected']);
    expectEvents(alice, { ours: [], official: [] });
    expectEvents(bob, { ours: [], official: [] });
    await t.world.act(bob.hangup());
    // On the wire, only Alice's "last one out" hang-up to Bob (his client hangs up through TRTC alone); above all
    // no CANCEL of her invite, which Bob answered busy, and which would reset whatever call his client has.
    expectWire(t.world.wire.take(), [W.hangup('alice', 'bob', { id: `id1${HANGUP_SUFFIX}`, type: 2, callEnd: 41 })]);
    expectEvents(alice, { ours: [ev.leave('bob'), ev.end('bob', 'hangup')], official: [] });
    expectEvents(bob, { ours: [], official: [oe.end('alice', 41)] });
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
  });
});

describe("near-glare: ours (Alice) invites Tencent's (Bob) while his client is already calling her, its invite not sent yet", () => {
  it('Bob answers busy, Alice answers his invite busy as her call ends: both LINE_BUSY at once, as between two of Tencent\'s clients; nobody waits 35 s', async () => {
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party('official', 'bob');
    await t.world.act(Promise.all([alice.call('bob', 2), bob.call('alice', 2)]));
    expectEvents(alice, { ours: [ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)], official: [] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob'), oe.busy('bob', 'alice')] });
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
    await t.world.advance(40 * S);
    expectEvents(alice, { ours: [], official: [] });
    expectEvents(bob, { ours: [], official: [] });
  });
});

// Her invite may land on his client once it is idle, so it is withdrawn: his client, whose call ends
// with her REJECT anyway, hears CALLING_CANCEL first. Only within one IM delay of the merge: once his
// busy answer landed, nothing is withdrawn (the first describe's hang-up).
describe("glare lost by ours (Alice), who hangs up at once, before Tencent's busy answer to her invite lands", () => {
  it("her invite withdrawn, then her REJECT of his: his call ends, CALLING_CANCEL before its REJECT", async () => {
    const alice = await t.world.party('ours', 'alice', { inviteIDs: 'high' });
    const bob = await t.world.party('official', 'bob');
    if (alice.kind !== 'ours') throw new Error('unreachable');
    alice.calling.on(TRTCCalling.EVENT.USER_ACCEPT, () => void alice.calling.hangup());
    const bobCalls = bob.call('alice', 2);
    await untilSent(t.world);
    await t.world.act(Promise.all([alice.call('bob', 2), bobCalls]));
    await t.world.advance(40 * S);
    expectWire(t.world.wire.take(), [
      W.invite('bob', 'alice', { ...INVITE, id: 'id1', room: 'room1' }),
      W.invite('alice', 'bob', { type: 2, invitees: ['bob'], userIDs: ['bob'], id: 'id2', room: 'room2' }),
      W.cancel('alice', { id: 'id2', type: 2, invitees: ['bob'] }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
      W.reject('alice', { id: 'id1', inviter: 'bob', type: 2 }),
    ]);
    expectEvents(alice, { ours: [ev.accepted('bob'), ev.end('bob', 'hangup', 0)], official: [] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob'), oe.cancelled(), oe.rejected('alice')] });
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
  });
});
