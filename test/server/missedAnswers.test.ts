/**
 * Many devices: the answers kept for a device that cannot take them now (`server/missedAnswers.ts`), at most the
 * newest 16. A device back as a new session is handed its user's other devices' answers from the journal
 * (`Mailer.recallAnswers`), after one kept live meanwhile; before 2026-12-06 (late) the cap dropped the first kept,
 * so past 16 recalled answers the newest one, just answered live, was lost and its invitation rang on.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../server/session';
import { keepMissed, keepRecalled, MISSED_ANSWERS } from '../../server/missedAnswers';
import type { Body } from '../../server/store';

const body = (n: number, sentAt: number): Body => ({ id: n, msgID: `m${n}`, from: 'alice', groupID: null, payload: `answer ${n}`, sentAt, expiresAt: sentAt + 1, call: null });
/** What the two functions read of a session: its kept answers and what it was handed. */
const session = () => ({ missedAnswers: null, inflight: [] }) as unknown as Session;
const kept = (s: Session) => (s.missedAnswers ?? []).map((k) => k.body.msgID);

describe('answers kept for a device, at most the newest 16', () => {
  it('one answer kept live, then 16 older recalled from the journal -> the oldest recalled goes, the live one stays', () => {
    const s = session();
    keepMissed(s, body(100, 5_000), 7);
    keepRecalled(s, Array.from({ length: MISSED_ANSWERS }, (_, i) => body(i + 1, 1_000 + i)), 9);
    expect(kept(s)).toEqual(['m100', ...Array.from({ length: MISSED_ANSWERS - 1 }, (_, i) => `m${i + 2}`)]);
  });

  it('the live one and 16 recalled sent in the same millisecond -> the oldest by body id goes, not the live one', () => {
    const s = session();
    keepMissed(s, body(100, 1_000), 7);
    keepRecalled(s, Array.from({ length: MISSED_ANSWERS }, (_, i) => body(i + 1, 1_000)), 9);
    expect(kept(s)).toEqual(['m100', ...Array.from({ length: MISSED_ANSWERS - 1 }, (_, i) => `m${i + 2}`)]);
  });

  it('17 kept live in the order sent -> the first goes, the order stays', () => {
    const s = session();
    for (let i = 1; i <= MISSED_ANSWERS + 1; i++) keepMissed(s, body(i, 1_000 + i), i);
    expect(kept(s)).toEqual(Array.from({ length: MISSED_ANSWERS }, (_, i) => `m${i + 2}`));
  });
});
