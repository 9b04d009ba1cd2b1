/**
 * When a node back on Redis catches up (`ClusterNode`'s `catchUp`: its users claimed again, what
 * was published meanwhile read again): only once both of its connections are back and the
 * subscription is renewed (so that nothing published falls between), one run at a time, and
 * again at the next heartbeat after a run that failed or a loss during one.
 */
export class Rejoin {
  /** Redis was lost since the last run; the subscription is not renewed yet; a renewal, a run is under way. */
  private behind = false;
  private unsubscribed = false;
  private renewing = false;
  private running = false;

  constructor(
    /** True when the connection that runs commands answers. */
    private readonly ready: () => boolean,
    private readonly catchUp: () => Promise<void>,
    private readonly failed: (what: 'rejoin' | 'resubscribe', error: unknown) => void,
    /** Subscribes the node's channels again; true when the connection that listens answers. */
    private readonly subscribe: () => Promise<unknown>,
    private readonly listening: () => boolean,
  ) {}

  /** True while the node is behind: Redis lost and the catch-up not done yet (a renewal or a run under way, or due). */
  get behindNow(): boolean {
    return this.behind || this.unsubscribed || this.renewing || this.running;
  }

  /** A connection was lost (`subscriber`: the one that listens, whose channels are gone until renewed). */
  lost(subscriber: boolean): void {
    this.behind = true;
    if (subscriber) this.unsubscribed = true;
  }

  /**
   * Renews the subscription if it is gone and the connection that listens is back (when it comes
   * back, and at each heartbeat after a renewal that failed: nothing else would try again), then
   * catches up.
   */
  async renew(): Promise<void> {
    if (!this.unsubscribed || this.renewing || !this.listening()) return;
    this.renewing = true;
    try {
      await this.subscribe();
      this.unsubscribed = false;
    } catch (error) {
      this.failed('resubscribe', error);
      return;
    } finally {
      this.renewing = false;
    }
    await this.run();
  }

  /** Catches up if Redis was lost since the last time and both connections are back (called at each heartbeat too). */
  async run(): Promise<void> {
    if (this.unsubscribed) return this.renew();
    if (!this.behind || this.running || !this.ready()) return;
    this.behind = false;
    this.running = true;
    try {
      await this.catchUp();
    } catch (error) {
      this.behind = true;
      this.failed('rejoin', error);
    } finally {
      this.running = false;
    }
  }
}
