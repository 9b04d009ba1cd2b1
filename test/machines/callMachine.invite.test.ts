/**
 * callMachine: inviting more people into a group call in progress (groupCall() during it,
 * inviteUser()). Alice's group call with Bob and Carol (room 42), run under `startCall`.
 */
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../machines/callModel';
import { callerInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const invite = (id: number, userIDs: string[], inviteIDs: string[]): CallEvent => ({ type: 'call.invite', id, at: 0, userIDs, inviteIDs });

/** Alice in her group call, Bob in the room, Carol still ringing. */
function talking() {
  const h = startCall(callerInput({ invitees: ['bob', 'carol'], isGroup: true, inviteIDs: { bob: 'inv-b', carol: 'inv-c' } }));
  h.send(rm.entered());
  h.send(rm.arrived('bob', 1_000));
  h.take();
  return h;
}

describe('callMachine: inviting into a group call in progress', () => {
  it('Alice invites Dave -> one C2C invite with his own inviteID naming everyone, the line told of it, his invitee actor; settled', () => {
    const h = talking();
    h.send(invite(9, ['dave'], ['inv-d']));
    expect(h.take()).toEqual([
      out.im({
        type: 'im.send',
        to: { users: ['dave'] },
        signal: { kind: 'invite', inviteID: 'inv-d', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob', 'carol', 'dave'], roomID: 42, timeout: 30, onlineUserOnly: false, isGroup: true, consumed: false },
        onlineUserOnly: false,
      }),
      { parent: { type: 'call.merged', inviteID: 'inv-d' } },
      out.settled(9),
    ]);
    expect(h.context().roster).toEqual({ bob: 'joined', carol: 'pending', dave: 'pending' });
    expect(h.invitee('dave')?.getSnapshot().value).toBe('pending');
  });

  it('his ACCEPT of inv-d -> USER_ACCEPT dave; his REJECT instead -> REJECT dave, the call goes on', () => {
    const h = talking();
    h.send(invite(9, ['dave'], ['inv-d']));
    h.take();
    h.send(im.accepted('dave', { inviteID: 'inv-d' }));
    expect(h.take()).toEqual([out.notice({ type: 'call.accepted', inviteID: 'inv-5', userID: 'dave' })]);
    const g = talking();
    g.send(invite(9, ['dave'], ['inv-d']));
    g.take();
    g.send(im.rejected('dave', false, { inviteID: 'inv-d' }));
    expect(g.take()).toEqual([out.notice({ type: 'call.rejected', inviteID: 'inv-5', userID: 'dave' })]);
    expect(g.value()).toEqual({ inCall: 'together' });
  });

  it('his invite cannot be sent -> ERROR, NO_RESP dave on the next turn (his client never rang: nothing sent to him), the call goes on', () => {
    const h = talking();
    h.send(invite(9, ['dave'], ['inv-d']));
    h.take();
    h.send({ type: 'im.sendFailed', inviteID: 'inv-d', kind: 'invite', at: 0, error: { code: -2, message: 'offline' } });
    h.clock.increment(0);
    expect(h.take()).toEqual([
      out.notice({ type: 'error', code: -2, message: 'offline' }),
      out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'dave', sponsor: 'alice', userIDList: ['dave'] }),
    ]);
    expect(h.value()).toEqual({ inCall: 'together' });
  });

  // A reviewer's report: Bob, the only one in the call with Alice, left while Dave's invitation was on its way, and the
  // IM refused it: ERROR and CALL_END hangup, never Dave's NO_RESP. The call waits a turn for it and ends on it.
  it.each([
    ['Bob leaves, then the IM refuses the invitation', ['left', 'refused']],
    ['the IM refuses the invitation, then Bob leaves in the same turn', ['refused', 'left']],
  ] as const)('Alice and Bob alone in the call, Dave invited; %s -> ERROR, USER_LEAVE, NO_RESP dave on the next turn, then CALL_END noResponse', (_, order) => {
    const h = startCall(callerInput({ invitees: ['bob'], isGroup: true, inviteIDs: { bob: 'inv-b' } }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(invite(9, ['dave'], ['inv-d']));
    h.take();
    const steps = {
      left: () => h.send(rm.left('bob', 3_000)),
      refused: () => h.send({ type: 'im.sendFailed', inviteID: 'inv-d', kind: 'invite', at: 3_000, error: { code: -2, message: 'offline' } }),
    };
    for (const step of order) steps[step]();
    expect(h.value()).toEqual({ inCall: 'alone' });
    const error = out.notice({ type: 'error', code: -2, message: 'offline' });
    const left = [out.notice({ type: 'call.userLeft', inviteID: 'inv-5', userID: 'bob' }), out.notice({ type: 'call.roster', inviteID: 'inv-5', userIDList: [] })];
    expect(h.take()).toEqual(order[0] === 'left' ? [...left, error] : [error, ...left]);
    h.clock.increment(0);
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'dave', sponsor: 'alice', userIDList: ['dave'] }), out.room({ type: 'room.exit', roomID: 42 })]);
    h.send(rm.exited(3_100));
    // Connected from 1 s to the NO_RESP at 3 s (stamped when the invitation was refused, not its no-answer time, 35 s on).
    expect(h.take()).toEqual([
      out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: 'noResponse', callEnd: 2 }),
      { done: { inviteID: 'inv-5', reason: 'noResponse', late: { refused: [], waiting: [], unsent: ['inv-d'], declined: [] } } },
    ]);
  });

  // Its review: Dave invited again after his first no-answer. The call's list of those told NO_RESP still named him,
  // so his second invitation's refusal, as Bob left, ended the call at once (CALL_END hangup, his NO_RESP never told)
  // as before that fix. Invited again, he is ringing again: out of the list ("one still ringing is not in it").
  it('Dave NO_RESP at 35 s, invited again; Bob leaves and the IM refuses it -> NO_RESP dave (listed once), then CALL_END noResponse', () => {
    const h = startCall(callerInput({ invitees: ['bob'], isGroup: true, inviteIDs: { bob: 'inv-b' } }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(invite(9, ['dave'], ['inv-d']));
    h.take();
    h.clock.increment(40_000);
    expect(h.take()).toContainEqual(out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'dave', sponsor: 'alice', userIDList: ['dave'] }));
    h.send(invite(10, ['dave'], ['inv-d2']));
    h.take();
    h.send(rm.left('bob', 43_000));
    h.send({ type: 'im.sendFailed', inviteID: 'inv-d2', kind: 'invite', at: 43_000, error: { code: -2, message: 'offline' } });
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.take();
    h.clock.increment(0);
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'dave', sponsor: 'alice', userIDList: ['dave'] }), out.room({ type: 'room.exit', roomID: 42 })]);
    h.send(rm.exited(43_100));
    expect(h.take()[0]).toEqual(out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: 'noResponse', callEnd: 42 }));
  });

  it('inviting Bob (in the room) or Carol (ringing) again -> nothing sent, settled; a 1v1 call or a callee -> refused', () => {
    const h = talking();
    h.send(invite(9, ['bob', 'carol'], ['x', 'y']));
    expect(h.take()).toEqual([out.settled(9)]);
    const one = startCall(callerInput());
    one.send(rm.entered());
    one.send(rm.arrived('bob', 1_000));
    one.take();
    one.send(invite(3, ['dave'], ['inv-d']));
    expect(one.take()).toEqual([out.refused(3, 'only the inviter of a group call, while it is live, can invite more people into it')]);
  });

  it('after the hang-up -> refused (the call is ending)', () => {
    const h = talking();
    h.send(cmd.hangup(4));
    h.take();
    h.send(invite(9, ['dave'], ['inv-d']));
    expect(h.take()).toEqual([out.refused(9, 'the call is ending')]);
  });
});
