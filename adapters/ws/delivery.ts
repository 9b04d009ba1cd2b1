/**
 * A message's way to the app and the requests around it: a message is told to its listeners and
 * confirmed once they took it (or once one that deferred it says so), the requests they send meanwhile
 * are held and written in order once it is taken (they carry its receipt), and every request written
 * while logged in carries the receipt waiting for one and, now and then, the answers we hold (see
 * protocol.ts). It stands alone because it is the one place that orders what a connection writes:
 * the connection decides when a socket is there to write to and who is logged in (`WsConnection`).
 */
import type { Inbox } from './inbox';
import type { Listeners } from './listeners';
import type { ServerFrameOf } from './protocol';
import { type Pending, type PendingRequests, withFolded } from './requests';
import { OPEN, type WebSocketLike } from './socket';

/** Answers received between two `answered` told to the server: what it remembers for us at most, about. */
export const ANSWERED_STEP = 4;

/** A connection's messages to the app and its requests to the socket, in order (`WsConnection` holds one). */
export class Delivery {
  /** The last `answered` told to the server in this session. */
  toldAnswered = 0;
  /** While a message's listeners run (and their answers go): the requests they send, sent in order once it is taken (they carry its receipt). */
  private answering: Pending[] | null = null;

  constructor(
    private readonly messages: Listeners<ServerFrameOf<'message'> & { readonly defer: () => () => void }>,
    private readonly pending: PendingRequests,
    private readonly inbox: Inbox,
    /** The connection's socket now, if any. */
    private readonly socket: () => WebSocketLike | null,
    /** Logged in and not logging out: receipts may ride on requests. */
    private readonly folds: () => boolean,
  ) {}

  /** Tells the app of a message; it is confirmed once its listeners took it (or once one that deferred it says so). */
  deliver(frame: ServerFrameOf<'message'>, taken: () => void): void {
    let deferred = false;
    // Nested in another's listeners, or while their answers are written (a socket that delivers at
    // once): its answers join that line, behind the ones asked for before.
    const outermost = this.answering === null;
    const answers = (this.answering ??= []);
    try {
      this.messages.emit({ ...frame, defer: () => ((deferred = true), taken) });
    } finally {
      // Taken once its listeners returned, even if the error handler threw (else it holds back every later receipt).
      if (!deferred) taken();
      if (outermost) {
        try {
          for (let i = 0; i < answers.length; i++) this.write(answers[i] as Pending);
        } finally {
          this.answering = null;
        }
      }
    }
  }

  transmit(entry: Pending): void {
    if (this.answering) this.answering.push(entry);
    else this.write(entry);
  }

  private write(entry: Pending): void {
    const socket = this.socket();
    if (entry.sent || socket?.readyState !== OPEN) return;
    entry.sent = true;
    if (!this.folds() || !this.inbox.folding) return socket.send(entry.text);
    // A receipt waiting for a request rides on this one, and now and then the answers we hold
    // (written first, in this order: see protocol.ts).
    const upTo = this.inbox.claim();
    const answered = (this.pending.lowestRid() ?? entry.rid) - 1;
    const tell = answered - this.toldAnswered >= ANSWERED_STEP;
    const text = withFolded(entry.text, `${upTo === undefined ? '' : `"received":${upTo},`}${tell ? `"answered":${answered},` : ''}`);
    // A request at the size limit has no room for them: the receipt goes alone, the rest with the next.
    if (text === null && upTo !== undefined) socket.send(JSON.stringify({ type: 'received', upTo }));
    if (tell && text !== null) this.toldAnswered = answered;
    socket.send(text ?? entry.text);
  }
}
