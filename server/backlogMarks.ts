/**
 * Where a login's backlog ends, told to a client that asks (`backlog: true` in its `login`): the
 * client holds what comes before the mark and tells its app nothing of an invitation settled while
 * it was away, nor of what settled it (`adapters/ws/backlog.ts`). The backlog is what this connection
 * is handed from the store (everything unconfirmed, in delivery order, with what came meanwhile) and,
 * many devices, the answers its user's other devices gave, kept or recalled for it: one of them may
 * be what settled a stored invitation. The payloads stay opaque here: the server only says where the
 * backlog ends. Taken out of `mail.ts`, which calls it as it pages.
 */
import type { Session } from './session';

/**
 * What the mark waits for besides the paging: `recall`, its user's answers recalled for it (many
 * devices, a new session: `Mailer.recallAnswers`); `stream` (a cluster node), the login's take-in of
 * what waits in its user's Redis stream (`cluster/mailbox.ts`): on a cluster the local store holds
 * none of what was sent to a user while away, so a mark after its pages came before those copies.
 * Each is cleared on every path of what it waits for, or the client would hold its backlog for ever.
 */
export interface CatchUp {
  recall: boolean;
  stream: boolean;
  /** The session's last `seq` when its client last heard `more: true` (null: not yet): one mark per full window. */
  marked: number | null;
}

/**
 * The session's new connection is to be told where its backlog ends (`asked`), once the answers are
 * recalled for it (`recalling`) and the stream taken in (`streaming`), if they are.
 */
export function markBacklog(session: Session, asked: boolean, recalling: boolean, streaming: boolean): void {
  session.catchUp = asked ? { recall: recalling, stream: streaming, marked: null } : null;
}

/** The answers recalled for the session are kept for it (or their read failed): its backlog may end once they are handed. */
export function recalled(session: Session): void {
  if (session.catchUp) session.catchUp.recall = false;
}

/** Cluster: the login's take-in from its user's stream ended (committed, found nothing, failed, or put on back-off). */
export function streamed(session: Session): void {
  if (session.catchUp) session.catchUp.stream = false;
}

/**
 * The paging stopped: the session's client hears that its backlog was all handed (`more: false`,
 * once), or, its window of unconfirmed copies full (`windowFull`), that what it holds is all it gets
 * until it confirms some (`more: true`; else it would wait for the end and never confirm). Stopped for
 * a socket backed up, it hears nothing: the drain pages on. `more: true` goes once per full window:
 * the paging runs again on a window still full (the login's, then its take-in's or recall's, a socket's
 * drain), and only if something was handed since the last does it say so again. A client took each as
 * a new page, and on the repeated one told the oldest invitation it held, which rang, then stopped
 * at its cancel (before 2026-12-07 night; the client now takes such a repeat as no page as well).
 */
export function tellBacklog(session: Session, windowFull: boolean): void {
  const { conn, catchUp } = session;
  if (catchUp === null || catchUp.recall || catchUp.stream || conn === null) return;
  const done = !session.backlog && session.missedAnswers === null;
  if (!done && !windowFull) return;
  if (done) session.catchUp = null;
  else if (catchUp.marked === session.seq) return; // nothing handed since its last mark
  else catchUp.marked = session.seq;
  conn.send({ type: 'backlog', more: !done });
}
