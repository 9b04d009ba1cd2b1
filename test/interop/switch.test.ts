/**
 * Switching audio and video with Tencent's own client (trtc-calling-js 1.0.6, spec 2.6), both
 * ways: its request reaches ours and ours reaches it; the wire is Tencent's, message for message.
 */
import { describe, expect, it } from 'vitest';
import type { OursParty, Party } from './support/interopWorld';
import { DIRECTIONS, expectEvents, oe, useInterop, videoCall, videoCallWire } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();
const changed = (oldCallType: 1 | 2, newCallType: 1 | 2) => ({ name: 'onCallTypeChanged', payload: { oldCallType, newCallType } });

function split(alice: Party, bob: Party): { tencent: Party; ours: OursParty } {
  const [tencent, ours] = alice.kind === 'official' ? [alice, bob] : [bob, alice];
  if (ours.kind !== 'ours') throw new Error('unreachable');
  return { tencent, ours };
}

describe.each(DIRECTIONS)('switching with Tencent\'s client, $name', ({ caller, callee }) => {
  it('Tencent\'s party switchToAudioCall(), then switchToVideoCall() -> ours ACCEPTs each with the switch markers, its camera follows, CALL_TYPE_CHANGED each time; still connected', async () => {
    const { alice, bob } = await videoCall(t.world, caller, callee);
    expectWire(t.world.wire.take(), videoCallWire());
    const { tencent, ours } = split(alice, bob);
    if (tencent.kind !== 'official') throw new Error('unreachable');
    await t.world.act(tencent.calling.switchToAudioCall());
    // Past TSignaling's 30 s: an unanswered request would have ended Tencent's call by now.
    await t.world.advance(40 * S);
    expectEvents(ours, { ours: [changed(2, 1), oe.video(tencent.id, false)], official: [] });
    expectEvents(tencent, { ours: [], official: [oe.video(ours.id, false)] });
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 1, local: { camera: false } });
    expect([tencent.getCallStatus(), ours.getCallStatus()]).toEqual(['connected', 'connected']);
    tencent.calling.switchToVideoCall();
    await t.world.advance(40 * S);
    expectEvents(ours, { ours: [changed(1, 2), oe.video(tencent.id, true)], official: [] });
    expectEvents(tencent, { ours: [], official: [oe.video(ours.id, true)] });
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 2, local: { camera: true } });
    expect([tencent.getCallStatus(), ours.getCallStatus()]).toEqual(['connected', 'connected']);
    expectWire(t.world.wire.take(), [
      W.switchRequest(tencent.id, ours.id, { id: 'id2', room: 'room1', type: 2, to: 1 }),
      W.switchAccept(ours.id, { id: 'id2', inviter: tencent.id, type: 2 }),
      W.switchRequest(tencent.id, ours.id, { id: 'id3', room: 'room1', type: 1, to: 2 }),
      W.switchAccept(ours.id, { id: 'id3', inviter: tencent.id, type: 1 }),
    ]);
  });

  it('ours switchToAudioCall(), then switchToVideoCall() -> Tencent\'s party accepts each on its own and its camera follows; ours resolves each with CALL_TYPE_CHANGED', async () => {
    const { alice, bob } = await videoCall(t.world, caller, callee);
    expectWire(t.world.wire.take(), videoCallWire());
    const { tencent, ours } = split(alice, bob);
    await t.world.act(ours.calling.switchToAudioCall());
    expectEvents(ours, { ours: [changed(2, 1), oe.video(tencent.id, false)], official: [] });
    expectEvents(tencent, { ours: [], official: [oe.video(ours.id, false)] });
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 1, local: { camera: false } });
    await t.world.act(ours.calling.switchToVideoCall());
    expectEvents(ours, { ours: [changed(1, 2), oe.video(tencent.id, true)], official: [] });
    expectEvents(tencent, { ours: [], official: [oe.video(ours.id, true)] });
    await t.world.advance(40 * S);
    expect([tencent.getCallStatus(), ours.getCallStatus()]).toEqual(['connected', 'connected']);
    expectWire(t.world.wire.take(), [
      W.switchRequest(ours.id, tencent.id, { id: 'id2', room: 'room1', type: 2, to: 1 }),
      W.switchAccept(tencent.id, { id: 'id2', inviter: ours.id, type: 2 }),
      W.switchRequest(ours.id, tencent.id, { id: 'id3', room: 'room1', type: 1, to: 2 }),
      W.switchAccept(tencent.id, { id: 'id3', inviter: ours.id, type: 1 }),
    ]);
  });
});

// Requests that cross: Tencent's client takes ours at once (its request still out), so ours must
// take its request too, whichever inviteID sorts first; a refusal ended its call (its switch flag
// idle again by then, the REJECT read as the peer declining the call).
describe.each(DIRECTIONS)('switch requests that cross, $name', ({ caller, callee }) => {
  it.each([
    { order: 'ours sorts first', inviteIDs: 'low' },
    { order: "Tencent's sorts first", inviteIDs: 'high' },
  ] as const)('both switchToAudioCall() at once, $order -> each accepts the other\'s; one change each, ours resolves, still connected past 40 s', async ({ inviteIDs }) => {
    const { alice, bob } = await videoCall(t.world, caller, callee, { inviteIDs });
    t.world.wire.take();
    const { tencent, ours } = split(alice, bob);
    if (tencent.kind !== 'official') throw new Error('unreachable');
    const theirs = tencent.calling.switchToAudioCall();
    const mine = ours.calling.switchToAudioCall();
    await t.world.act(Promise.all([theirs, mine]));
    await t.world.advance(40 * S);
    expectEvents(ours, { ours: [changed(2, 1), oe.video(tencent.id, false)], official: [] });
    // Tencent's client reports our accept of its request as an accept naming itself (its quirk).
    expectEvents(tencent, { ours: [], official: [oe.accepted(tencent.id), oe.video(ours.id, false)] });
    expect(ours.calling.getSnapshot().call).toMatchObject({ callType: 1, local: { camera: false } });
    expect([tencent.getCallStatus(), ours.getCallStatus()]).toEqual(['connected', 'connected']);
    // Two requests (actionType 1), then two accepts (3): no REJECT (2)
    expect(t.world.wire.take().map((m) => [m.from, m.envelope['actionType']])).toEqual([[tencent.id, 1], [ours.id, 1], [ours.id, 3], [tencent.id, 3]]);
  });
});
