/**
 * How our group caller's hang-up withdraws an IM group call's invitees still ringing (`hangupRequests`,
 * machines/callModel.ts `withdrawals`): through the group as Tencent's caller, C2C where an invitee
 * answered busy. Taken out of callPlans.test.ts, which keeps the other requests.
 */
import { describe, expect, it } from 'vitest';
import { type CallContext, hangupRequests, initialContext } from '../../machines/callModel';
import type { InviteeStatus } from '../../machines/inviteeMachine';
import { callerInput } from '../support/machineHarness';

const ctx = (over: Partial<CallContext> = {}): CallContext => ({ ...initialContext(callerInput()), ...over });
const group = (roster: Record<string, InviteeStatus>, over: Partial<CallContext> = {}): CallContext =>
  ctx({ invitees: Object.keys(roster), isGroup: true, groupID: 'g1', roster, ...over });
const peer = (userID: string) => ({ userID, audio: false, video: false });
const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;

describe('an IM group call\'s withdrawal', () => {
  it('an IM group call withdraws who still rings through the group, as Tencent\'s caller: a CANCEL naming them while nobody answered; once someone did, our caller\'s timeout notice naming them (call-engine-js 3.3.4 ignores a CANCEL then), which those in the call hear too; an invitation of its own (inviteUser()\'s) is cancelled C2C; nobody pending -> no request', () => {
    const timeout = (to: object, invitees: string[]) => ({ type: 'im.send', to, signal: expect.objectContaining({ kind: 'timeout', ...base, groupID: 'g1', invitees, roomID: 42 }), onlineUserOnly: false });
    expect(hangupRequests(group({ bob: 'joined', carol: 'pending', dave: 'pending' }))).toEqual([timeout({ groupID: 'g1' }, ['carol', 'dave'])]);
    // A member back in the room after leaving is 'left' in the roster: someone answered.
    const wide = group({ bob: 'accepted', erin: 'left', carol: 'pending', dave: 'pending' }, { present: [peer('erin')], inviteIDs: { dave: 'inv-9' } });
    expect(hangupRequests(wide).flatMap((r) => (r.type === 'im.send' && (r.signal.kind === 'timeout' || r.signal.kind === 'cancel') ? [[r.signal.kind, r.to, r.signal.invitees]] : []))).toEqual([
      ['timeout', { groupID: 'g1' }, ['carol']],
      ['cancel', { users: ['dave'] }, ['dave']],
    ]);
    // Nobody answered yet: one CANCEL through the group, naming who still rings.
    expect(hangupRequests(group({ bob: 'rejected', carol: 'pending', dave: 'pending' }))).toEqual([
      { type: 'im.send', to: { groupID: 'g1' }, signal: { kind: 'cancel', ...base, groupID: 'g1', invitees: ['carol', 'dave'] }, onlineUserOnly: false },
    ]);
    // A C2C group call: each member's invitation named its invitee alone (a 1v1 call to Tencent's), a CANCEL each, nothing to tell.
    expect(hangupRequests(group({ bob: 'joined', carol: 'pending', dave: 'pending' }, { groupID: '' })).map((r) => r.type === 'im.send' && r.signal.kind)).toEqual(['cancel', 'cancel']);
    expect(hangupRequests(ctx({ roster: { bob: 'joined' } }))).toEqual([]);
  });

  it('an IM group call where an invitee answered busy: who still rings is told C2C (a trtc-calling-js busy in another call holds the group\'s invitation and ends that call on any group CANCEL or timeout of it): a CANCEL each while nobody answered; once someone did, our caller\'s timeout notice to each, naming it first, then the others still ringing, and the same notice to each in the call, never to the busy one', () => {
    const timeout = (to: string, invitees: string[]) => ({ type: 'im.send', to: { users: [to] }, signal: expect.objectContaining({ kind: 'timeout', ...base, groupID: 'g1', invitees, roomID: 42 }), onlineUserOnly: false });
    expect(hangupRequests(group({ bob: 'joined', fay: 'busy', carol: 'pending', dave: 'pending' }))).toEqual([
      timeout('carol', ['carol', 'dave']),
      timeout('dave', ['dave', 'carol']),
      timeout('bob', ['carol', 'dave']),
    ]);
    const cancels = [
      { type: 'im.send', to: { users: ['carol'] }, signal: { kind: 'cancel', ...base, invitees: ['carol'] }, onlineUserOnly: false },
      { type: 'im.send', to: { users: ['dave'] }, signal: { kind: 'cancel', ...base, invitees: ['dave'] }, onlineUserOnly: false },
    ];
    expect(hangupRequests(group({ fay: 'busy', carol: 'pending', dave: 'pending' }))).toEqual(cancels);
  });
});
