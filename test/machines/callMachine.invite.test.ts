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
