/**
 * In a 1v1 video call between Tencent's client and ours (both directions), each side turns its
 * camera and microphone off and on: what the other side sees. Media changes are TRTC events,
 * so nothing goes on the IM wire. Tencent's client keeps its quirk: `openCamera()` after
 * `closeCamera()` in a video call does nothing (its `unMuteLocalVideo` re-adds the muted track it
 * still has, which is a no-op), so its camera stays off.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import type { Ev, Party } from './support/interopWorld';
import { DIRECTIONS, expectEvents, oe, useInterop, videoCall, videoCallWire } from './support/suite';
import { expectWire } from './support/wire';

const t = useInterop();

/** `actor` does `action`: `other` sees `sees` (as its kind reports it), `actor` itself nothing. */
async function change(actor: Party, action: Promise<unknown>, other: Party, sees: { readonly ours: Ev[]; readonly official: Ev[] }) {
  await t.world.act(action);
  expectEvents(other, sees);
  expectEvents(actor, { ours: [], official: [] });
}

const none = { ours: [], official: [] };

describe.each(DIRECTIONS)('camera and microphone, $name', ({ caller, callee }) => {
  it('Bob, then Alice: closeCamera(), openCamera(), setMicMute(true), setMicMute(false) -> the other sees each change (Tencent\'s camera stays off once closed)', async () => {
    const { alice, bob } = await videoCall(t.world, caller, callee);
    expectWire(t.world.wire.take(), videoCallWire());
    for (const [actor, other] of [[bob, alice], [alice, bob]] as const) {
      const who = actor.id;
      await change(actor, actor.closeCamera(), other, { ours: [ev.video(who, false)], official: [oe.video(who, false)] });
      await change(actor, actor.openCamera(), other, actor.kind === 'official' ? none : { ours: [ev.video(who, true)], official: [oe.video(who, true)] });
      await change(actor, actor.setMicMute(true), other, { ours: [ev.audio(who, false)], official: [oe.audio(who, false)] });
      await change(actor, actor.setMicMute(false), other, { ours: [ev.audio(who, true)], official: [oe.audio(who, true)] });
    }
    expect(t.world.wire.take()).toEqual([]);
  });
});
