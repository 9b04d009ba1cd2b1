/**
 * The backlog rule of the embedded and memory backends (`withoutSettled`): a settled invitation and
 * what settled it are dropped; nothing else is (Tencent's replay, which also drops every answer of a
 * call it never had, reads the same `settledIn`: test/tencent/replayable.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { withoutSettled } from '../../adapters/settledInvitations';

const data = JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, room_id: 9, data: { cmd: 'audioCall', room_id: 9, message: '' } });
const msg = (id: string, from: string, sentAt: number, envelope: Record<string, unknown>) => ({
  id,
  from,
  sentAt,
  payload: JSON.stringify({ businessID: 1, inviteeList: [], timeout: 0, groupID: '', data, ...envelope }),
});
const group = msg('invite', 'alice', 1000, { inviteID: 'X', inviter: 'alice', actionType: 1, inviteeList: ['bob', 'carol'], timeout: 30 });
const oneToOne = msg('invite', 'alice', 1000, { inviteID: 'Y', inviter: 'alice', actionType: 1, inviteeList: ['bob'], timeout: 30 });
const answer = (id: string, from: string, inviteID: string, actionType: number, sentAt = 1500) => msg(id, from, sentAt, { inviteID, inviter: 'alice', actionType, inviteeList: [from] });
const told = (messages: ReturnType<typeof msg>[]) => withoutSettled(messages, 'bob').kept.map((m) => m.id);

describe('withoutSettled: what a backlog tells', () => {
  it("Alice's cancel or timeout notice after her invitation: neither is told", () => {
    expect(told([oneToOne, msg('cancel', 'alice', 1500, { inviteID: 'Y', inviter: 'alice', actionType: 2, inviteeList: ['bob'] })])).toEqual([]);
    expect(told([group, msg('timeout', 'alice', 1500, { inviteID: 'X', inviter: 'alice', actionType: 5, inviteeList: ['bob'] })])).toEqual([]);
  });

  it("Bob's own answer (another device of his) settles it, in a group call too: neither is told", () => {
    for (const actionType of [3, 4]) {
      expect(told([oneToOne, answer('mine', 'bob', 'Y', actionType)])).toEqual([]);
      expect(told([group, answer('mine', 'bob', 'X', actionType)])).toEqual([]);
    }
  });

  it("a group call: Carol's answer settles nothing for Bob: both are told, in order", () => {
    for (const actionType of [3, 4, 5]) expect(told([group, answer('hers', 'carol', 'X', actionType)])).toEqual(['invite', 'hers']);
  });

  it('an answer or cancel whose invitation is not in the backlog (it rang before) is told', () => {
    expect(told([answer('mine', 'bob', 'Y', 3), msg('cancel', 'alice', 1600, { inviteID: 'Y', inviter: 'alice', actionType: 2, inviteeList: ['bob'] })])).toEqual(['mine', 'cancel']);
  });

  it("Mallory's cancel under Alice's inviteID, or one of Alice's sent before the invitation: the invitation rings, the cancel is told", () => {
    expect(told([oneToOne, msg('forged', 'mallory', 1500, { inviteID: 'Y', inviter: 'mallory', actionType: 2, inviteeList: ['bob'] })])).toEqual(['invite', 'forged']);
    expect(told([msg('early', 'alice', 900, { inviteID: 'Y', inviter: 'alice', actionType: 2, inviteeList: ['bob'] }), oneToOne])).toEqual(['early', 'invite']);
  });

  it('what is no call signal, and the other calls of the backlog, are told around a settled one', () => {
    const other = msg('other', 'dave', 1200, { inviteID: 'Z', inviter: 'dave', actionType: 1, inviteeList: ['bob'], timeout: 30 });
    const text = { id: 'text', from: 'alice', sentAt: 1300, payload: 'hello' };
    expect(told([oneToOne, other, text, answer('mine', 'bob', 'Y', 4)])).toEqual(['other', 'text']);
    expect(withoutSettled([oneToOne, other, text, answer('mine', 'bob', 'Y', 4)], 'bob').dropped.map((m) => m.id)).toEqual(['invite', 'mine']);
  });
});
