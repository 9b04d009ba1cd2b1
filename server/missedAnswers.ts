/**
 * Many devices: the answers a session is handed beside its stored copies (what its user's other
 * devices answered, never stored for it): kept while it has no connection or no room on it, and for
 * a new session recalled from the answer journal (`Mailer.recallAnswers`), then handed after the
 * stored copies that came before them. Taken out of `conn.ts`.
 */
import type { Session } from './session';
import type { Body } from './store';

/** The most missed answers a session keeps (see `Session.missedAnswers`). */
export const MISSED_ANSWERS = 16;

/** An answer kept for a session, and the delivery id past which its stored copies came after it. */
export interface KeptAnswer {
  readonly body: Body;
  readonly after: number;
}

/**
 * Keeps an answer for a device away or with no room now (the newest {@link MISSED_ANSWERS} by the time they were sent,
 * then by body id: recalled ones come after those kept live, older though they are, and the first kept was the newest
 * to lose).
 */
export function keepMissed(session: Session, body: Body, after: number): void {
  const missed = (session.missedAnswers ??= []);
  missed.push({ body, after });
  if (missed.length <= MISSED_ANSWERS) return;
  let oldest = 0;
  for (let i = 1; i < missed.length; i++) if (older((missed[i] as KeptAnswer).body, (missed[oldest] as KeptAnswer).body)) oldest = i;
  missed.splice(oldest, 1);
}

/** Sent before `than`: by the time sent, and within one millisecond by the body id (ids grow as the server takes messages in). */
const older = (body: Body, than: Body) => body.sentAt < than.sentAt || (body.sentAt === than.sentAt && body.id < than.id);

/**
 * Keeps the answers a new session recalled (`bodies`, oldest first) but those it holds already: one sent after its
 * login, while the journal's write waited for the commit, reached it live (handed, or kept) and is in the journal too.
 */
export function keepRecalled(session: Session, bodies: readonly Body[], after: number): void {
  const held = new Set<string>();
  for (const kept of session.missedAnswers ?? []) held.add(kept.body.msgID);
  for (const copy of session.inflight) if (copy.answer) held.add(copy.answer.msgID);
  for (const body of bodies) if (!held.has(body.msgID)) keepMissed(session, body, after);
}
