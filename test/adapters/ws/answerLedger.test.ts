/**
 * The many-devices answer ledger's bounds: what one room remembers is capped, so a client that
 * invites into its own room again and again cannot make each step (or the memory) grow.
 */
import { describe, expect, it } from 'vitest';
import { AnswerLedger } from '../../../adapters/ws/answerLedger';

describe('AnswerLedger bounds', () => {
  it(`a room keeps ${AnswerLedger.ROOM_INVITES} invitations; past that an invitation each of whose invitees a newer one names goes (re-inviting Carol again and again grows nothing), never one that still counts for someone`, () => {
    const ledger = new AnswerLedger<string>();
    ledger.invited('alice', 'inv-1', 7, ['bob']);
    expect(ledger.enter('bob', 'phone', 7)).toBe(true);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false);
    for (let i = 0; i < 100; i++) ledger.invited('alice', `other-${i}`, 7, ['carol']);
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false); // inv-1 still counts for Bob
    ledger.invited('alice', 'inv-2', 7, ['bob']); // Bob invited again: inv-1 counts for nobody now
    expect(ledger.enter('bob', 'laptop', 7)).toBe(true);
  });

  it(`a room's invitations that all still count: at most ${AnswerLedger.ROOM_INVITES_MAX}, the oldest going past it`, () => {
    const ledger = new AnswerLedger<string>();
    for (let i = 0; i <= AnswerLedger.ROOM_INVITES_MAX; i++) ledger.invited('alice', `inv-${i}`, 7, [`user${i}`]);
    expect(ledger.enter('user0', 'phone', 7)).toBe(true);
    expect(ledger.enter('user0', 'laptop', 7)).toBe(true); // inv-0 went: past the bound
    expect(ledger.enter('user1', 'phone', 7)).toBe(true);
    expect(ledger.enter('user1', 'laptop', 7)).toBe(false);
  });

  it(`a room's invitations name at most ${AnswerLedger.ROOM_NAMES_MAX} invitees in all: each naming all but the invitees before it still counts, the oldest go`, () => {
    const ledger = new AnswerLedger<string>();
    const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
    for (let i = 0; i < 100; i++) ledger.invited('alice', `inv-${i}`, 7, users.slice(i));
    expect(ledger.enter('user0', 'phone', 7)).toBe(true);
    expect(ledger.enter('user0', 'laptop', 7)).toBe(true); // inv-0 went: 100 + 99 + ... is past the bound
    expect(ledger.enter('user99', 'phone', 7)).toBe(true);
    expect(ledger.enter('user99', 'laptop', 7)).toBe(false);
  });

  it(`invitations that reach nobody (a group invitation naming none of the group) push out none that counts, however many (${AnswerLedger.ROOM_INVITES_MAX + 1})`, () => {
    const ledger = new AnswerLedger<string>();
    ledger.invited('dave', 'inv-alice', 7, ['alice']);
    expect(ledger.enter('alice', 'phone', 7)).toBe(true);
    for (let i = 0; i <= AnswerLedger.ROOM_INVITES_MAX; i++) ledger.invited('mallory', `empty-${i}`, 7, []);
    expect(ledger.enter('alice', 'laptop', 7)).toBe(false);
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
  it(`a user's answers past the newest ${AnswerLedger.PER_USER}: one to an invitation that still counts is kept (her other device stays out), and goes when its room's grant ends`, () => {
    const journaled = new Map<string, unknown>();
    const ledger = new AnswerLedger<string>({
      verdict: (userID, key, verdict) => (verdict === undefined ? journaled.delete(`${userID} ${key}`) : journaled.set(`${userID} ${key}`, verdict)),
      cleared: (userID, keys) => keys.forEach((key) => journaled.delete(`${userID} ${key}`)),
      room: () => undefined,
      recall: () => [],
    });
    ledger.invited('alice', 'inv-1', 7, ['bob']);
    expect(ledger.pass('bob', 'phone', { inviteID: 'inv-1', inviter: 'alice', kind: 'reject' }, ['phone', 'laptop'])).toBe(true);
    for (let i = 0; i < 2 * AnswerLedger.PER_USER; i++) {
      ledger.invited('mallory', `m-${i}`, 100 + i, ['bob']);
      ledger.pass('bob', 'phone', { inviteID: `m-${i}`, inviter: 'mallory', kind: 'busy' }, ['phone', 'laptop']);
      if (i % 2 === 0) ledger.forgetRoom(100 + i); // half of Mallory's calls are over
    }
    expect(ledger.enter('bob', 'laptop', 7)).toBe(false);
    expect(ledger.pass('bob', 'laptop', { inviteID: 'inv-1', inviter: 'alice', kind: 'accept' }, ['phone', 'laptop'])).toBe(false);
    // Kept: the decline, the newest 32, and the answers to Mallory's calls still going on; none of those that are over.
    expect(journaled.size).toBe(1 + AnswerLedger.PER_USER + AnswerLedger.PER_USER / 2);
    ledger.forgetRoom(7);
    for (let i = 1; i < 2 * AnswerLedger.PER_USER; i += 2) ledger.forgetRoom(100 + i);
    expect(journaled.size).toBe(AnswerLedger.PER_USER); // those past the newest went with their rooms
  });
});

describe('AnswerLedger: answers kept past the newest', () => {
  it(`an answer kept past the newest ${AnswerLedger.PER_USER} whose invitation is sent again naming others only counts no more: it goes (at the latest with its room), not kept while its user stays online`, () => {
    const journaled = new Map<string, unknown>();
    const ledger = new AnswerLedger<string>({
      verdict: (userID, key, verdict) => (verdict === undefined ? journaled.delete(`${userID} ${key}`) : journaled.set(`${userID} ${key}`, verdict)),
      cleared: (userID, keys) => keys.forEach((key) => journaled.delete(`${userID} ${key}`)),
      room: () => undefined,
      recall: () => [],
    });
    // Mallory rings Bob in rooms of her own, his phone in a call answers each busy by itself; past the newest 32 each
    // is kept while it counts. She then sends each invitation again naming Carol only (Bob's answer counts no more),
    // and her calls end: what she made the ledger keep for Bob should be gone with them.
    const ROUNDS = 3 * AnswerLedger.PER_USER;
    for (let i = 0; i < ROUNDS; i++) {
      ledger.invited('mallory', `m-${i}`, 100 + i, ['bob']);
      ledger.pass('bob', 'phone', { inviteID: `m-${i}`, inviter: 'mallory', kind: 'busy' }, ['phone', 'laptop']);
    }
    for (let i = 0; i < ROUNDS; i++) ledger.invited('mallory', `m-${i}`, 100 + i, ['carol']);
    for (let i = 0; i < ROUNDS; i++) ledger.forgetRoom(100 + i);
    // Bob's newest 32 stay (as before f56df0c); none of those past them is kept for an invitation that counts for nobody.
    expect(journaled.size).toBe(AnswerLedger.PER_USER);
    expect((ledger as unknown as { kept: Map<string, Map<string, unknown>> }).kept.get('bob')?.size ?? 0).toBe(0);
  });
});
