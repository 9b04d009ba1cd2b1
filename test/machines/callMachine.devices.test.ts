/**
 * callMachine, many devices: Bob is rung by Alice's `inv-5` on this device while another device
 * of his answers. The IM hands a device what its user's other devices send (from: 'bob').
 */
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../machines/callModel';
import { OTHER_DEVICE_IN_ROOM, type RoomSignal } from '../../machines/events';
import { calleeInput, callerInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const exit = out.room({ type: 'room.exit', roomID: 42 });
/** Over before this device answered: the room may drop what it kept for the invitation. */
const forget = out.room({ type: 'room.forget', roomID: 42 });
const done = (reason: NonNullable<CallContext['reason']>) => ({ done: { inviteID: 'inv-5', reason } });
const callEnd = (reason: NonNullable<CallContext['reason']>) =>
  out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason, callEnd: 0 });

function ringing() {
  const h = startCall(calleeInput());
  h.take();
  return h;
}

function accepting() {
  const h = ringing();
  h.send(cmd.accept(1));
  h.take();
  return h;
}

describe('callMachine callee, many devices', () => {
  it("ringing; Bob's other device ACCEPTs inv-5 -> stops ringing: CALL_END answeredElsewhere, nothing sent, never enters the room", () => {
    const h = ringing();
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([callEnd('answeredElsewhere'), forget, done('answeredElsewhere')]);
  });

  it("ringing; Bob's other device REJECTs inv-5 -> rejected for all: CALL_END rejected, nothing sent", () => {
    const h = ringing();
    h.send(im.rejected('bob'));
    expect(h.take()).toEqual([callEnd('rejected'), forget, done('rejected')]);
  });

  it("ringing; Bob's other device answers BUSY (it is in a call) -> still ringing: this device may answer", () => {
    const h = ringing();
    h.send(im.rejected('bob', true));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
  });

  it("ringing; Bob's other device accepts another invite (inv-4), or Carol accepts -> still ringing", () => {
    const h = ringing();
    h.send(im.accepted('bob', { inviteID: 'inv-4' }));
    h.send(im.accepted('carol', { invitee: 'bob' }));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
  });

  it('both accepted; the other device was first (its ACCEPT comes while we enter) -> ending answeredElsewhere, no REJECT; exited -> CALL_END', () => {
    const h = accepting();
    h.send(im.accepted('bob'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual([callEnd('answeredElsewhere'), done('answeredElsewhere')]);
  });

  it('both accepted; the other device was first (its ACCEPT comes once we are in the room) -> ending answeredElsewhere', () => {
    const h = accepting();
    h.send(rm.entered());
    h.take();
    h.send(im.accepted('bob'));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('answeredElsewhere');
    expect(h.take()).toEqual([exit]);
  });

  it('we accepted; the other device rejected first -> ending rejected, no REJECT of ours', () => {
    const h = accepting();
    h.send(im.rejected('bob'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([exit]);
  });

  it("caller Alice: an ACCEPT from herself (her other device answering someone else's call) -> nothing for her call", () => {
    const h = startCall(callerInput());
    h.take();
    h.send(im.accepted('alice', { invitee: 'alice' }));
    expect(h.value()).toBe('dialing');
  });
});

describe('callMachine callee, many devices: a device that goes away while ringing', () => {
  it('one of many devices whose IM holds busy answers logs out while ringing (call.terminate hangup) -> a BUSY answer for itself, not a REJECT for all; ended, no CALL_END', () => {
    const h = startCall(calleeInput({ multiDevice: true, busyHeld: true }));
    h.take();
    h.send({ type: 'call.terminate', reason: 'hangup', at: 0 });
    expect(h.take()).toEqual([
      out.im({ type: 'im.send', to: { users: ['alice'] }, signal: { kind: 'reject', inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', busy: true }, onlineUserOnly: false }),
      forget, done('hangup'),
    ]);
  });

  it('one of many devices whose IM holds nothing (Tencent) logs out while ringing -> says nothing (the others ring on); ended, no CALL_END', () => {
    const h = startCall(calleeInput({ multiDevice: true }));
    h.take();
    h.send({ type: 'call.terminate', reason: 'hangup', at: 0 });
    expect(h.take()).toEqual([forget, done('hangup')]);
  });
});

describe('callMachine, many devices: an invite from the peer of our call (another device of hers dials us)', () => {
  // It comes to the call (a possible glare), not to the line's busy rule: the call keeps that rule.
  const busy = out.im({ type: 'im.send', to: { users: ['alice'] }, signal: { kind: 'reject', inviteID: 'inv-7', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob', busy: true }, onlineUserOnly: false });
  it.each([
    ['one device -> a BUSY answer', {}, [busy]],
    ['one of many devices whose IM holds busy answers -> a BUSY answer (held until every device is busy)', { multiDevice: true, busyHeld: true }, [busy]],
    ['one of many devices whose IM holds nothing (Tencent) -> says nothing: another device of ours may ring and answer', { multiDevice: true }, []],
  ])('ringing; %s', (_, devices, expected) => {
    const h = startCall(calleeInput(devices));
    h.take();
    h.send(im.invited('alice', { inviteID: 'inv-7', invitees: ['bob'], roomID: 43 }));
    expect(h.take()).toEqual(expected);
    expect(h.value()).toBe('ringing');
  });
});

describe('callMachine callee, many devices: the room decides between two accepts', () => {
  it('we accepted; the room refuses us, another device of ours is in it (OTHER_DEVICE_IN_ROOM) -> ended answeredElsewhere: no REJECT, no ERROR', () => {
    const h = accepting();
    h.send({ ...rm.enterFailed(), error: { code: OTHER_DEVICE_IN_ROOM, message: 'another device of bob is in room 42' } } as RoomSignal);
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([callEnd('answeredElsewhere'), done('answeredElsewhere')]);
  });
});
