/**
 * Where a login's backlog ends, told to a client that asks (`backlog: true` in its `login`): the
 * client holds what comes before the mark and tells its app nothing of an invitation settled while
 * it was away, nor of what settled it (`adapters/ws/backlog.ts`). The backlog is what this connection
 * is handed from the store (everything unconfirmed, in delivery order, with what came meanwhile) and,
 * many devices, the answers its user's other devices gave, kept or recalled for it: one of them may
 * be what settled a stored invitation. The payloads stay opaque here: the server only says where the
 * backlog ends. Taken out of `mail.ts`, which calls it as it pages.
 */
import type { Session } from './conn';

/**
 * The session's new connection is to be told where its backlog ends (`asked`); `recalling`: its
 * user's answers are recalled for it first (many devices, a new session: `Mailer.recallAnswers`).
 */
export function markBacklog(session: Session, asked: boolean, recalling: boolean): void {
  session.catchUp = !asked ? null : recalling ? 'recall' : 'pages';
}

/** The answers recalled for the session are kept for it: its backlog may end once they are handed. */
export function recalled(session: Session): void {
  if (session.catchUp === 'recall') session.catchUp = 'pages';
}

/**
 * The paging stopped: the session's client hears that its backlog was all handed (`more: false`,
 * once), or, its window of unconfirmed copies full (`windowFull`), that what it holds is all it gets
 * until it confirms some (`more: true`; else it would wait for the end and never confirm). Stopped for
 * a socket backed up, it hears nothing: the drain pages on.
 */
export function tellBacklog(session: Session, windowFull: boolean): void {
  const conn = session.conn;
  if (session.catchUp !== 'pages' || conn === null) return;
  const done = !session.backlog && session.missedAnswers === null;
  if (!done && !windowFull) return;
  if (done) session.catchUp = null;
  conn.send({ type: 'backlog', more: !done });
}
