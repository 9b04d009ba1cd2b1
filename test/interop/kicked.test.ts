/**
 * A second login of the callee, mid-call, kicks the first session (TIM's default policy, the
 * fake IM's too), between Tencent's client and ours, both directions. Ours: KICKED_OUT, then the
 * call's one CALL_END (kickedOut), and it leaves the room, so the caller gets USER_LEAVE and its
 * CALL_END. Tencent's: KICKED_OUT only; it stays in the TRTC room (spec 3.2), so the call goes on
 * with a session that can no longer signal, until the other side hangs up. The new session rings
 * nothing: TSignaling's replay (and ours) skip an invite already answered.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { DIRECTIONS, expectEvents, oe, useInterop, videoCall, videoCallWire } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();

describe.each(DIRECTIONS)('kicked out, $name', ({ caller, callee }) => {
  it('Alice and Bob in a call; Bob logs in elsewhere -> the first Bob is kicked out (ours: CALL_END kickedOut; Alice USER_LEAVE, CALL_END); the new one only gets SDK_READY; Alice hangup()', async () => {
    const { alice, bob } = await videoCall(t.world, caller, callee);
    expectWire(t.world.wire.take(), videoCallWire());
    const elsewhere = await t.world.party(callee, 'bob', { login: false });
    await t.world.act(elsewhere.login(), 100);
    await t.world.advance(2 * S);
    expectEvents(bob, { ours: [ev.kicked('multipleAccount'), ev.end('alice', 'kickedOut', 1)], official: [oe.kicked()] });
    expectEvents(elsewhere, { ours: [ev.ready()], official: [oe.ready()] });
    expectEvents(alice, { ours: [], official: [oe.leave('bob'), oe.end('alice', 1)] });
    expectWire(t.world.wire.take(), bob.kind === 'ours' ? [W.hangup('alice', 'bob', { id: 'id2', type: 2, callEnd: 1 })] : []);
    await t.world.advance(40 * S);
    expect([...alice.take(), ...bob.take(), ...elsewhere.take()]).toEqual([]);
    expect(t.world.wire.take()).toEqual([]);
    // Alice hangs up. Tencent's kicked Bob is still in the room, so her call was still up: it
    // ends now. That Bob sees her leave, cannot send its hangup (its TIM session is gone: an
    // unhandled rejection inside Tencent's client) and so never gets its CALL_END.
    await t.world.act(alice.hangup());
    expectEvents(alice, { ours: [ev.end('alice', 'hangup', 43)], official: [] });
    expectEvents(bob, { ours: [], official: [oe.leave('alice')] });
    expectEvents(elsewhere, { ours: [], official: [] });
    expect(t.world.wire.take()).toEqual([]);
    const unhandled = t.world.unhandled.splice(0);
    expect(unhandled).toEqual(bob.kind === 'official' ? [expect.objectContaining({ code: 6014, message: 'SDK is not ready' })] : []);
  });
});
