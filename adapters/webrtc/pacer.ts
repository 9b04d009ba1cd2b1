import type { UserID } from '../../machines/types';
import type { Clock, TimerId } from '../clock';
import { Budget } from '../budget';
import type { PeerMessage } from './peer';

/** How many messages go at once, and how often one more (ms): under the server's default rate (50 a second, burst 200). */
export const SENDS = { burst: 120, everyMs: 25 } as const;
/** How many messages one member's line holds; past it its oldest candidate goes (a description never). */
export const LINE_MAX = 64;
/**
 * What a message waits for beside its own budget: this much left of the server's burst for the
 * connection's other frames (its IM requests, and receipts: up to 40 a second for a stream of
 * messages, `adapters/ws/inbox.ts`), as the connection counts what it wrote (`ws/outRate.ts`).
 */
export const RESERVE = 60;

/**
 * What the room's connections send, paced under the server's rate: past it the server refuses
 * our frames, each refusal a strike, and closes a connection out of strikes (the user logged out
 * by other members' traffic: each offer we answer, and each candidate gathered again after new
 * ICE credentials, is a frame of ours). Within the budget a message goes at once; past it, it
 * waits in its member's own line, in order, and the lines are served in turn as the budget
 * allows, so members streaming offers at us cannot crowd out what we send the others. Nothing
 * is dropped but a candidate of a line grown past {@link LINE_MAX}. The connection's other frames
 * come first: a message goes only while {@link RESERVE} is left of the server's burst.
 */
export class Pacer {
  private readonly budget: Budget;
  /** The members' lines, in the order they are served next. */
  private readonly lines = new Map<UserID, PeerMessage[]>();
  private timer: TimerId | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly transmit: (userID: UserID, message: PeerMessage) => void,
    /** What is left of the server's burst for the connection (`ws/outRate.ts`). */
    private readonly spare: () => number,
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
    this.timer ??= this.clock.setTimeout(() => this.drain(), SENDS.everyMs);
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
    return this.spare() > RESERVE && this.budget.take();
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
    if (this.lines.size > 0) this.timer = this.clock.setTimeout(() => this.drain(), SENDS.everyMs);
  }
}
