/**
 * TSignaling's offline replay (spec 1.7 step 3) rings only invitations whose last action is the
 * invitation itself. Which later actions count (the review of 2026-12-04): only what a party to the
 * invitation sent (its inviter, an invitee), no earlier than it. Before, any non-invite naming its
 * inviteID dropped it, whoever sent it: a member of the IM group a call went through, who sees its
 * inviteID, could send Bob (offline) one C2C cancel and Bob's replay never rang for Alice's call.
 */
import { describe, expect, it } from 'vitest';
import { TIM_TYPES } from '../../adapters/tencent/sdk';
import { replayable, type TimCustomMessage } from '../../adapters/tencent/timMessages';

const data = JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, room_id: 9, data: { cmd: 'audioCall', room_id: 9, message: '' } });
const msg = (ID: string, from: string, time: number, envelope: Record<string, unknown>): TimCustomMessage => ({
  ID,
  type: TIM_TYPES.MSG_CUSTOM,
  from,
  to: 'bob',
  conversationType: 'C2C',
  time,
  payload: { data: JSON.stringify({ businessID: 1, inviteeList: [], timeout: 0, groupID: '', ...envelope }) },
});
const invite = msg('1', 'alice', 1000, { inviteID: 'X', inviter: 'alice', actionType: 1, inviteeList: ['bob', 'carol'], data, timeout: 30 });
const ids = (messages: TimCustomMessage[]) => replayable(messages).map((m) => m.ID);

describe('offline replay: what settles an invitation', () => {
  it("a cancel from Mallory (no party to it) naming Alice's invitation: it still rings", () => {
    expect(ids([invite, msg('2', 'mallory', 1001, { inviteID: 'X', inviter: 'mallory', actionType: 2, inviteeList: ['bob'], data })])).toEqual(['1']);
  });

  it('a cancel from Alice sent before her invitation (never so: a forged order) does not settle it', () => {
    expect(ids([msg('0', 'alice', 999, { inviteID: 'X', inviter: 'alice', actionType: 2, inviteeList: ['bob'], data }), invite])).toEqual(['1']);
  });

  it("Alice's own cancel in the same second or later, or Carol's accept (an invitee): settled, nothing rings", () => {
    expect(ids([invite, msg('2', 'alice', 1000, { inviteID: 'X', inviter: 'alice', actionType: 2, inviteeList: ['bob'], data })])).toEqual([]);
    expect(ids([invite, msg('3', 'carol', 1004, { inviteID: 'X', inviter: 'alice', actionType: 3, inviteeList: ['carol'], data })])).toEqual([]);
  });
});
