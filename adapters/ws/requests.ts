/**
 * The requests of one connection that have no answer yet, in `rid` order: each with its
 * timeout on the injected clock, sent now or later, again after a reconnect.
 */
import * as v from 'valibot';
import type { Clock, TimerId } from '../clock';
import { UNKNOWN, WsPortError } from './errors';
import { MAX_FRAME_BYTES, clientFrameSchemaOf, describeIssues, utf8Length, type ClientRequest, type ReplyFrame } from './protocol';

/** One request waiting for its answer. */
export interface Pending {
  readonly rid: number;
  readonly text: string;
  /** Sent again after a reconnect (everything but keepalive pings). */
  readonly replay: boolean;
  /** Written to the current socket. */
  sent: boolean;
  readonly timer: TimerId;
  readonly resolve: (reply: ReplyFrame) => void;
  readonly reject: (error: Error) => void;
}

/** Checks a request as the server will, so that a client bug is refused here and costs no strike there. */
export function encodeRequest(request: ClientRequest, rid: number): string {
  const frame = { ...request, rid };
  // The request's type picks its schema: one object schema checked, not a search among them all.
  const schema = clientFrameSchemaOf(request.type);
  const valid = schema === undefined ? undefined : v.safeParse(schema, frame);
  if (valid === undefined) throw new WsPortError(UNKNOWN, `invalid request type ${JSON.stringify(String(request.type).slice(0, 40))}`, 'badFrame');
  if (!valid.success) throw new WsPortError(UNKNOWN, `invalid ${request.type}: ${describeIssues(valid.issues)}`, 'badFrame');
  const text = JSON.stringify(frame);
  if (utf8Length(text) > MAX_FRAME_BYTES) throw new WsPortError(UNKNOWN, `${request.type} is over ${MAX_FRAME_BYTES} bytes`, 'tooLarge');
  return text;
}

/**
 * A request's text with `folded` (members a request may carry, see protocol.ts: `"received":N,`)
 * written first, or `null` when that would take it past {@link MAX_FRAME_BYTES}.
 */
export function withFolded(text: string, folded: string): string | null {
  if (folded === '') return text;
  const out = `{${folded}${text.slice(1)}`;
  // At most 3 UTF-8 bytes per UTF-16 unit: a short frame needs no count.
  return out.length * 3 <= MAX_FRAME_BYTES || utf8Length(out) <= MAX_FRAME_BYTES ? out : null;
}

/** The unanswered requests of a connection. */
export class PendingRequests {
  private readonly table = new Map<number, Pending>();

  /** @param onTimeout called (after the request was rejected) when one runs out of time */
  constructor(
    private readonly clock: Clock,
    private readonly onTimeout: (entry: Pending) => void,
  ) {}

  /** Registers a request; the promise settles with its answer, its refusal or its timeout. */
  add(rid: number, text: string, replay: boolean, timeoutMs: number, timeoutError: () => Error): { entry: Pending; answer: Promise<ReplyFrame> } {
    let entry!: Pending;
    const answer = new Promise<ReplyFrame>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.table.get(rid) !== entry) return;
        this.fail(rid, timeoutError());
        this.onTimeout(entry);
      }, timeoutMs);
      entry = { rid, text, replay, sent: false, timer, resolve, reject };
    });
    this.table.set(rid, entry);
    return { entry, answer };
  }

  /** The `rid` of the oldest unanswered request (rids grow, and the table keeps their order). */
  lowestRid(): number | undefined {
    const first = this.table.keys().next();
    return first.done ? undefined : first.value;
  }

  /** Every unanswered request, oldest first. */
  all(): Pending[] {
    return [...this.table.values()];
  }

  answer(rid: number, reply: ReplyFrame): void {
    const entry = this.take(rid);
    entry?.resolve(reply);
  }

  fail(rid: number, error: Error): void {
    const entry = this.take(rid);
    entry?.reject(error);
  }

  failAll(error: Error): void {
    for (const rid of [...this.table.keys()]) this.fail(rid, error);
  }

  /** The socket is gone: nothing is sent any more; requests that must not be replayed fail. */
  unsend(error: Error): void {
    for (const entry of this.all()) {
      entry.sent = false;
      if (!entry.replay) this.fail(entry.rid, error);
    }
  }

  private take(rid: number): Pending | undefined {
    const entry = this.table.get(rid);
    if (!entry) return undefined;
    this.table.delete(rid);
    this.clock.clearTimeout(entry.timer);
    return entry;
  }
}
