/**
 * The many-devices answer ledger's bounds: what one room remembers is capped, so a client that
 * invites into its own room again and again cannot make each step (or the memory) grow.
 */
import { describe, expect, it } from 'vitest';
import { AnswerLedger } from '../../../adapters/ws/answerLedger';

describe('AnswerLedger bounds', () => {
  it(`remembers the newest ${AnswerLedger.ROOM_INVITES} invitations of a room: older ones (and the claims on them) are forgotten`, () => {
    const ledger = new AnswerLedger<string>();
    ledger.invited('inv-1', 7, ['bob']);
    expect(ledger.enter('bob', 'phone', 7)).toBe(true);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false);
    for (let i = 0; i < AnswerLedger.ROOM_INVITES - 1; i++) ledger.invited(`other-${i}`, 7, ['carol']);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false); // inv-1 is still among the newest
    ledger.invited('one-more', 7, ['carol']);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(true);
  });
});
