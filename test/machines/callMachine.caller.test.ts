/**
 * callMachine, caller side: Alice dials Bob (`inv-5`, room 42, 30 s + 5 s grace).
 *
 * Why not pure `transition` here: the call machine sends its requests to
 * `system.get('im' | 'room')` and its notices to `system.get('line')`, and XState's inert
 * scope holds none of them, so they would silently vanish. So each test runs the real machine under
 * `startCall` (a host with stand-in `im`/`room` actors) on a `SimulatedClock`: every step is
 * synchronous, and the whole ordered log of requests and notices is asserted.
 */
import { describe, expect, it } from 'vitest';
import type { CallContext, CallEvent } from '../../machines/callModel';
import type { ImRequest } from '../../machines/events';
import { callerInput, cmd, im, inviteSignal, out, rm, startCall } from '../support/machineHarness';
import { dialing, ended } from './callerSteps';

const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;
const send = (to: ImRequest & { type: 'im.send' }) => out.im(to);
const invite = send({ type: 'im.send', to: { users: ['bob'] }, signal: inviteSignal(), onlineUserOnly: false });
const enter = out.room({ type: 'room.enter', roomID: 42, userID: 'alice', video: true, audioMuted: false, participants: ['alice', 'bob'] });
const exit = out.room({ type: 'room.exit', roomID: 42 });
const cancelBob = send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'cancel', ...base, invitees: ['bob'] }, onlineUserOnly: false });
const busyTo = (inviter: string, inviteID: string) =>
  send({
    type: 'im.send',
    to: { users: [inviter] },
    signal: { kind: 'reject', inviteID, inviter, groupID: '', callType: 2, invitee: 'alice', busy: true },
    onlineUserOnly: false,
  });
const busyToCarol = busyTo('carol', 'inv-9');
const sendFailed = (inviteID: string, kind: 'invite' | 'reject' | 'timeout' | 'hangup'): CallEvent => ({
  type: 'im.sendFailed',
  inviteID,
  kind,
  at: 0,
  error: { code: -2, message: 'offline' },
});
/** Alice and Bob talking since t = 1 s. */
function talking() {
  const h = dialing();
  h.send(rm.entered());
  h.send(im.accepted('bob'));
  h.send(rm.arrived('bob', 1_000));
  h.take();
  return h;
}

describe('callMachine caller: dialing', () => {
  it('Alice dials Bob -> dialing: invitee:bob spawned with 35 s, room 42 entered early, INVITE sent to bob', () => {
    const h = startCall(callerInput());
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([enter, invite]);
    expect(h.invitee('bob')?.getSnapshot()).toMatchObject({ value: 'pending', context: { userID: 'bob', noAnswerMs: 35_000 } });
    expect(h.context()).toMatchObject({ roster: { bob: 'pending' }, room: 'entering', answered: true });
  });

  it('Alice groupDials Bob and Carol in g1 -> one INVITE to the group, one invitee actor each', () => {
    const h = startCall(callerInput({ invitees: ['bob', 'carol'], isGroup: true, groupID: 'g1' }));
    expect(h.take()).toEqual([
      // A group call names no participants: its members may grow; the room's grants decide, and
      // it names its IM group, whose members may join it.
      out.room({ type: 'room.enter', roomID: 42, userID: 'alice', video: true, audioMuted: false, groupID: 'g1' }),
      send({
        type: 'im.send',
        to: { groupID: 'g1' },
        signal: inviteSignal({ groupID: 'g1', invitees: ['bob', 'carol'], isGroup: true }),
        onlineUserOnly: false,
      }),
    ]);
    expect([h.invitee('bob')?.getSnapshot().value, h.invitee('carol')?.getSnapshot().value]).toEqual(['pending', 'pending']);
  });

  it('room entered, then Bob ACCEPT -> inCall (alone: his media is not in the room yet), ACCEPTED once', () => {
    const h = dialing();
    h.send(rm.entered());
    expect(h.context().room).toBe('in');
    h.send(im.accepted('bob'));
    expect(h.value()).toEqual({ inCall: 'alone' });
    expect(h.take()).toEqual([out.notice({ type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' })]);
    expect(h.invitee('bob')?.getSnapshot().value).toBe('accepted');
  });

  it('Bob enters the room before his ACCEPT arrives -> inCall, ACCEPTED, USER_ENTER; the late ACCEPT says nothing', () => {
    const h = dialing();
    h.send(rm.arrived('bob', 700));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([
      out.notice({ type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' }),
      out.notice({ type: 'call.userEntered', inviteID: 'inv-5', userID: 'bob' }),
    ]);
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([]);
    expect(h.context()).toMatchObject({ roster: { bob: 'joined' }, connectedAt: 700 });
  });

  it.each([
    [false, 'rejected', { type: 'call.rejected', inviteID: 'inv-5', userID: 'bob' }],
    [true, 'busy', { type: 'call.busy', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice' }],
  ] as const)('Bob REJECT (busy %s) -> ending with %s; room exited -> ended, CALL_END', (busy, reason, notice) => {
    const h = dialing();
    h.send(im.rejected('bob', busy));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice(notice), exit]);
    h.send(rm.exited());
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual(ended(reason, 0, ['bob inv-5']));
  });

  it('group: Bob rejects, Carol is busy -> ending with rejected (a reject outweighs busy)', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true, groupID: 'g1' }));
    h.send(im.rejected('bob'));
    expect(h.value()).toBe('dialing');
    h.send(im.rejected('carol', true));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('rejected');
  });

  it('nobody answers: nothing at 34.999 s; at 35 s TIMEOUT to bob, NO_RESP, ending noResponse', () => {
    const h = dialing();
    h.clock.increment(34_999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([
      // The notice repeats our invite's data: the codec encodes `invite` as the invite was.
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'timeout', ...base, invitees: ['bob'], roomID: 42, invite: inviteSignal() }, onlineUserOnly: false }),
      out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice', userIDList: ['bob'] }),
      exit,
    ]);
    h.send(rm.exited());
    expect(h.take()).toEqual(ended('noResponse'));
  });

  it("Bob's own TIMEOUT arrives first -> NO_RESP without sending one back, ending noResponse", () => {
    const h = dialing();
    h.send(im.timedOut('bob', ['bob']));
    expect(h.take()).toEqual([
      out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice', userIDList: ['bob'] }),
      exit,
    ]);
  });

  it('timeout 0 -> the invitee never times out: an hour passes in dialing, silent', () => {
    const h = dialing(callerInput({ timeout: 0 }));
    expect(h.invitee('bob')?.getSnapshot().context.noAnswerMs).toBe(0);
    h.clock.increment(3_600_000);
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([]);
  });

  it('Alice hangup() while dialing -> settled, CANCEL to bob, ending cancelled; exited -> CALL_END cancelled', () => {
    const h = dialing();
    h.send(cmd.hangup(3));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.settled(3), cancelBob, exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual(ended('cancelled'));
  });

  // No CANCEL of ours: Tencent's client ends its own call on any CANCEL (it reads no inviteID);
  // Bob's side settles ours (Tencent's answers it busy, ours declines it once our ACCEPT arrives).
  it('glare lost: Bob invites Alice with lower inv-3 -> accepting as callee of inv-3, room switched; our invite not cancelled', () => {
    const h = dialing();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77 }));
    expect(h.value()).toBe('accepting');
    expect(h.take()).toEqual([
      exit,
      { parent: { type: 'call.merged', inviteID: 'inv-3', roomID: 77 } },
      out.notice({ type: 'call.accepted', inviteID: 'inv-3', userID: 'bob' }),
      out.room({ type: 'room.enter', roomID: 77, userID: 'alice', video: true, audioMuted: false, participants: ['bob', 'alice'] }),
    ]);
    expect(h.context()).toMatchObject({ role: 'callee', inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77, roster: {} });
    expect(h.invitee('bob')).toBeUndefined();
    h.send(rm.entered(0, 77));
    expect(h.value()).toEqual({ inCall: 'alone' }); // Bob is not in room 77 yet
    expect(h.take()).toEqual([
      send({
        type: 'im.send',
        to: { users: ['bob'] },
        signal: { kind: 'accept', inviteID: 'inv-3', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice' },
        onlineUserOnly: false,
      }),
    ]);
  });

  it("glare lost, then Bob's CANCEL of inv-3 (his dial ended before ours reached him: nobody will decline ours) -> ending cancelled, our inv-5 withdrawn now", () => {
    const h = dialing();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77 }));
    h.take();
    h.send(im.cancelled('bob', ['alice'], { inviteID: 'inv-3', inviter: 'bob' }));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.room({ type: 'room.exit', roomID: 77 }), cancelBob]);
  });

  it.each([
    ['REJECT (his side declines what it held)', im.rejected('bob')],
    ['no-answer notice (another device of his let it ring out)', im.timedOut('bob', ['bob'])],
  ])("glare lost, then Bob's %s of our inv-5 -> settled: nothing withdrawn when his CANCEL of inv-3 comes", (_, answer) => {
    const h = dialing();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77 }));
    h.take();
    h.send(answer);
    expect(h.take()).toEqual([]);
    expect(h.context().withdrawn).toBeNull();
    h.send(im.cancelled('bob', ['alice'], { inviteID: 'inv-3', inviter: 'bob' }));
    expect(h.take()).toEqual([out.room({ type: 'room.exit', roomID: 77 })]);
  });

  it("glare lost, then an ACCEPT of our inv-5 from Bob (another device of his took it) -> withdrawn at once, that device must not wait; the call goes on", () => {
    const h = dialing();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77 }));
    h.take();
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([cancelBob]);
    expect(h.value()).toBe('accepting');
    h.send(im.cancelled('bob', ['alice'], { inviteID: 'inv-3', inviter: 'bob' }));
    expect(h.take()).toEqual([out.room({ type: 'room.exit', roomID: 77 })]);
  });

  // Bob never answered ours: it may land on him once he is idle, or ring on his other devices.
  it("glare lost, then hangup() while entering Bob's room 77 -> ending, our own invite withdrawn now; the exit from our own room 42 confirmed -> still ending; from 77 -> the REJECT of inv-3, ended", () => {
    const h = dialing();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'], roomID: 77 }));
    h.take();
    h.send(cmd.hangup(3));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.settled(3), out.room({ type: 'room.exit', roomID: 77 }), cancelBob]);
    h.send(rm.exited(0, 42));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([]);
    h.send(rm.exited(0, 77));
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'reject', inviteID: 'inv-3', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy: false }, onlineUserOnly: false }),
      out.notice({ type: 'call.ended', inviteID: 'inv-3', sponsor: 'bob', reason: 'hangup', callEnd: 0 }),
      { done: { inviteID: 'inv-3', reason: 'hangup' } },
    ]);
  });


  it('a foreign invite from Carol while dialing -> busy REJECT to carol, still dialing', () => {
    const h = dialing();
    h.send(im.invited('carol', { inviteID: 'inv-9', inviter: 'carol', invitees: ['alice'] }));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([
      send({
        type: 'im.send',
        to: { users: ['carol'] },
        signal: { kind: 'reject', inviteID: 'inv-9', inviter: 'carol', groupID: '', callType: 2, invitee: 'alice', busy: true },
        onlineUserOnly: false,
      }),
    ]);
  });

  it('room.enterFailed while dialing -> ERROR, CANCEL to bob, ended at once (never in the room), CALL_END error', () => {
    const h = dialing();
    h.send(rm.enterFailed());
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual([
      out.notice({ type: 'error', code: -1, message: 'no camera' }),
      cancelBob,
      ...ended('error'),
    ]);
  });

  it('room.enterFailed for another room -> ignored', () => {
    const h = dialing();
    h.send(rm.enterFailed(0, 99));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([]);
  });
});

describe('callMachine caller: in call and ending', () => {
  it('Bob leaves at 13.6 s (the last one) -> USER_LEAVE, HANGUP to bob with call_end 13, ending; exited -> CALL_END 13', () => {
    const h = talking();
    h.send(rm.left('bob', 13_600));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([
      out.notice({ type: 'call.userLeft', inviteID: 'inv-5', userID: 'bob' }),
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'hangup', ...base, invitees: ['bob'], callEnd: 13 }, onlineUserOnly: false }),
      exit,
    ]);
    h.send(rm.exited(13_700));
    expect(h.take()).toEqual(ended('hangup', 13));
  });

  it('Alice hangup() at 5 s in the call -> settled, nothing sent to Bob (he is in the room), CALL_END hangup 4', () => {
    const h = talking();
    h.send(cmd.hangup(4, 5_000));
    expect(h.take()).toEqual([out.settled(4), exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual(ended('hangup', 4));
  });

  it('ending without room.exited: still ending at 4.999 s, ended by exitTimeout at 5 s', () => {
    const h = talking();
    h.send(cmd.hangup(4, 2_000));
    h.take();
    h.clock.increment(4_999);
    expect(h.value()).toBe('ending');
    h.clock.increment(1);
    expect(h.value()).toBe('ended');
    expect(h.take()).toEqual(ended('hangup', 1));
  });

  it('ending: hangup() again -> settled, nothing more to do; a camera change -> refused; an invite -> busy REJECT; an ACCEPT -> nothing until the IM refuses our ending signal, then HANGUP back; other signals -> swallowed', () => {
    const h = talking();
    h.send(cmd.hangup(4));
    h.take();
    h.send(cmd.hangup(5));
    h.send({ type: 'media.camera', id: 6, at: 0, on: false });
    h.send(im.invited('carol', { inviteID: 'inv-9', inviter: 'carol', invitees: ['alice'] }));
    h.send(rm.arrived('carol', 2_000));
    h.send(im.accepted('bob'));
    h.send(im.hungUp('bob', ['alice']));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.settled(5), out.refused(6, 'the call is ending'), busyToCarol]);
    h.send(sendFailed('inv-5', 'hangup'));
    expect(h.take()).toEqual([
      out.notice({ type: 'error', code: -2, message: 'offline' }),
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'hangup', ...base, invitees: ['bob'], callEnd: 0 }, onlineUserOnly: false }),
    ]);
  });

  it('im.sendFailed of our INVITE while dialing -> ERROR, CANCEL to bob, ending error', () => {
    const h = dialing();
    h.send(sendFailed('inv-5', 'invite'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice({ type: 'error', code: -2, message: 'offline' }), cancelBob, exit]);
    expect(h.context().reason).toBe('error');
  });

  it("Alice dials Bob; her busy REJECT to Carol's inv-9 fails to send -> ERROR only, still dialing, nothing sent to Bob", () => {
    const h = dialing();
    h.send(sendFailed('inv-9', 'reject'));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([out.notice({ type: 'error', code: -2, message: 'offline' })]);
  });

  it('a failed send of another kind for inv-5 (a TIMEOUT) while dialing -> ERROR only, still dialing', () => {
    const h = dialing();
    h.send(sendFailed('inv-5', 'timeout'));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([out.notice({ type: 'error', code: -2, message: 'offline' })]);
  });
});

describe('callMachine caller: invites reaching the call', () => {
  // In the call, his invite that sorts after ours is the other half of a glare that landed late (or a call
  // of his after an end we have not heard of): declined, not busy, so that our other devices stop ringing for it.
  it('glare won while dialing (Bob invites with higher inv-7) -> held; the same invite landing in the call -> declined (not busy), still talking', () => {
    const glare = im.invited('bob', { inviteID: 'inv-7', inviter: 'bob', invitees: ['alice'] });
    const d = dialing();
    d.send(glare);
    expect(d.value()).toBe('dialing');
    expect(d.take()).toEqual([{ parent: { type: 'call.merged', inviteID: 'inv-7' } }]);
    const h = talking();
    h.send(glare);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'reject', inviteID: 'inv-7', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy: false }, onlineUserOnly: false }),
    ]);
  });

  it('Bob (the peer) invites with lower inv-3 while talking -> busy REJECT (no glare merge outside dialing), still talking', () => {
    const h = talking();
    h.send(im.invited('bob', { inviteID: 'inv-3', inviter: 'bob', invitees: ['alice'] }));
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([busyTo('bob', 'inv-3')]);
  });

  it('ending: Bob invites with higher inv-7 -> busy REJECT to bob, still ending', () => {
    const h = talking();
    h.send(cmd.hangup(4));
    h.take();
    h.send(im.invited('bob', { inviteID: 'inv-7', inviter: 'bob', invitees: ['alice'] }));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([busyTo('bob', 'inv-7')]);
  });

  it('group dial: Bob invites with higher inv-7 while dialing -> busy REJECT (glare is 1v1 only), still dialing', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(im.invited('bob', { inviteID: 'inv-7', inviter: 'bob', invitees: ['alice'] }));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([busyTo('bob', 'inv-7')]);
  });
});

describe('callMachine caller: alone in the room (aloneTimeout, 30 s)', () => {
  it('Bob ACCEPTs over IM but never reaches the room -> alone; at 29.999 s still; at 30 s ending hangup; exited -> CALL_END hangup 0', () => {
    const h = dialing();
    h.send(rm.entered());
    h.send(im.accepted('bob'));
    h.take();
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(29_999);
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('hangup');
    // Bob accepted but never came: he is told the call is over, as hangup() would tell him.
    expect(h.take()).toEqual([
      send({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'hangup', ...base, invitees: ['bob'], callEnd: 0 }, onlineUserOnly: false }),
      exit,
    ]);
    h.send(rm.exited(30_100));
    expect(h.take()).toEqual(ended('hangup', 0));
  });

  it('group: Bob talks from 1 s to 10 s, Carol accepted but never comes -> alone from 10 s, ends at 40 s with CALL_END 39', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(im.accepted('carol', {}, 2_000));
    h.clock.increment(10_000);
    h.send(rm.left('bob', 10_000));
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(30_000);
    expect(h.value()).toBe('ending');
    h.take();
    h.send(rm.exited(40_100));
    expect(h.take()).toEqual(ended('hangup', 39));
  });

  it("Bob ACCEPTs over IM; his media arrives at 20 s -> together; at 60 s still talking (the alone timer was cancelled)", () => {
    const h = dialing();
    h.send(rm.entered());
    h.send(im.accepted('bob'));
    h.clock.increment(20_000);
    h.send(rm.arrived('bob', 20_000));
    expect(h.value()).toEqual({ inCall: 'together' });
    h.take();
    h.clock.increment(40_000);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it("group: Bob ACCEPTs (never comes) while Carol is still pending -> together, not alone; Carol's no-answer at 35 s -> alone; ends at 65 s", () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(rm.entered());
    h.send(im.accepted('bob'));
    expect(h.value()).toEqual({ inCall: 'together' });
    h.clock.increment(34_999);
    expect(h.value()).toEqual({ inCall: 'together' });
    h.clock.increment(1);
    expect(h.context().roster).toEqual({ bob: 'accepted', carol: 'noResponse' });
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(29_999);
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('hangup');
  });
});
