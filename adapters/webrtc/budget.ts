import type { Clock } from '../clock';

/**
 * A token bucket on the client's clock: `burst` at once, then one more every `everyMs`. What the
 * room's connections send and answer is paced with it, so another member's messages cannot make
 * this client send past the server's rate (each frame refused for it is a strike, and a connection
 * out of strikes is closed: the user would be logged out by someone else's traffic).
 */
export class Budget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly clock: Clock,
    private readonly burst: number,
    private readonly everyMs: number,
  ) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Takes one if there is one. */
  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + Math.max(0, now - this.at) / this.everyMs);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
