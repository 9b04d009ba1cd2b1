import type { UserID } from '../../machines/types';
import type { Clock, TimerId } from '../clock';
import { Budget } from '../budget';
import type { PeerMessage } from './peer';
import { type OutRate, SERVER_LIMITS, type ServerLimits } from '../ws/outRate';

/**
 * The pace of the room's messages under a server's rate: 60% of its burst at once, then 80% of
 * its rate, and only while a message leaves 30% of its burst (at most all but one) for the
 * connection's other frames (its IM requests, and receipts: up to 40 a second for a stream of
 * messages, `adapters/ws/inbox.ts`), as the connection counts what it wrote (`ws/outRate.ts`). At
 * the server's default (50 a second, burst 200): 120 at once, one every 25 ms, 60 kept.
 */
export const paceFor = (limits: ServerLimits) => ({
  burst: Math.max(1, Math.floor(limits.burst * 0.6)),
  everyMs: 1250 / limits.perSecond,
  reserve: Math.min(limits.burst * 0.3, limits.burst - 1),
});
/** The pace at the server's defaults. */
export const SENDS = paceFor(SERVER_LIMITS);
/** How many messages one member's line holds; past it its oldest candidate goes (a description never). */
export const LINE_MAX = 64;

/**
 * What the room's connections send, paced under the server's rate: past it the server refuses
 * our frames, each refusal a strike, and closes a connection out of strikes (the user logged out
 * by other members' traffic: each offer we answer, and each candidate gathered again after new
 * ICE credentials, is a frame of ours). Within the budget a message goes at once; past it, it
 * waits in its member's own line, in order, and the lines are served in turn as the budget
 * allows, so members streaming offers at us cannot crowd out what we send the others. Nothing
 * is dropped but a candidate of a line grown past {@link LINE_MAX}. The connection's other frames
 * come first (see {@link paceFor}), and the pace follows what the server said of its rate.
 */
export class Pacer {
  private readonly budget: Budget;
  private pace = SENDS;
  /** The server's limits the pace was made for. */
  private paced = SERVER_LIMITS;
  /** The members' lines, in the order they are served next. */
  private readonly lines = new Map<UserID, PeerMessage[]>();
  private timer: TimerId | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly transmit: (userID: UserID, message: PeerMessage) => void,
    /** The server's rate for the connection, as it spends it (`ws/outRate.ts`). */
    private readonly rate: OutRate,
  ) {
    this.budget = new Budget(clock, SENDS.burst, SENDS.everyMs);
  }

  send(userID: UserID, message: PeerMessage): void {
    if (this.lines.size === 0 && this.mayGo()) return this.transmit(userID, message);
    const line = this.lines.get(userID) ?? [];
    line.push(message);
    if (line.length > LINE_MAX) {
      const candidate = line.findIndex((m) => m.kind === 'ice');
      if (candidate >= 0) line.splice(candidate, 1);
    }
    this.lines.set(userID, line);
    this.timer ??= this.clock.setTimeout(() => this.drain(), this.pace.everyMs);
  }

  /** The member is gone: what waits for it goes. */
  forget(userID: UserID): void {
    this.lines.delete(userID);
  }

  clear(): void {
    this.lines.clear();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private mayGo(): boolean {
    if (this.rate.limits !== this.paced) {
      this.paced = this.rate.limits;
      this.pace = paceFor(this.paced);
      this.budget.reshape(this.pace.burst, this.pace.everyMs);
    }
    // A whole frame for this message, and the reserve beside it: the server refuses a frame short of one.
    return this.rate.left() >= this.pace.reserve + 1 && this.budget.take();
  }

  /** One message of each line in turn, as long as the budget lasts. */
  private drain(): void {
    this.timer = null;
    while (this.lines.size > 0 && this.mayGo()) {
      const [userID, line] = this.lines.entries().next().value as [UserID, PeerMessage[]];
      this.lines.delete(userID);
      const message = line.shift();
      if (line.length > 0) this.lines.set(userID, line); // to the back
      if (message) this.transmit(userID, message);
    }
    if (this.lines.size > 0) this.timer = this.clock.setTimeout(() => this.drain(), this.pace.everyMs);
  }
}
