/**
 * callMachine, callee side: Bob is rung by Alice's `inv-5` (room 42, 30 s).
 * Run under `startCall` on a `SimulatedClock` (see callMachine.caller.test.ts for why).
 */
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../machines/callModel';
import type { ImRequest } from '../../machines/events';
import { INVITE_DATA, calleeInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;
const toAlice = (signal: Extract<ImRequest, { type: 'im.send' }>['signal']) =>
  out.im({ type: 'im.send', to: { users: ['alice'] }, signal, onlineUserOnly: false });
const reject = (busy: boolean) => toAlice({ kind: 'reject', ...base, invitee: 'bob', busy });
const accept = toAlice({ kind: 'accept', ...base, invitee: 'bob' });
const enter = out.room({ type: 'room.enter', roomID: 42, userID: 'bob', video: true, audioMuted: false, participants: ['alice', 'bob'] });
const exit = out.room({ type: 'room.exit', roomID: 42 });
/** Over before Bob answered: the room may drop what it kept for the invitation. */
const forget = out.room({ type: 'room.forget', roomID: 42 });
const invited = out.notice({
  type: 'call.invited',
  inviteID: 'inv-5',
  sponsor: 'alice',
  userIDList: ['bob'],
  isFromGroup: false,
  callType: 2,
  roomID: 42,
});
const done = (reason: NonNullable<CallContext['reason']>) => ({ done: { inviteID: 'inv-5', reason } });
const callEnd = (reason: NonNullable<CallContext['reason']>, seconds = 0) =>
  out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason, callEnd: seconds });

function ringing(input = calleeInput()) {
  const h = startCall(input);
  h.take();
  return h;
}

/** Bob accepted and is entering the room. */
function accepting() {
  const h = ringing();
  h.send(cmd.accept(1));
  h.take();
  return h;
}

/** Bob in the call with Alice since t = 1 s. */
function talking() {
  const h = accepting();
  h.send(rm.entered());
  h.send(rm.arrived('alice', 1_000));
  h.take();
  return h;
}

describe('callMachine callee: ringing', () => {
  it('Alice invites Bob -> ringing, INVITED with the invitation', () => {
    const h = startCall(calleeInput());
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([invited]);
    expect(h.context()).toMatchObject({ roster: {}, answered: false, room: 'out' });
  });

  it.each([undefined, 'inv-5'])('Bob accept(inviteID %s) -> settled, room entered, accepting; room.entered -> inCall (alone until Alice shows), ACCEPT sent', (inviteID) => {
    const h = ringing();
    h.send(cmd.accept(1, inviteID));
    expect(h.value()).toBe('accepting');
    expect(h.take()).toEqual([out.settled(1), enter]);
    h.send(rm.entered());
    expect(h.value()).toEqual({ inCall: 'alone' });
    expect(h.take()).toEqual([accept]);
  });

  it('a room failure or failed enter for its room while ringing (an earlier call in the same room: a group call inviting Bob back) -> still ringing, nothing told; accept then enters', () => {
    const h = ringing();
    h.send({ type: 'room.failed', roomID: 42, at: 0, error: { code: 65535, message: 'kicked' } });
    h.send(rm.enterFailed());
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
    h.send(cmd.accept(1));
    expect(h.take()).toEqual([out.settled(1), enter]);
    h.send(rm.entered());
    expect(h.take()).toEqual([accept]);
  });

  it('Bob accept(inviteID inv-4) -> refused, still ringing, nothing sent', () => {
    const h = ringing();
    h.send(cmd.accept(1, 'inv-4'));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([out.refused(1, 'inviteID does not match the ringing invitation')]);
  });

  it.each([false, true])('Bob reject(busy %s) -> settled, REJECT with that busy flag, ended, no CALL_END', (busy) => {
    const h = ringing();
    h.send(cmd.reject(2, busy));
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([out.settled(2), reject(busy), forget, done('rejected')]);
  });

  it('Bob reject(inviteID inv-4) -> refused, still ringing', () => {
    const h = ringing();
    h.send(cmd.reject(2, false, 'inv-4'));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([out.refused(2, 'inviteID does not match the ringing invitation')]);
  });

  it('Bob hangup() while ringing -> refused (reject() declines), still ringing', () => {
    const h = ringing();
    h.send(cmd.hangup(3));
    expect(h.take()).toEqual([out.refused(3, 'the call is ringing: use reject() to decline it')]);
    expect(h.value()).toBe('ringing');
  });

  it('Alice CANCEL -> CALLING_CANCEL, ended, no CALL_END', () => {
    const h = ringing();
    h.send(im.cancelled('alice', ['bob']));
    expect(h.take()).toEqual([out.notice({ type: 'call.cancelled', inviteID: 'inv-5', sponsor: 'alice' }), forget, done('cancelled')]);
  });

  it('a CANCEL from Carol (not the inviter) -> ignored, still ringing', () => {
    const h = ringing();
    h.send(im.cancelled('carol', ['bob']));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
  });

  it("Alice's hangup notice while ringing -> treated as a cancel", () => {
    const h = ringing();
    h.send(im.hungUp('alice', ['bob']));
    expect(h.take()).toEqual([out.notice({ type: 'call.cancelled', inviteID: 'inv-5', sponsor: 'alice' }), forget, done('cancelled')]);
  });

  it("Alice's TIMEOUT naming Bob -> CALLING_TIMEOUT, ended, nothing sent back", () => {
    const h = ringing();
    h.send(im.timedOut('alice', ['bob']));
    expect(h.take()).toEqual([
      out.notice({ type: 'call.timedOut', inviteID: 'inv-5', sponsor: 'alice', userIDList: ['bob'] }),
      forget, done('timeout'),
    ]);
  });

  it('invite 4 s old with timeout 30: nothing at 25.999 s; at 26 s TIMEOUT to alice, CALLING_TIMEOUT, ended', () => {
    const h = ringing(calleeInput({ age: 4_000 }));
    h.clock.increment(25_999);
    expect(h.value()).toBe('ringing');
    h.clock.increment(1);
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([
      // The notice repeats the invite's data as received, byte for byte (spec 1.6).
      toAlice({ kind: 'timeout', ...base, invitees: ['bob'], roomID: 42, rawData: INVITE_DATA }),
      out.notice({ type: 'call.timedOut', inviteID: 'inv-5', sponsor: 'alice', userIDList: ['bob'] }),
      forget, done('timeout'),
    ]);
  });

  it('timeout 0 -> rings for an hour, silent', () => {
    const h = ringing(calleeInput({ timeout: 0 }));
    h.clock.increment(3_600_000);
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
  });

  it('accept() stops the ring timer: 40 s pass while entering -> still accepting', () => {
    const h = accepting();
    h.clock.increment(40_000);
    expect(h.value()).toBe('accepting');
    expect(h.take()).toEqual([]);
  });

  it('logout while ringing (call.terminate hangup) -> REJECT sent, ended, no CALL_END', () => {
    const h = ringing();
    h.send({ type: 'call.terminate', reason: 'hangup', at: 0 });
    expect(h.take()).toEqual([reject(false), forget, done('hangup')]);
  });

  it('kicked out while ringing (call.terminate kickedOut) -> nothing sent (the IM session is gone), ended kickedOut, no CALL_END', () => {
    const h = ringing();
    h.send({ type: 'call.terminate', reason: 'kickedOut', at: 3_000 });
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([forget, done('kickedOut')]);
  });
});

describe('callMachine callee: accepting, in call, ending', () => {
  it('accept crossed cancel: CANCEL while entering -> ending cancelled; exited -> CALL_END cancelled 0', () => {
    const h = accepting();
    h.send(im.cancelled('alice', ['bob']));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual([callEnd('cancelled'), done('cancelled')]);
  });

  it('accept crossed cancel: CANCEL after our ACCEPT went out (inCall) -> ending cancelled', () => {
    const h = accepting();
    h.send(rm.entered());
    h.take();
    h.send(im.cancelled('alice', ['bob']));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('cancelled');
    expect(h.take()).toEqual([exit]);
  });

  it('Bob hangup() while entering -> settled, ending hangup; the REJECT (ACCEPT never went out) only once out of the room, so Alice hears of his entry first', () => {
    const h = accepting();
    h.send(cmd.hangup(3));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.settled(3), exit]);
    h.send(rm.exited());
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([reject(false), callEnd('hangup'), done('hangup')]);
  });

  it('Bob hangup() while entering, the room never confirms his exit (its port hangs or failed) -> the REJECT still goes, once exitTimeout ran out', () => {
    const h = accepting();
    h.send(cmd.hangup(3));
    h.take();
    h.clock.increment(4_999);
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([reject(false), callEnd('hangup'), done('hangup')]);
  });

  it('room.enterFailed while entering -> ERROR, REJECT, ended at once, CALL_END error', () => {
    const h = accepting();
    h.send(rm.enterFailed());
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([
      out.notice({ type: 'error', code: -1, message: 'no camera' }),
      reject(false),
      callEnd('error'),
      done('error'),
    ]);
  });

  it('closeCamera and setMicMute while entering -> the room told at once (a capture landing lands so), settled at once, published once in the room', () => {
    const h = accepting();
    h.send({ type: 'media.camera', id: 5, at: 0, on: false });
    h.send({ type: 'media.mic', id: 6, at: 0, muted: true });
    expect(h.take()).toEqual([
      out.room({ type: 'room.preset', roomID: 42, video: false, audioMuted: false }),
      out.settled(5),
      out.room({ type: 'room.preset', roomID: 42, video: false, audioMuted: true }),
      out.settled(6),
    ]);
    h.send(rm.entered());
    expect(h.take()).toEqual([
      out.room({ type: 'room.setCamera', roomID: 42, commandId: -1, on: false }),
      out.room({ type: 'room.setMic', roomID: 42, commandId: -1, muted: true }),
      accept,
    ]);
  });

  it("Alice's hangup notice naming Bob while talking -> ending hangup; exited at 11 s -> CALL_END", () => {
    const h = talking();
    h.send(im.hungUp('alice', ['bob'], 10, {}, 11_000));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual([callEnd('hangup', 10), done('hangup')]);
  });

  it('a hangup notice naming only Carol -> ignored, still talking', () => {
    const h = talking();
    h.send(im.hungUp('alice', ['carol']));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it('Alice leaves the room at 8 s (the last one) -> USER_LEAVE, HANGUP to alice with call_end 7, ending', () => {
    const h = talking();
    h.send(rm.left('alice', 8_000));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([
      out.notice({ type: 'call.userLeft', inviteID: 'inv-5', userID: 'alice' }),
      out.im({
        type: 'im.send',
        to: { users: ['alice'] },
        signal: { kind: 'hangup', ...base, inviter: 'bob', invitees: ['alice'], callEnd: 7 },
        onlineUserOnly: false,
      }),
      exit,
    ]);
    h.send(rm.exited());
    expect(h.take()).toEqual([callEnd('hangup', 7), done('hangup')]);
  });

  it('kicked out while talking (call.terminate kickedOut) -> ending kickedOut, nothing sent over IM', () => {
    const h = talking();
    h.send({ type: 'call.terminate', reason: 'kickedOut', at: 0 });
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual([callEnd('kickedOut', 0), done('kickedOut')]);
  });

  it('ended emits CALL_END only when answered: rejected -> none; accepted then hung up -> one', () => {
    const rejected = ringing();
    rejected.send(cmd.reject(2));
    expect(rejected.take().filter((o) => 'notice' in o && o.notice.type === 'call.ended')).toEqual([]);
    const answered = talking();
    answered.send(cmd.hangup(3, 4_000));
    answered.send(rm.exited());
    expect(answered.take().filter((o) => 'notice' in o && o.notice.type === 'call.ended')).toEqual([callEnd('hangup', 3)]);
  });
});

describe('callMachine callee: alone in the room (aloneTimeout, 30 s)', () => {
  /** Bob accepted and is in room 42 at t = 0; nobody else is. */
  function alone(input = calleeInput()) {
    const h = ringing(input);
    h.send(cmd.accept(1));
    h.send(rm.entered());
    h.take();
    return h;
  }

  it('Bob enters a room where nobody is -> alone; still alone at 29.999 s; at 30 s ending hangup, room.exit; exited -> CALL_END hangup 0', () => {
    const h = alone();
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(29_999);
    expect(h.value()).toEqual({ inCall: 'alone' });
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('hangup');
    expect(h.take()).toEqual([exit]);
    h.send(rm.exited(30_100));
    expect(h.take()).toEqual([callEnd('hangup', 0), done('hangup')]);
  });

  it('aloneTimeoutMs 5000 -> alone Bob ends at 5 s, not before', () => {
    const h = alone(calleeInput({ aloneTimeoutMs: 5_000 }));
    h.clock.increment(4_999);
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
  });

  it('Bob alone; Alice arrives at 20 s -> together, USER_ENTER; at 60 s still talking (the alone timer was cancelled)', () => {
    const h = alone();
    h.clock.increment(20_000);
    h.send(rm.arrived('alice', 20_000));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([out.notice({ type: 'call.userEntered', inviteID: 'inv-5', userID: 'alice' })]);
    h.clock.increment(40_000);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });
});

describe('callMachine callee: group call g1 (Alice invited Bob, Carol and Dave)', () => {
  const group = { groupID: 'g1', isGroup: true, invitees: ['bob', 'carol', 'dave'] } as const;

  /** Bob in the group call, talking since 1 s with `present`. */
  function bobInGroupCall(present: string[]) {
    const h = ringing(calleeInput(group));
    h.send(cmd.accept(1));
    h.send(rm.entered());
    for (const u of present) h.send(rm.arrived(u, 1_000));
    h.take();
    return h;
  }

  it("Bob ringing; a hangup naming him from Carol (a co-invitee) or Mallory (no part in the call) -> nothing, still ringing; from Alice -> CALLING_CANCEL", () => {
    const h = ringing(calleeInput(group));
    h.send(im.hungUp('mallory', ['bob'], 0, { groupID: 'g1' }));
    h.send(im.hungUp('carol', ['bob'], 0, { groupID: 'g1' }));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
    h.send(im.hungUp('alice', ['bob'], 0, { groupID: 'g1' }));
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([out.notice({ type: 'call.cancelled', inviteID: 'inv-5', sponsor: 'alice' }), forget, done('cancelled')]);
  });

  it("Bob talking with Alice; Alice's no-answer TIMEOUT for offline Carol reaches the whole group -> Bob stays in the call", () => {
    const h = bobInGroupCall(['alice']);
    h.send(im.timedOut('alice', ['carol'], { groupID: 'g1' }, 40_000));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it("Bob talking with Alice and Carol; Alice's CANCEL naming only Dave (still ringing) -> Bob stays in the call", () => {
    const h = bobInGroupCall(['alice', 'carol']);
    h.send(im.cancelled('alice', ['dave'], { groupID: 'g1' }));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it("Bob talking; Alice's CANCEL naming Bob (his accept crossed it) -> ending cancelled", () => {
    const h = bobInGroupCall(['alice']);
    h.send(im.cancelled('alice', ['bob', 'dave'], { groupID: 'g1' }));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('cancelled');
  });

  it("Bob talking with Alice and Carol; Alice's CANCEL naming Bob (his accept crossed it as she left) -> Bob stays with Carol", () => {
    const h = bobInGroupCall(['alice', 'carol']);
    h.send(im.cancelled('alice', ['bob'], { groupID: 'g1' }));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it("Alice's TIMEOUT naming Bob (an IM group's withdrawal once someone answered, crossing his accept): with Carol here -> Bob stays; with Alice alone -> ending timeout", () => {
    const h = bobInGroupCall(['alice', 'carol']);
    h.send(im.timedOut('alice', ['bob'], { groupID: 'g1' }, 0));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
    const alone = bobInGroupCall(['alice']);
    alone.send(im.timedOut('alice', ['bob'], { groupID: 'g1' }, 0));
    expect(alone.value()).toBe('ending');
    expect(alone.context().reason).toBe('timeout');
  });

  it("Bob with Carol, both accepts crossing Alice's CANCEL of the whole call (naming both, or nobody) -> ending cancelled, as Carol does", () => {
    for (const named of [['bob', 'carol', 'dave'], []]) {
      const h = bobInGroupCall(['carol']);
      h.send(im.cancelled('alice', named, { groupID: 'g1' }));
      expect(h.value()).toBe('ending');
      expect(h.context().reason).toBe('cancelled');
    }
  });

  it("Bob talking with Carol (Alice's media not here): Alice's hangup notice naming Bob -> she left, Bob stays in the call with Carol", () => {
    const h = bobInGroupCall(['carol']);
    h.send(im.hungUp('alice', ['bob'], 0, { groupID: 'g1' }));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it("Bob talking with Alice alone: Alice's hangup notice naming Bob -> ending hangup (nobody else is with him)", () => {
    const h = bobInGroupCall(['alice']);
    h.send(im.hungUp('alice', ['bob'], 0, { groupID: 'g1' }));
    expect(h.value()).toBe('ending');
  });

  it('Bob ringing: a CANCEL naming only Dave, a TIMEOUT naming only Carol -> still ringing; then a CANCEL naming Bob -> cancelled', () => {
    const h = ringing(calleeInput(group));
    h.send(im.cancelled('alice', ['dave'], { groupID: 'g1' }));
    h.send(im.timedOut('alice', ['carol'], { groupID: 'g1' }));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
    h.send(im.cancelled('alice', ['bob'], { groupID: 'g1' }));
    expect(h.value()).toBe('ended');
    expect(h.context().reason).toBe('cancelled');
  });

  it("Bob entering the room: Carol's own TIMEOUT (naming herself) and a CANCEL naming only Dave -> still accepting", () => {
    const h = ringing(calleeInput(group));
    h.send(cmd.accept(1));
    h.take();
    h.send(im.timedOut('carol', ['carol'], { groupID: 'g1' }));
    h.send(im.cancelled('alice', ['dave'], { groupID: 'g1' }));
    expect(h.value()).toBe('accepting');
    expect(h.take()).toEqual([]);
  });
});

describe('callMachine callee: whose CANCEL and TIMEOUT count (1v1)', () => {
  it('a CANCEL from Alice naming nobody -> cancelled (it withdraws the whole invite)', () => {
    const h = ringing();
    h.send(im.cancelled('alice', []));
    expect(h.value()).toBe('ended');
    expect(h.context().reason).toBe('cancelled');
  });

  it('a CANCEL from Carol naming Bob -> ignored (only the inviter withdraws)', () => {
    const h = ringing();
    h.send(im.cancelled('carol', ['bob']));
    expect(h.value()).toBe('ringing');
  });

  it('a TIMEOUT naming nobody: from Carol -> ignored; from Alice -> CALLING_TIMEOUT, ended timeout', () => {
    const h = ringing();
    h.send(im.timedOut('carol', []));
    expect(h.value()).toBe('ringing');
    expect(h.take()).toEqual([]);
    h.send(im.timedOut('alice', []));
    expect(h.value()).toBe('ended');
    expect(h.context().reason).toBe('timeout');
  });
});
