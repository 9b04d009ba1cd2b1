/**
 * When a node back on Redis catches up (`ClusterNode`'s `catchUp`: its users claimed again, what
 * was published meanwhile read again): only once both of its connections are back and the
 * subscription is renewed (so that nothing published falls between), one run at a time, and
 * again at the next heartbeat after a run that failed or a loss during one.
 */
export class Rejoin {
  /** Redis was lost since the last run; the subscription is not renewed yet; a run is under way. */
  private behind = false;
  private unsubscribed = false;
  private running = false;

  constructor(
    /** True when the connection that runs commands answers. */
    private readonly ready: () => boolean,
    private readonly catchUp: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** A connection was lost (`subscriber`: the one that listens, whose channels are gone until {@link subscribed}). */
  lost(subscriber: boolean): void {
    this.behind = true;
    if (subscriber) this.unsubscribed = true;
  }

  /** The subscription is renewed. */
  subscribed(): void {
    this.unsubscribed = false;
    void this.run();
  }

  /** Catches up if Redis was lost since the last time and both connections are back (called at each heartbeat too). */
  async run(): Promise<void> {
    if (!this.behind || this.running || this.unsubscribed || !this.ready()) return;
    this.behind = false;
    this.running = true;
    try {
      await this.catchUp();
    } catch (error) {
      this.behind = true;
      this.failed(error);
    } finally {
      this.running = false;
    }
  }
}
