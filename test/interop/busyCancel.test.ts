/**
 * A CANCEL crossing a busy answer: Bob is in a call with Carol, Alice calls him, his client answers
 * busy (a REJECT marked `line_busy`) and Alice hangs up at that moment: her CANCEL and his REJECT
 * cross on the wire. Each of Alice and Bob ours or trtc-calling-js 1.0.6's, Carol the other kind
 * from Bob's; both orders of landing, held by the fake IM (`hold`): the CANCEL lands at Bob before
 * the REJECT lands at Alice, or after it.
 *
 * What Tencent's client does there, between its own clients too (pinned here, ours tolerating it):
 * - Its Bob ends his call with Carol on that CANCEL (CALLING_CANCEL, then CALL_END from Carol's
 *   hangup notice): it passes every C2C CANCEL up as its own call's, whatever the inviteID (the same
 *   quirk as in glare.test.ts). Nothing the caller can prevent: she cancels before she knows Bob is
 *   busy, as Tencent's caller does. Our Carol hears USER_LEAVE and CALL_END and is free.
 *   Having reset that call himself, his next call is not ended when the other side leaves (its known
 *   quirk after a call it ended itself, officialQuirks.test.ts): he stays 'connected' until his own
 *   hangup().
 * - Its Alice hears LINE_BUSY after her hangup() (the REJECT of the invite she cancelled), and no
 *   CALL_END. Its hangup() leaves its room before it cancels: unheld, the busy answer lands in
 *   that time and no CANCEL goes out at all (the last test).
 * Ours: Alice's call ends `cancelled`, nothing after it; Bob answers busy, ignores the CANCEL and
 * talks on with Carol. Both lines free once Carol hangs up, and a next call connects.
 *
 * Two more of the kind: Bob busy because Dave's call rings him (ours rings on and can answer it;
 * Tencent's stops ringing on the CANCEL, its accept() then sends nothing, its invite timer runs
 * out at 30 s), and Alice calling Dave before the stale busy REJECT lands (ours' call to Dave goes
 * on; Tencent's Alice takes the REJECT as Dave's call's, LINE_BUSY, leaves, and Dave's accept finds
 * her gone: Dave alone in the room).
 */
import { describe, expect, it } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { ev } from '../support/ev';
import type { Kind, Party } from './support/interopWorld';
import { expectEvents, oe, useInterop } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();

const actionOf = (data: string) => (JSON.parse(data) as { actionType: number }).actionType;
const CANCEL = 2;
const REJECT = 4;

/** Lets the clock run 1 ms at a time until `from` has sent a message of `actionType` since `since`. */
async function untilSent(from: string, actionType: number, since: number): Promise<void> {
  for (let ms = 0; ms < 5 * S; ms++) {
    if (t.world.im.log.slice(since).some((m) => m.from === from && actionOf(m.payload.data) === actionType)) return;
    await t.world.advance(1);
  }
  throw new Error(`${from} sent no message of action ${actionType}`);
}

/** Carol audio-calls Bob, Bob accepts: the call that makes Bob busy. */
async function bobBusyWithCarol(caller: Kind, callee: Kind): Promise<{ alice: Party; bob: Party; carol: Party }> {
  const alice = await t.world.party(caller, 'alice');
  const bob = await t.world.party(callee, 'bob');
  const carol = await t.world.party(callee === 'ours' ? 'official' : 'ours', 'carol');
  await t.world.act(carol.call('bob', 1));
  await t.world.act(bob.accept());
  await t.world.advance(2 * S);
  for (const p of [alice, bob, carol]) p.take();
  expectWire(t.world.wire.take(), [
    W.invite('carol', 'bob', { id: 'id1', room: 'room1', type: 1, invitees: ['bob'], userIDs: ['bob'] }),
    W.accept('bob', { id: 'id1', inviter: 'carol', type: 1 }),
  ]);
  return { alice, bob, carol };
}

const COMBOS = [
  { caller: 'ours', callee: 'ours' },
  { caller: 'ours', callee: 'official' },
  { caller: 'official', callee: 'ours' },
  { caller: 'official', callee: 'official' },
] as const satisfies readonly { caller: Kind; callee: Kind }[];

const ORDERS = [
  { order: 'the CANCEL lands at Bob first', cancelFirst: true, callEnd: 3 },
  { order: 'the busy REJECT lands at Alice first', cancelFirst: false, callEnd: 4 },
] as const;

describe.each(COMBOS)("Alice ($caller) calls Bob ($callee), busy with Carol; her hangup()'s CANCEL crosses his busy REJECT", ({ caller, callee }) => {
  it.each(ORDERS)('$order -> Alice ends (ours: cancelled), ours Bob talks on, both free after; a next call connects', async ({ cancelFirst, callEnd }) => {
    const { alice, bob, carol } = await bobBusyWithCarol(caller, callee);
    const since = t.world.im.log.length;
    const busyAnswer = t.world.im.hold((m) => m.from === 'bob' && m.to === 'alice' && actionOf(m.data) === REJECT);
    const cancel = cancelFirst ? undefined : t.world.im.hold((m) => m.from === 'alice' && actionOf(m.data) === CANCEL);
    const calling = alice.call('bob', 2);
    await untilSent('bob', REJECT, since);
    const hangingUp = alice.hangup();
    await untilSent('alice', CANCEL, since);
    if (cancel) {
      busyAnswer.release();
      await t.world.advance(S);
      cancel.release();
    } else {
      await t.world.advance(S);
      busyAnswer.release();
    }
    await t.world.act(Promise.all([calling, hangingUp]), 3 * S);

    // Our Carol's hangup notice files itself under her call's inviteID (HANGUP_SUFFIX).
    const carolHangsUp = W.hangup('carol', 'bob', { id: `id1${HANGUP_SUFFIX}`, type: 1, callEnd });
    expectWire(t.world.wire.take(), [
      W.invite('alice', 'bob', { id: 'id2', room: 'room2', type: 2, invitees: ['bob'], userIDs: ['bob'] }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
      W.cancel('alice', { id: 'id2', type: 2, invitees: ['bob'] }),
      // Tencent's Bob left Carol's room on the CANCEL; Carol, the one left, sends the hangup.
      ...(bob.kind === 'official' ? [carolHangsUp] : []),
    ]);
    expectEvents(alice, { ours: [ev.end('alice', 'cancelled', 0)], official: [oe.busy('alice', 'bob')] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob'), oe.cancelled(), oe.end('carol', callEnd)] });
    expectEvents(carol, { ours: [ev.leave('bob'), ev.end('carol', 'hangup', callEnd)], official: [] });
    const talking = bob.kind === 'ours' ? 'connected' : 'idle';
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', talking, talking]);
    if (alice.kind === 'ours') expect(alice.dropped).toEqual([]);

    // Nothing more: no timer of the cancelled call fires, nobody hears of it again.
    await t.world.advance(40 * S);
    for (const p of [alice, bob, carol]) expectEvents(p, { ours: [], official: [] });
    expect(t.world.wire.take()).toEqual([]);

    if (bob.kind === 'ours') {
      await t.world.act(carol.hangup());
      expectEvents(bob, { ours: [ev.leave('carol'), ev.end('carol', 'hangup')], official: [] });
      expectEvents(carol, { ours: [], official: [oe.end('bob', expect.any(Number))] });
      t.world.wire.take();
    }
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'idle', 'idle']);

    await t.world.act(alice.call('bob', 2));
    await t.world.act(bob.accept());
    expectEvents(alice, { ours: [ev.accepted('bob'), ...ev.arrives('bob')], official: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob')] });
    expectEvents(bob, { ours: [ev.invited('alice', ['bob']), ...ev.arrives('alice')], official: [oe.invited('alice', ['bob']), ...oe.arrives('alice')] });
    await t.world.act(alice.hangup(), 3 * S);
    if (bob.kind === 'ours') {
      expectEvents(alice, { ours: [ev.end('alice', 'hangup')], official: [oe.end('bob', expect.any(Number))] });
      expectEvents(bob, { ours: [ev.leave('alice'), ev.end('alice', 'hangup')], official: [] });
    } else {
      // Tencent's quirk after a call it reset itself: the other side's leaving does not end this one.
      expectEvents(alice, { ours: [ev.end('alice', 'hangup')], official: [] });
      expectEvents(bob, { ours: [], official: [oe.leave('alice')] });
      expect(bob.getCallStatus()).toBe('connected');
      await t.world.act(bob.hangup());
      expectEvents(bob, { ours: [], official: [] });
    }
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
  });
});

describe("Tencent's Alice hangs up as the busy answer is on its way, unheld: it lands while she leaves her room", () => {
  it.each(['ours', 'official'] as Kind[])('Bob %s -> no CANCEL goes out; Alice hears LINE_BUSY; Bob talks on with Carol', async (callee) => {
    const { alice, bob, carol } = await bobBusyWithCarol('official', callee);
    const since = t.world.im.log.length;
    const calling = alice.call('bob', 2);
    await untilSent('alice', 1, since);
    await t.world.act(Promise.all([calling, alice.hangup()]), 3 * S);
    expectWire(t.world.wire.take(), [
      W.invite('alice', 'bob', { id: 'id2', room: 'room2', type: 2, invitees: ['bob'], userIDs: ['bob'] }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
    ]);
    expectEvents(alice, { ours: [], official: [oe.busy('alice', 'bob')] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob')] });
    expectEvents(carol, { ours: [], official: [] });
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'connected', 'connected']);
  });
});

/** Alice's call answered busy, her hangup()'s CANCEL crossing the answer (the REJECT held until the CANCEL landed). */
async function cancelCrossingBusy(alice: Party, since: number): Promise<void> {
  const busyAnswer = t.world.im.hold((m) => m.from === 'bob' && m.to === 'alice' && actionOf(m.data) === REJECT);
  const calling = alice.call('bob', 2);
  await untilSent('bob', REJECT, since);
  const hangingUp = alice.hangup();
  await untilSent('alice', CANCEL, since);
  await t.world.advance(S);
  busyAnswer.release();
  await t.world.act(Promise.all([calling, hangingUp]), 3 * S);
}

describe.each(COMBOS)("Alice ($caller) calls Bob ($callee) while Dave's call rings him; her CANCEL crosses his busy REJECT", ({ caller, callee }) => {
  it('ours Bob rings on and can answer Dave; Tencent\'s Bob stops ringing on the CANCEL, answers nothing, times out at 30 s', async () => {
    const alice = await t.world.party(caller, 'alice');
    const bob = await t.world.party(callee, 'bob');
    const dave = await t.world.party(callee === 'ours' ? 'official' : 'ours', 'dave');
    await t.world.act(dave.call('bob', 1));
    expectEvents(bob, { ours: [ev.invited('dave', ['bob'], { callType: 1 })], official: [oe.invited('dave', ['bob'], { callType: 1 })] });
    await cancelCrossingBusy(alice, t.world.im.log.length);
    const daveInvite = { id: 'id1', room: 'room1', type: 1, invitees: ['bob'], userIDs: ['bob'] } as const;
    expectWire(t.world.wire.take(), [
      W.invite('dave', 'bob', daveInvite),
      W.invite('alice', 'bob', { id: 'id2', room: 'room2', type: 2, invitees: ['bob'], userIDs: ['bob'] }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
      W.cancel('alice', { id: 'id2', type: 2, invitees: ['bob'] }),
    ]);
    expectEvents(alice, { ours: [ev.end('alice', 'cancelled', 0)], official: [oe.busy('alice', 'bob')] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob'), oe.cancelled()] });
    expectEvents(dave, { ours: [], official: [] });
    // Tencent's caller is 'connected' once in its room, before any answer.
    expect([alice.getCallStatus(), bob.getCallStatus(), dave.getCallStatus()]).toEqual(['idle', bob.kind === 'ours' ? 'calling' : 'idle', dave.kind === 'ours' ? 'calling' : 'connected']);

    await t.world.act(bob.accept(), 2 * S);
    await t.world.advance(40 * S);
    if (bob.kind === 'ours') {
      expectWire(t.world.wire.take(), [W.accept('bob', { id: 'id1', inviter: 'dave', type: 1 })]);
      expectEvents(bob, { ours: ev.arrives('dave', false), official: [] });
      expectEvents(dave, { ours: [], official: [oe.audio('bob', true), oe.accepted('dave'), oe.enter('bob')] });
      expect([bob.getCallStatus(), dave.getCallStatus()]).toEqual(['connected', 'connected']);
    } else {
      // Its accept() resolves and sends nothing; its invite timer still runs out.
      expectWire(t.world.wire.take(), [W.timeout('bob', { id: 'id1', inviter: 'dave', invitees: ['bob'], invite: daveInvite })]);
      expectEvents(bob, { ours: [], official: [oe.timedOut('dave', ['bob']), oe.end('dave', 0)] });
      expectEvents(dave, { ours: [ev.noResp('bob', 'dave'), ev.end('dave', 'noResponse', 0)], official: [] });
      expect([bob.getCallStatus(), dave.getCallStatus()]).toEqual(['idle', 'idle']);
    }
    expectEvents(alice, { ours: [], official: [] });
  });
});

describe.each(COMBOS)('Alice ($caller) cancels crossing busy Bob ($callee), then calls Dave before the stale busy REJECT lands', ({ caller, callee }) => {
  it("ours Alice's call to Dave goes on (the REJECT names the cancelled call); Tencent's Alice takes it as Dave's: LINE_BUSY, and she drops the call", async () => {
    const { alice, bob, carol } = await bobBusyWithCarol(caller, callee);
    const dave = await t.world.party(caller, 'dave');
    const since = t.world.im.log.length;
    const busyAnswer = t.world.im.hold((m) => m.from === 'bob' && m.to === 'alice' && actionOf(m.data) === REJECT);
    const calling = alice.call('bob', 2);
    await untilSent('bob', REJECT, since);
    await t.world.act(Promise.all([calling, alice.hangup()]), S);
    const callingDave = alice.call('dave', 2);
    for (let ms = 0; ms < 5 * S && !t.world.im.log.slice(since).some((m) => m.to === 'dave'); ms++) await t.world.advance(1);
    busyAnswer.release();
    await t.world.act(callingDave, 3 * S);
    expectEvents(alice, { ours: [ev.end('alice', 'cancelled', 0)], official: [oe.busy('alice', 'bob')] });
    expectEvents(dave, { ours: [ev.invited('alice', ['dave'])], official: [oe.invited('alice', ['dave'])] });
    expect([alice.getCallStatus(), dave.getCallStatus()]).toEqual([alice.kind === 'ours' ? 'calling' : 'idle', 'calling']);

    await t.world.act(dave.accept(), 2 * S);
    await t.world.advance(40 * S);
    expectEvents(alice, { ours: [ev.accepted('dave'), ...ev.arrives('dave')], official: [oe.accepted('alice')] });
    expectEvents(dave, { ours: ev.arrives('alice'), official: [] });
    // Tencent's Dave is alone in the room: Alice left it on the stale REJECT.
    expect([alice.getCallStatus(), dave.getCallStatus()]).toEqual([alice.kind === 'ours' ? 'connected' : 'idle', 'connected']);
    // Alice's wire (Bob's call with Carol, and how it ends, as in the first tests).
    expectWire(t.world.wire.take().filter((e) => e.from === 'alice' || e.to === 'alice'), [
      W.invite('alice', 'bob', { id: 'id2', room: 'room2', type: 2, invitees: ['bob'], userIDs: ['bob'] }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 2, busy: true }),
      W.cancel('alice', { id: 'id2', type: 2, invitees: ['bob'] }),
      W.invite('alice', 'dave', { id: 'id3', room: 'room3', type: 2, invitees: ['dave'], userIDs: ['dave'] }),
      W.accept('dave', { id: 'id3', inviter: 'alice', type: 2 }),
    ]);
    for (const p of [bob, carol]) p.take();
  });
});
