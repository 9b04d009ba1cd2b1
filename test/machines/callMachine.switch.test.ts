/**
 * callMachine: switching a 1v1 call between audio and video (spec 2.6). Bob (callee) in a video
 * call with Alice, run under `startCall` on a `SimulatedClock`; the whole ordered log of
 * requests and notices is asserted.
 */
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../machines/callModel';
import type { ImSignal } from '../../machines/events';
import type { CallType, SwitchSignal } from '../../machines/types';
import { calleeInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const sw = (id: number, to: CallType, inviteID = 'sw-b'): CallEvent => ({ type: 'call.switch', id, at: 0, to, inviteID });
const request = (to: CallType, inviteID: string, callType: CallType = 2): SwitchSignal => ({ kind: 'switch', inviteID, inviter: 'bob', groupID: '', callType, invitees: ['alice'], roomID: 42, to });
const toAlice = (signal: Parameters<typeof out.im>[0] extends infer R ? (R extends { signal: infer S } ? S : never) : never) =>
  out.im({ type: 'im.send', to: { users: ['alice'] }, signal, onlineUserOnly: false });
const theirRequest = (to: CallType, inviteID: string, callType: CallType = 2): ImSignal => ({
  type: 'im.switchRequested',
  from: 'alice',
  age: 0,
  at: 0,
  signal: { kind: 'switch', inviteID, inviter: 'alice', groupID: '', callType, invitees: ['bob'], roomID: 42, to },
});
const changed = (oldCallType: CallType, newCallType: CallType) => out.notice({ type: 'call.typeChanged', inviteID: 'inv-5', oldCallType, newCallType });
const cameraOff = out.room({ type: 'room.setCamera', roomID: 42, commandId: -1, on: false });
const refusedBy = (commandId: number, code: number, reason: string) => out.notice({ type: 'command.settled', commandId, error: { code, reason, kind: 'refused' } });

/** Bob in a video call with Alice. */
function talking() {
  const h = startCall(calleeInput());
  h.send(cmd.accept(1));
  h.send(rm.entered());
  h.send(rm.arrived('alice', 1_000));
  h.take();
  return h;
}

describe('callMachine: Bob asks to switch', () => {
  it('switchToAudioCall() -> the request to Alice, the line told its inviteID, a switch actor; her ACCEPT -> camera off, CALL_TYPE_CHANGED, settled', () => {
    const h = talking();
    h.send(sw(7, 1));
    expect(h.take()).toEqual([toAlice(request(1, 'sw-b')), { parent: { type: 'call.merged', inviteID: 'sw-b' } }]);
    expect(h.call.getSnapshot().children['switch']?.getSnapshot().value).toBe('requested');
    h.send(im.accepted('alice', { inviteID: 'sw-b', inviter: 'bob', invitee: 'alice', switchTo: 1 }));
    expect(h.take()).toEqual([cameraOff, changed(2, 1), out.settled(7)]);
    expect(h.context()).toMatchObject({ callType: 1, camera: false, switching: null });
    expect(h.call.getSnapshot().children['switch']).toBeUndefined();
  });

  it("Alice's REJECT -> refused with 60001, the call keeps its type", () => {
    const h = talking();
    h.send(sw(7, 1));
    h.take();
    h.send(im.rejected('alice', false, { inviteID: 'sw-b', inviter: 'bob', invitee: 'alice' }));
    expect(h.take()).toEqual([refusedBy(7, 60001, 'the peer refused the switch')]);
    expect(h.context()).toMatchObject({ callType: 2, camera: true, switching: null });
  });

  it('no answer: nothing at 34.999 s; at 35 s refused with 60001; a later ACCEPT changes nothing', () => {
    const h = talking();
    h.send(sw(7, 1));
    h.take();
    h.clock.increment(34_999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.take()).toEqual([refusedBy(7, 60001, 'the peer did not answer the switch request')]);
    h.send(im.accepted('alice', { inviteID: 'sw-b', inviter: 'bob', invitee: 'alice', switchTo: 1 }));
    expect(h.take()).toEqual([]);
    expect(h.context().callType).toBe(2);
  });

  it('a REJECT or ACCEPT from someone else (not the peer) -> ignored', () => {
    const h = talking();
    h.send(sw(7, 1));
    h.take();
    h.send({ ...im.accepted('carol', { inviteID: 'sw-b', inviter: 'bob', invitee: 'carol', switchTo: 1 }) });
    h.send(im.rejected('carol', false, { inviteID: 'sw-b', inviter: 'bob', invitee: 'carol' }));
    expect(h.take()).toEqual([]);
    expect(h.context().switching).not.toBeNull();
  });

  it('a hang-up crosses the request: Alice leaves -> the switch is refused as "the call ended", then CALL_END', () => {
    const h = talking();
    h.send(sw(7, 1));
    h.take();
    h.send(rm.left('alice', 2_000));
    const log = h.take();
    expect(log.filter((o) => 'notice' in o && o.notice.type === 'command.settled')).toEqual([out.refused(7, 'the call ended before the switch was answered')]);
    expect(h.call.getSnapshot().children['switch']).toBeUndefined();
    expect(log.some((o) => 'notice' in o && o.notice.type === 'call.typeChanged')).toBe(false);
  });

  // Whichever sorts first: a peer of Tencent's has accepted ours by the time its request reaches
  // us, and would end the call on a REJECT of its own (its switch flag is idle again by then).
  it('crossing requests, ours lower (sw-a < sw-b): we ACCEPT hers all the same and switch; ours resolves (same target); her later ACCEPT of ours changes nothing', () => {
    const h = talking();
    h.send(sw(7, 1, 'sw-a'));
    h.take();
    h.send(theirRequest(1, 'sw-b'));
    expect(h.take()).toEqual([
      toAlice({ kind: 'accept', inviteID: 'sw-b', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', switchTo: 1 }),
      cameraOff,
      changed(2, 1),
      out.settled(7),
    ]);
    h.send(im.accepted('alice', { inviteID: 'sw-a', inviter: 'bob', invitee: 'alice', switchTo: 1 }));
    expect(h.take()).toEqual([]);
    expect(h.context()).toMatchObject({ callType: 1, camera: false, switching: null });
  });

  // Alice asks for video as we ask for audio: she had taken ours (her ACCEPT lost on the way) and is on
  // audio, or the two sides disagreed before: we take hers, the type she has or will have.
  it.each(['sw-a', 'sw-c'])('a request for the other type while ours is out (hers %s) -> we take hers: the call stays video; ours rejects with 60001', (theirs) => {
    const h = talking();
    h.send(sw(7, 1, 'sw-b'));
    h.take();
    h.send(theirRequest(2, theirs, 1));
    expect(h.take()).toEqual([
      toAlice({ kind: 'accept', inviteID: theirs, inviter: 'alice', groupID: '', callType: 1, invitee: 'bob', switchTo: 2 }),
      refusedBy(7, 60001, "the peer's own switch request crossed ours and went elsewhere"),
    ]);
    expect(h.context()).toMatchObject({ callType: 2, switching: null });
  });
});

describe('callMachine: Alice asks to switch', () => {
  it('her request -> ACCEPT with the switch markers, camera off, CALL_TYPE_CHANGED', () => {
    const h = talking();
    h.send(theirRequest(1, 'sw-1'));
    expect(h.take()).toEqual([
      toAlice({ kind: 'accept', inviteID: 'sw-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', switchTo: 1 }),
      cameraOff,
      changed(2, 1),
    ]);
  });

  it('while still ringing -> accepted; the invitation becomes an audio call and is answered as one', () => {
    const h = startCall(calleeInput());
    h.take();
    h.send(theirRequest(1, 'sw-1'));
    expect(h.take()).toEqual([
      toAlice({ kind: 'accept', inviteID: 'sw-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', switchTo: 1 }),
      changed(2, 1),
    ]);
    h.send(cmd.accept(1));
    expect(h.take()).toEqual([out.settled(1), out.room({ type: 'room.enter', roomID: 42, userID: 'bob', video: false, audioMuted: false, participants: ['alice', 'bob'] })]);
  });

  it('in a group call -> REJECTed, nothing changes', () => {
    const h = startCall(calleeInput({ isGroup: true, invitees: ['bob', 'carol'] }));
    h.take();
    h.send(theirRequest(1, 'sw-1'));
    expect(h.take()).toEqual([toAlice({ kind: 'reject', inviteID: 'sw-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', busy: false })]);
    expect(h.context().callType).toBe(2);
  });
});
