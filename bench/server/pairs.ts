/**
 * One caller-callee pair of the load generator doing 1v1 setups, and exactly what our client
 * puts on the wire for one: the caller sends the invite; the callee gets it, confirms it
 * (`received`: folded into a request sent in the same turn, else alone when the turn ends, within
 * 50 ms of the last one that went alone at most once, as adapters/ws/inbox.ts does with a server that
 * says `foldedReceipts`; else batched per microtask) and sends the accept; the
 * caller gets the accept and confirms it, and once its invite is acknowledged sends the hangup;
 * the callee gets the hangup and confirms it. A setup is done when the caller has the hangup's
 * ack and the callee has the hangup and the accept's ack.
 *
 * The `bare` dialect is the same against the bare relay, minus what it does not have: login,
 * `seq`, receipts and pings.
 */
import { performance } from 'node:perf_hooks';
import { parseServerFrame } from '../../adapters/ws/protocol';
import { FOLD_AT_MOST, RECEIPT_DELAY_MS } from '../../adapters/ws/inbox';
import { ANSWERED_STEP } from '../../adapters/ws/delivery';
import { CALLS_PER_PAIR, type CallFrames, receiptFrame } from './payloads';
import type { RawWebSocket } from './rawWs';

/** Our server, or the bare relay. */
export type Dialect = 'ours' | 'bare';

/** Every how many received frames one is checked against `ServerFrameSchema` in full (ours only). */
const VALIDATE_EVERY = 64;

/** What the pairs count for the phase being measured. */
export class Counters {
  /** Only what happens between `from` and `to` (performance.now() ms) counts. */
  from = Number.POSITIVE_INFINITY;
  to = Number.POSITIVE_INFINITY;
  started = 0;
  setups = 0;
  /** Setups completed in the whole phase, its settling and draining included (what Redis's counters span). */
  completed = 0;
  messages = 0;
  framesOut = 0;
  framesIn = 0;
  validated = 0;
  /** Closed-loop setups that waited for the per-connection rate limit (the server would have refused them). */
  rateWaits = 0;
  readonly latencies: number[] = [];
  readonly errors = new Map<string, number>();
  readonly samples: string[] = [];

  counting(now: number): boolean {
    return now >= this.from && now < this.to;
  }

  error(kind: string, detail: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    if (this.samples.length < 5) this.samples.push(`${kind}: ${detail.slice(0, 200)}`);
  }
}

/** A client socket with its request ids, receipt state and a token bucket mirroring the server's rate limit. */
export class Client {
  rid = 0;
  private lastSeq = 0;
  private sentUpTo = 0;
  private receiptQueued = false;
  /** Folded: the spacing after a receipt that went alone (adapters/ws/inbox.ts), and whether one went early in it. */
  private spacing: NodeJS.Timeout | null = null;
  private early = false;
  /** Requests sent and not answered yet, and the last `answered` told. */
  private readonly outstanding = new Set<number>();
  private toldAnswered = 0;
  private tokens: number;
  private last = performance.now();
  private readonly flushReceipt = () => {
    this.receiptQueued = false;
    if (this.lastSeq <= this.sentUpTo) return;
    this.sentUpTo = this.lastSeq;
    this.send(receiptFrame(this.lastSeq));
    if (!this.folded) return;
    // Early, within a spacing (past FOLD_AT_MOST waiting): that spacing runs on, once per spacing.
    if (this.spacing !== null) return void (this.early = true);
    this.early = false;
    this.spacing = setTimeout(this.spacingEnds, RECEIPT_DELAY_MS);
  };
  private readonly spacingEnds = () => {
    this.spacing = null;
    this.flushReceipt();
  };

  constructor(
    readonly user: string,
    readonly ws: RawWebSocket,
    private readonly counters: () => Counters,
    private readonly rate: { readonly perMs: number; readonly burst: number },
    /** The server said `foldedReceipts`: receipts ride on requests (adapters/ws/inbox.ts). */
    private readonly folded = false,
  ) {
    this.tokens = rate.burst;
  }

  /**
   * Sends request `rid` (JSON text starting with `{`), carrying what adapters/ws/WsConnection.ts
   * folds into it: the waiting receipt, and every ANSWERED_STEP answers the rids answered.
   */
  request(text: string, rid: number): void {
    this.outstanding.add(rid);
    if (!this.folded) return this.send(text);
    let folded = '';
    if (this.lastSeq > this.sentUpTo) {
      this.sentUpTo = this.lastSeq;
      folded += `"received":${this.lastSeq},`;
    }
    const answered = Math.min(...this.outstanding) - 1;
    if (answered - this.toldAnswered >= ANSWERED_STEP) {
      this.toldAnswered = answered;
      folded += `"answered":${answered},`;
    }
    this.send(folded === '' ? text : `{${folded}${text.slice(1)}`);
  }

  /** The answer to request `rid` arrived. */
  answered(rid: number): void {
    this.outstanding.delete(rid);
  }

  send(text: string): void {
    this.ws.send(text);
    this.tokens -= 1;
    const c = this.counters();
    if (c.counting(performance.now())) c.framesOut++;
  }

  /** Whether `n` frames may go now without the server's rate limit refusing one. */
  has(n: number, now: number): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + (now - this.last) * this.rate.perMs);
    this.last = now;
    return this.tokens >= n;
  }

  /** Confirms `seq` (and everything before it): with a request sent in this turn when folded, else once the turn ends (or the spacing does). */
  receipt(seq: number): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.spacing !== null && (this.early || this.lastSeq - this.sentUpTo < FOLD_AT_MOST)) return;
    if (this.receiptQueued) return;
    this.receiptQueued = true;
    queueMicrotask(this.flushReceipt);
  }
}

/** A received frame, as far as the pairs read it. */
interface Frame {
  readonly type: string;
  readonly rid?: number;
  readonly seq?: number;
  readonly payload?: string;
  readonly code?: string;
  readonly message?: string;
}

/** A caller and a callee calling each other, one setup at a time. */
export class Pair {
  busy = false;
  broken = false;
  private call: CallFrames;
  private next = 0;
  private inviteAt = 0;
  private inviteRid = -1;
  private acceptRid = -1;
  private hangupRid = -1;
  private inviteAcked = false;
  private acceptSeen = false;
  private hangupSent = false;
  private callerDone = false;
  private calleeStage = 0;
  private acceptAcked = false;
  private seen = 0;
  /** Frames of a setup per side: caller invite + receipt + hangup, callee receipt + accept + receipt. */
  readonly framesPerSide: number;

  constructor(
    readonly dialect: Dialect,
    readonly caller: Client,
    readonly callee: Client,
    private readonly calls: readonly CallFrames[],
    private readonly counters: () => Counters,
    private readonly onDone: (pair: Pair) => void,
  ) {
    this.call = calls[0] as CallFrames;
    this.framesPerSide = dialect === 'ours' ? 3 : 2;
    caller.ws.onText = (text) => this.onFrame(true, text);
    callee.ws.onText = (text) => this.onFrame(false, text);
    for (const [who, ws] of [['caller', caller.ws], ['callee', callee.ws]] as const) {
      ws.onClose = (code) => {
        if (this.broken) return;
        this.counters().error(`closed ${code}`, `the ${who} of ${this.caller.user}'s pair lost its connection`);
        this.broken = true;
        this.busy = false;
      };
    }
  }

  /** Starts a setup if both sides may send it within the rate limit; false otherwise. */
  start(now: number): boolean {
    if (this.busy || this.broken) return false;
    if (!this.caller.has(this.framesPerSide, now) || !this.callee.has(this.framesPerSide, now)) return false;
    this.busy = true;
    this.call = this.calls[this.next++ % CALLS_PER_PAIR] as CallFrames;
    this.inviteAcked = this.acceptSeen = this.hangupSent = this.callerDone = this.acceptAcked = false;
    this.calleeStage = 0;
    this.inviteRid = ++this.caller.rid;
    this.inviteAt = now;
    const c = this.counters();
    if (c.counting(now)) c.started++;
    this.caller.request(`${this.call.invitePrefix}${this.inviteRid}}`, this.inviteRid);
    return true;
  }

  private onFrame(isCaller: boolean, text: string): void {
    const now = performance.now();
    const c = this.counters();
    const counting = c.counting(now);
    if (counting) c.framesIn++;
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return this.fail('badJson', text);
    }
    if (this.dialect === 'ours' && (++this.seen % VALIDATE_EVERY === 0 || frame.type === 'error')) {
      const read = parseServerFrame(text);
      if (!read.ok) return this.fail(`invalidServerFrame ${read.code}`, `${read.message}: ${text}`);
      c.validated++;
    }
    switch (frame.type) {
      case 'message': {
        if (counting) c.messages++;
        if (frame.seq !== undefined) (isCaller ? this.caller : this.callee).receipt(frame.seq);
        return isCaller ? this.callerMessage(frame) : this.calleeMessage(frame, now, counting);
      }
      case 'ack':
        if (frame.rid !== undefined) (isCaller ? this.caller : this.callee).answered(frame.rid);
        return isCaller ? this.callerAck(frame, now) : this.calleeAck(frame, now);
      case 'pong':
        return;
      case 'error':
        return this.fail(`error ${frame.code}`, frame.message ?? '');
      default:
        return this.fail(`unexpected ${frame.type}`, text);
    }
  }

  private callerMessage(frame: Frame): void {
    if (!this.busy || this.acceptSeen || frame.payload !== this.call.accept) return this.fail('unexpectedMessage', `caller got ${frame.payload?.slice(0, 80)}`);
    this.acceptSeen = true;
    this.maybeHangup();
  }

  private callerAck(frame: Frame, now: number): void {
    if (frame.rid === this.inviteRid) {
      this.inviteAcked = true;
      this.maybeHangup();
    } else if (frame.rid === this.hangupRid) {
      this.callerDone = true;
      this.maybeDone(now);
    }
  }

  private maybeHangup(): void {
    if (!this.inviteAcked || !this.acceptSeen || this.hangupSent) return;
    this.hangupSent = true;
    this.hangupRid = ++this.caller.rid;
    this.caller.request(`${this.call.hangupPrefix}${this.hangupRid}}`, this.hangupRid);
  }

  private calleeMessage(frame: Frame, now: number, counting: boolean): void {
    if (this.calleeStage === 0 && this.busy && frame.payload === this.call.invite) {
      if (counting && this.inviteAt >= this.counters().from) this.counters().latencies.push(now - this.inviteAt);
      this.calleeStage = 1;
      this.acceptRid = ++this.callee.rid;
      this.callee.request(`${this.call.acceptPrefix}${this.acceptRid}}`, this.acceptRid);
    } else if (this.calleeStage === 1 && frame.payload === this.call.hangup) {
      this.calleeStage = 2;
      this.maybeDone(now);
    } else {
      this.fail('unexpectedMessage', `callee got ${frame.payload?.slice(0, 80)}`);
    }
  }

  private calleeAck(frame: Frame, now: number): void {
    if (frame.rid !== this.acceptRid) return;
    this.acceptAcked = true;
    this.maybeDone(now);
  }

  private maybeDone(now: number): void {
    if (!this.callerDone || this.calleeStage !== 2 || !this.acceptAcked) return;
    this.busy = false;
    const c = this.counters();
    if (c.counting(now)) c.setups++;
    c.completed++;
    this.onDone(this);
  }

  private fail(kind: string, detail: string): void {
    this.counters().error(kind, `${this.caller.user}: ${detail}`);
    this.broken = true;
    this.busy = false;
  }
}
