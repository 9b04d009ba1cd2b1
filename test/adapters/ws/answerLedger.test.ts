/**
 * The many-devices answer ledger's bounds: what one room remembers is capped, so a client that
 * invites into its own room again and again cannot make each step (or the memory) grow.
 */
import { describe, expect, it } from 'vitest';
import { AnswerLedger } from '../../../adapters/ws/answerLedger';

describe('AnswerLedger bounds', () => {
  it(`remembers the newest ${AnswerLedger.ROOM_INVITES} invitations of a room: older ones (and the claims on them) are forgotten`, () => {
    const ledger = new AnswerLedger<string>();
    ledger.invited('alice', 'inv-1', 7, ['bob']);
    expect(ledger.enter('bob', 'phone', 7)).toBe(true);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false);
    for (let i = 0; i < AnswerLedger.ROOM_INVITES - 1; i++) ledger.invited('alice', `other-${i}`, 7, ['carol']);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false); // inv-1 is still among the newest
    ledger.invited('alice', 'one-more', 7, ['carol']);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(true);
  });

  it('an invitation of another inviter under the same inviteID is another invitation: an answer to it settles nothing of the first', () => {
    const ledger = new AnswerLedger<string>();
    ledger.invited('alice', 'X', 42, ['bob']);
    ledger.invited('mallory', 'X', 4242, ['bob']);
    expect(ledger.pass('bob', 'laptop', { inviteID: 'X', inviter: 'mallory', kind: 'timeout' }, ['phone', 'laptop'])).toBe(true);
    expect(ledger.enter('bob', 'phone', 42)).toBe(true);
    expect(ledger.pass('bob', 'phone', { inviteID: 'X', inviter: 'alice', kind: 'accept' }, ['phone', 'laptop'])).toBe(true);
    expect(ledger.pass('bob', 'laptop', { inviteID: 'X', inviter: 'alice', kind: 'reject' }, ['phone', 'laptop'])).toBe(false);
  });
});
