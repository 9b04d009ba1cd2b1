/** A token bucket on the injected clock: refills continuously, no timers. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param perSecond refill rate
   * @param burst capacity (and initial content)
   * @param now the clock's current time in ms
   */
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) * this.perSecond) / 1000);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
