/**
 * TSignaling's offline replay (spec 1.7 step 3) rings only invitations whose last action is the
 * invitation itself. Which later actions count (the review of 2026-12-04): only what a party to the
 * invitation sent (its inviter, an invitee), no earlier than it. Before, any non-invite naming its
 * inviteID dropped it, whoever sent it: a member of the IM group a call went through, who sees its
 * inviteID, could send Bob (offline) one C2C cancel and Bob's replay never rang for Alice's call.
 * And in a group call, only what concerns Bob (the review of 2026-12-05): another invitee's answer is
 * hers; before, Carol's reject (TUICallEngine sends it to the whole group) dropped Bob's invitation.
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
const ids = (messages: TimCustomMessage[]) => replayable(messages, 'bob', { nowMs: 1010_000, sinceMs: 1000_000 }).map((m) => m.ID);

describe('offline replay: what settles an invitation', () => {
  it("a cancel from Mallory (no party to it) naming Alice's invitation: it still rings", () => {
    expect(ids([invite, msg('2', 'mallory', 1001, { inviteID: 'X', inviter: 'mallory', actionType: 2, inviteeList: ['bob'], data })])).toEqual(['1']);
  });

  // An adversarial review (2026-12-05): the invitations were filed by inviteID alone, so Mallory's own under Alice's
  // inviteID made her its inviter, and her cancel settled Alice's.
  it("Mallory's own invitation under Alice's inviteID, then her cancel: Alice's still rings (Mallory's is settled)", () => {
    const hers = msg('2', 'mallory', 1001, { inviteID: 'X', inviter: 'mallory', actionType: 1, inviteeList: ['nobody'], data, timeout: 30 });
    expect(ids([invite, hers, msg('3', 'mallory', 1002, { inviteID: 'X', inviter: 'mallory', actionType: 2, inviteeList: ['nobody'], data })])).toEqual(['1']);
  });

  it('a cancel from Alice sent before her invitation (never so: a forged order) does not settle it', () => {
    expect(ids([msg('0', 'alice', 999, { inviteID: 'X', inviter: 'alice', actionType: 2, inviteeList: ['bob'], data }), invite])).toEqual(['1']);
  });

  it("Alice's own cancel in the same second or later, or her timeout: settled, nothing rings", () => {
    expect(ids([invite, msg('2', 'alice', 1000, { inviteID: 'X', inviter: 'alice', actionType: 2, inviteeList: ['bob'], data })])).toEqual([]);
    expect(ids([invite, msg('2', 'alice', 1035, { inviteID: 'X', inviter: 'alice', actionType: 5, inviteeList: ['bob', 'carol'], data })])).toEqual([]);
  });

  it("a group call: Carol's accept, reject or timeout (another invitee) leaves it ringing for Bob; Bob's own answer (another device of his) settles it", () => {
    for (const actionType of [3, 4, 5]) {
      expect(ids([invite, msg('3', 'carol', 1004, { inviteID: 'X', inviter: 'alice', actionType, inviteeList: ['carol'], data })])).toEqual(['1']);
    }
    expect(ids([invite, msg('3', 'bob', 1004, { inviteID: 'X', inviter: 'alice', actionType: 4, inviteeList: ['bob'], data })])).toEqual([]);
  });

  it('a 1v1 call: its invitee\'s answer settles it', () => {
    const oneToOne = msg('1', 'alice', 1000, { inviteID: 'Y', inviter: 'alice', actionType: 1, inviteeList: ['bob'], data, timeout: 30 });
    expect(ids([oneToOne, msg('2', 'bob', 1004, { inviteID: 'Y', inviter: 'alice', actionType: 3, inviteeList: ['bob'], data })])).toEqual([]);
  });
});
