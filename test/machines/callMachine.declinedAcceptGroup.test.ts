/**
 * callMachine, caller side of a group call that goes on: Bob declined for himself (his REJECT, busy or
 * not, or his own ring's TIMEOUT) while Carol is in the call or still rings, then another device of his
 * accepted (Tencent IM passes both answers to the caller): its ACCEPT lands, or its media comes into the
 * room first. Alice takes Bob as having answered (USER_ACCEPT, USER_ENTER, his status accepted, then
 * joined), as for any invitee who answers, and undoes what his decline left where she can: no HANGUP for
 * his ACCEPT at the end, no place in NO_RESP's list; a busy device of his still holds an IM group's
 * invitation, so the withdrawals go C2C. (Before, she kept him declined while he talked in her room: no
 * USER_ACCEPT, and a call still dialling with him in it.) The decline that lands after his ACCEPT changes
 * nothing. Where the call ends on his decline (a 1v1 call): callMachine.declinedAccept.test.ts.
 * Run as in callMachine.caller.test.ts (machines/callDeclinedAccept.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../machines/events';
import { callerInput, cmd, im, out, rm } from '../support/machineHarness';
import { dialing, ended } from './callerSteps';

const note = (notice: Notice) => out.notice(notice);
const accepted = (userID: string) => note({ type: 'call.accepted', inviteID: 'inv-5', userID });
const entered = (userID: string) => note({ type: 'call.userEntered', inviteID: 'inv-5', userID });
const roster = (...userIDList: string[]) => note({ type: 'call.roster', inviteID: 'inv-5', userIDList });
const rejected = note({ type: 'call.rejected', inviteID: 'inv-5', userID: 'bob' });

/** Alice's group call to Bob and Carol (one inviteID, C2C), Carol in it (`carolIn`) or still ringing. */
function groupCall(carolIn: boolean, over: Parameters<typeof callerInput>[0] = {}) {
  const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true, ...over }));
  h.send(rm.entered());
  if (carolIn) {
    h.send(im.accepted('carol', over.groupID ? { groupID: over.groupID } : {}));
    h.send(rm.arrived('carol', 10));
  }
  h.take();
  return h;
}

describe("callMachine caller, group call: Bob declined, then another device of his accepted -> he is in the call", () => {
  it.each([
    ['his REJECT', im.rejected('bob', false, {}, 100), [rejected]],
    ['his busy REJECT', im.rejected('bob', true, {}, 100), [note({ type: 'call.busy', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice' })]],
    ['his TIMEOUT', im.timedOut('bob', ['bob'], {}, 100), [note({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice', userIDList: ['bob'] })]],
  ] as const)('Carol in the call; %s -> told; his ACCEPT -> USER_ACCEPT, accepted; his media -> USER_ENTER, joined; Alice hangs up -> no HANGUP owed to him', (_, decline, told) => {
    const h = groupCall(true);
    h.send(decline);
    expect(h.take()).toEqual(told);
    h.send(im.accepted('bob', {}, 200));
    expect(h.take()).toEqual([accepted('bob')]);
    expect(h.context().roster).toEqual({ bob: 'accepted', carol: 'joined' });
    expect(h.context().noResponse).toEqual([]);
    h.send(rm.arrived('bob', 300));
    expect(h.take()).toEqual([entered('bob'), roster('carol', 'bob')]);
    expect(h.context().roster).toEqual({ bob: 'joined', carol: 'joined' });
    // A repeat of his ACCEPT changes nothing.
    h.send(im.accepted('bob', {}, 400));
    expect(h.take()).toEqual([]);
    h.send(cmd.hangup(1, 1_300));
    expect(h.take()).toEqual([out.settled(1), out.room({ type: 'room.exit', roomID: 42 })]);
    h.send(rm.exited(1_400));
    // The output hands the line no note of his decline (it would answer his ACCEPT with a HANGUP).
    expect(h.take()).toEqual(ended('hangup', 1));
  });

  it("Carol still rings; Bob's REJECT, then his media in the room (before his ACCEPT) -> USER_ACCEPT, USER_ENTER: the call is up with him; his ACCEPT after -> nothing; his leave -> USER_LEAVE, left", () => {
    const h = groupCall(false);
    h.send(im.rejected('bob', false, {}, 100));
    expect(h.take()).toEqual([rejected]);
    expect(h.value()).toBe('dialing');
    h.send(rm.arrived('bob', 300));
    expect(h.take()).toEqual([accepted('bob'), entered('bob'), roster('bob')]);
    expect(h.value()).toEqual({ inCall: 'together' });
    expect(h.context().roster).toEqual({ bob: 'joined', carol: 'pending' });
    h.send(im.accepted('bob', {}, 320));
    expect(h.take()).toEqual([]);
    h.send(rm.left('bob', 2_300));
    expect(h.take()).toEqual([note({ type: 'call.userLeft', inviteID: 'inv-5', userID: 'bob' }), roster()]);
    expect(h.context().roster).toEqual({ bob: 'left', carol: 'pending' });
  });

  it("Carol still rings; Bob's REJECT, then his ACCEPT -> the call is up (inCall), Bob accepted", () => {
    const h = groupCall(false);
    h.send(im.rejected('bob', false, {}, 100));
    h.take();
    h.send(im.accepted('bob', {}, 200));
    expect(h.take()).toEqual([accepted('bob')]);
    expect(h.value()).toEqual({ inCall: 'together' });
  });

  it("Bob's TIMEOUT, his ACCEPT, then Carol's TIMEOUT -> NO_RESP names Carol alone (Bob is out of its list)", () => {
    const h = groupCall(false);
    h.send(im.timedOut('bob', ['bob'], {}, 100));
    h.send(im.accepted('bob', {}, 200));
    h.take();
    h.send(im.timedOut('carol', ['carol'], {}, 300));
    expect(h.take()).toEqual([note({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'carol', sponsor: 'alice', userIDList: ['carol'] })]);
  });

  it("our own timer's TIMEOUT for Bob (it reaches his device and ends its call), then his ACCEPT -> nothing: he did not answer", () => {
    const h = groupCall(true);
    h.clock.increment(35_000);
    h.take();
    h.send(im.accepted('bob', {}, 35_100));
    h.send(rm.arrived('bob', 35_200));
    expect(h.take()).toEqual([entered('bob'), roster('carol', 'bob')]);
    expect(h.context().roster).toEqual({ bob: 'noResponse', carol: 'joined' });
  });

  it("an IM group call: Bob's busy REJECT (a device of his in another call), then his ACCEPT -> accepted; Alice hangs up with Dave ringing -> withdrawn C2C still, as after any busy answer", () => {
    const h = groupCall(true, { invitees: ['bob', 'carol', 'dave'], groupID: 'g1' });
    h.send(im.rejected('bob', true, { groupID: 'g1' }, 100));
    h.send(im.accepted('bob', { groupID: 'g1' }, 200));
    h.take();
    expect(h.context().roster).toEqual({ bob: 'accepted', carol: 'joined', dave: 'pending' });
    h.send(cmd.hangup(1, 300));
    const sent = h.take().flatMap((o) => ('im' in o && o.im.type === 'im.send' ? [`${o.im.signal.kind} to ${JSON.stringify(o.im.to)}`] : []));
    // Not one TIMEOUT to the group g1: the busy device of Bob's holds its invitation, and would end its other call on it.
    expect(sent).toEqual(['timeout to {"users":["dave"]}', 'timeout to {"users":["bob"]}', 'timeout to {"users":["carol"]}']);
  });

  it("the other order: Bob's ACCEPT, then his other device's REJECT -> nothing: he stays accepted, and his media -> USER_ENTER", () => {
    const h = groupCall(true);
    h.send(im.accepted('bob', {}, 100));
    expect(h.take()).toEqual([accepted('bob')]);
    h.send(im.rejected('bob', false, {}, 200));
    h.send(im.rejected('bob', true, {}, 210));
    h.send(im.timedOut('bob', ['bob'], {}, 220));
    expect(h.take()).toEqual([]);
    expect(h.context().roster).toEqual({ bob: 'accepted', carol: 'joined' });
    h.send(rm.arrived('bob', 300));
    expect(h.take()).toEqual([entered('bob'), roster('carol', 'bob')]);
  });
});

describe('callMachine caller, group call: the overrule outlasts more declines than the late-accept ledger keeps', () => {
  // The ledger kept a call's 16 newest own declines (`LATE_LIMIT`): with 16 more invitees declining after Bob, his
  // note went, and his ACCEPT was ignored (no USER_ACCEPT, Bob rejected) while he talked in the room, as before 3c5fc4d.
  const many = Array.from({ length: 16 }, (_, i) => `u${i}`);
  it("Bob's REJECT, 16 other invitees' REJECTs, then Bob's ACCEPT -> USER_ACCEPT, accepted; Alice hangs up -> the line gets the 16 newest notes", () => {
    const h = groupCall(true, { invitees: ['bob', 'carol', ...many] });
    h.send(im.rejected('bob', false, {}, 100));
    many.forEach((u, i) => h.send(im.rejected(u, false, {}, 110 + i)));
    h.take();
    h.send(im.accepted('bob', {}, 200));
    expect(h.take()).toEqual([accepted('bob')]);
    expect(h.context().roster['bob']).toBe('accepted');
    h.send(cmd.hangup(1, 1_300));
    h.take();
    h.send(rm.exited(1_400));
    expect(h.take()).toEqual(ended('hangup', 1, many.map((u) => `${u} inv-5`)));
  });
});
