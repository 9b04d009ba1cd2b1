/**
 * Incoming IM messages of one connection: each is passed on once (a message redelivered after a
 * drop has the same id), and confirmed to the server with one cumulative receipt per turn of the
 * event loop, so the server can forget it (or take it out of its offline store).
 */

/** Message ids remembered to drop redeliveries. */
const SEEN_IDS = 1024;

/** Deduplication and receipts for the messages of one session. */
export class Inbox {
  private lastSeq = 0;
  private queued = false;
  private readonly seen = new Set<string>();

  /** @param sendReceipt writes `{ type: 'received', upTo }` if the connection can */
  constructor(private readonly sendReceipt: (upTo: number) => void) {}

  /** Takes a message in; true when it is new (to be passed on). */
  accept(id: string, seq: number): boolean {
    this.lastSeq = Math.max(this.lastSeq, seq);
    if (!this.queued) {
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        this.flush();
      });
    }
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }

  /** Confirms everything received so far. */
  flush(): void {
    if (this.lastSeq > 0) this.sendReceipt(this.lastSeq);
  }

  /** A new server session numbers its messages from 1 again. */
  newSession(): void {
    this.lastSeq = 0;
  }
}
