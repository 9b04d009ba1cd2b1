/**
 * callMachine, presence: the room reports facts about the other members; the call (through one
 * member actor each) decides who is in the call and when someone is gone. Alice dials Bob
 * (`inv-5`, room 42); each test runs the real machine under `startCall` on a `SimulatedClock`
 * and asserts the whole ordered log of requests and notices.
 */
import { describe, expect, it } from 'vitest';
import { callerInput, calleeInput, im, out, rm, startCall } from '../support/machineHarness';

const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;
const exit = out.room({ type: 'room.exit', roomID: 42 });
const n = {
  accepted: (userID: string) => out.notice({ type: 'call.accepted', inviteID: 'inv-5', userID }),
  entered: (userID: string) => out.notice({ type: 'call.userEntered', inviteID: 'inv-5', userID }),
  left: (userID: string) => out.notice({ type: 'call.userLeft', inviteID: 'inv-5', userID }),
  audio: (userID: string, available: boolean) => out.notice({ type: 'call.remoteAudio', inviteID: 'inv-5', userID, available }),
  video: (userID: string, available: boolean) => out.notice({ type: 'call.remoteVideo', inviteID: 'inv-5', userID, available }),
};
/** Alice tells whoever left that the call is over (TRTCCalling's "last one out"). */
const hangupTo = (userID: string, callEnd: number) =>
  out.im({
    type: 'im.send',
    to: { users: [userID] },
    signal: { kind: 'hangup', ...base, invitees: [userID], callEnd },
    onlineUserOnly: false,
  });
const ended = (reason: string, callEnd: number) => [
  out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: reason as 'hangup', callEnd }),
  { done: { inviteID: 'inv-5', reason } },
];

/** Alice in room 42, Bob has accepted over IM; the log so far taken. */
function answered(input = callerInput()) {
  const h = startCall(input);
  h.send(rm.entered());
  h.send(im.accepted('bob'));
  h.take();
  return h;
}

/** Alice and Bob talking since t = 1 s. */
function talking() {
  const h = answered();
  h.send(rm.joined('bob', 1_000));
  h.send(rm.arrived('bob', 1_000));
  h.take();
  return h;
}

describe('callMachine: who is in the call', () => {
  it('Bob joins with audio and video, his media arrives later -> USER_ENTER then what he publishes, only then', () => {
    const h = answered();
    h.send(rm.joined('bob', 500));
    h.send(rm.publishes('bob', 'audio', true, 500));
    h.send(rm.publishes('bob', 'video', true, 500));
    expect(h.take()).toEqual([]);
    expect(h.member('bob')?.getSnapshot().value).toBe('joined');
    h.send(rm.arrived('bob', 700));
    expect(h.take()).toEqual([n.entered('bob'), n.audio('bob', true), n.video('bob', true)]);
    expect(h.context()).toMatchObject({ present: [{ userID: 'bob', audio: true, video: true }], connectedAt: 700 });
    h.send(rm.publishes('bob', 'video', false, 900));
    expect(h.take()).toEqual([n.video('bob', false)]);
  });

  it('Bob accepts, joins and leaves before his media arrives -> the call ends at once: no USER_LEAVE (he never entered), HANGUP to bob, CALL_END hangup', () => {
    const h = answered();
    h.send(rm.joined('bob', 500));
    h.send(rm.left('bob', 600));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([hangupTo('bob', 0), exit]);
    h.send(rm.exited(700));
    expect(h.take()).toEqual(ended('hangup', 0));
  });

  it("Bob accepts; his arrival never reaches us, only his departure -> the call still ends at once", () => {
    const h = answered();
    h.send(rm.left('bob', 600));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([hangupTo('bob', 0), exit]);
  });

  it('the same facts twice (a repeated push) -> one USER_ENTER, one USER_LEAVE', () => {
    const h = talking();
    h.send(rm.joined('bob', 2_000));
    h.send(rm.arrived('bob', 2_000));
    expect(h.take()).toEqual([]);
    h.send(rm.left('bob', 3_000));
    h.send(rm.left('bob', 3_000));
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 2), exit]);
  });

  it('facts about another room, or about ourselves -> nothing', () => {
    const h = answered();
    h.send(rm.arrived('bob', 1_000, 99));
    h.send(rm.arrived('alice', 1_000));
    expect(h.take()).toEqual([]);
    expect(h.member('bob')).toBeUndefined();
  });
});

describe("callMachine: a member's media connection lost", () => {
  it('lost at 10 s: nothing until 14.999 s; at 15 s USER_LEAVE, HANGUP to bob, ending with reason error', () => {
    const h = talking();
    h.clock.increment(9_000);
    h.send(rm.lost('bob', 10_000));
    h.clock.increment(4_999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 14), exit]);
    h.send(rm.exited(15_000));
    expect(h.take()).toEqual(ended('error', 14));
  });

  it('lost at 10 s, back at 14 s -> still talking at 60 s', () => {
    const h = talking();
    h.clock.increment(9_000);
    h.send(rm.lost('bob', 10_000));
    h.clock.increment(4_000);
    h.send(rm.back('bob', 14_000));
    h.clock.increment(46_000);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([]);
  });

  it('lost, then the room says Bob left -> he left (reason hangup): a departure is told, not guessed', () => {
    const h = talking();
    h.send(rm.lost('bob', 2_000));
    h.send(rm.left('bob', 2_500));
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 2), exit]);
    h.send(rm.exited(3_000));
    expect(h.take()).toEqual(ended('hangup', 2));
  });

  it('leaveGraceMs 2000 -> the lost member is gone after 2 s', () => {
    const h = answered(callerInput({ leaveGraceMs: 2_000 }));
    h.send(rm.arrived('bob', 0));
    h.send(rm.lost('bob', 0));
    h.take();
    h.clock.increment(1_999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 2), exit]);
  });

  it('group: Carol lost while Bob stays -> USER_LEAVE carol, the roster, the call goes on', () => {
    const h = startCall(callerInput({ invitees: ['bob', 'carol'], isGroup: true, groupID: 'g1' }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 100));
    h.send(rm.arrived('carol', 200));
    h.take();
    h.send(rm.lost('carol', 1_000));
    h.clock.increment(5_000);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.take()).toEqual([n.left('carol'), out.notice({ type: 'call.roster', inviteID: 'inv-5', userIDList: ['bob'] })]);
  });
});

describe('callMachine: our own connection came back', () => {
  it('we entered the room anew without Bob -> missing: nothing for 9.999 s; at 10 s USER_LEAVE, CALL_END error', () => {
    const h = talking();
    h.send(rm.reconnected([], false, 1_000));
    h.clock.increment(9_999);
    expect(h.take()).toEqual([]);
    h.clock.increment(1);
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 10), exit]);
    h.send(rm.exited(11_000));
    expect(h.take()).toEqual(ended('error', 10));
  });

  it('missing Bob comes back within the wait -> no USER_LEAVE, no USER_ENTER', () => {
    const h = talking();
    h.send(rm.reconnected([], false, 1_000));
    h.clock.increment(5_000);
    h.send(rm.joined('bob', 6_000));
    h.send(rm.arrived('bob', 6_000));
    h.clock.increment(30_000);
    expect(h.take()).toEqual([]);
    expect(h.member('bob')?.getSnapshot().value).toEqual({ present: 'connected' });
  });

  it('the server kept our place and no longer lists Bob -> he left meanwhile: USER_LEAVE at once, reason hangup', () => {
    const h = talking();
    h.send(rm.reconnected([], true, 4_000));
    expect(h.take()).toEqual([n.left('bob'), hangupTo('bob', 3), exit]);
  });

  it('listed again -> nothing', () => {
    const h = talking();
    h.send(rm.reconnected(['bob'], false, 4_000));
    h.clock.increment(60_000);
    expect(h.take()).toEqual([]);
  });
});

describe('callMachine: the callee side', () => {
  it('Bob in the room, Alice lost for the grace -> USER_LEAVE alice, ending error (no roster: the last one we talked to)', () => {
    const h = startCall(calleeInput());
    h.send({ type: 'call.accept', id: 1, at: 0 });
    h.send(rm.entered(100));
    h.send(rm.arrived('alice', 200));
    h.take();
    h.send(rm.lost('alice', 1_000));
    h.clock.increment(5_000);
    expect(h.take()).toEqual([
      n.left('alice'),
      out.im({ type: 'im.send', to: { users: ['alice'] }, signal: { kind: 'hangup', ...base, inviter: 'bob', invitees: ['alice'], callEnd: 6 }, onlineUserOnly: false }),
      exit,
    ]);
    expect(h.context().reason).toBe('error');
  });
});
