/**
 * When to restart ICE on one peer connection, and when to give up: a connection that goes
 * `failed`, or stays `disconnected` for {@link IceRecoveryOptions.disconnectedMs}, gets an ICE
 * restart (`restartIce()`: a new offer with fresh ICE credentials over the room's relay); one
 * that is not `connected` again within {@link IceRecoveryOptions.attemptMs} gets the next, up to
 * {@link IceRecoveryOptions.maxAttempts}; then the recovery gives up. `connected` ends a
 * recovery and allows the full number of attempts again.
 *
 * The defaults fit within the call's leave grace (5 s): failed -> restarts at 0 and 1.5 s, given
 * up at 3 s; disconnected -> restarts at 1 s and 2.5 s, given up at 4 s. The room reports the
 * connection lost at once all the same, so the call machine ends the call on its own path
 * (leave grace -> USER_LEAVE -> CALL_END `error`) if no restart brought the connection back.
 * Decisions only: the clock and the actions are injected.
 */
import type { Clock, TimerId } from '../clock';

export interface IceRecoveryOptions {
  /** How long `disconnected` may last before the first restart (the browser often recovers by itself). */
  readonly disconnectedMs: number;
  /** How long one restart has to bring the connection back. */
  readonly attemptMs: number;
  /** Restarts before giving up. */
  readonly maxAttempts: number;
}

export const ICE_RECOVERY: IceRecoveryOptions = { disconnectedMs: 1000, attemptMs: 1500, maxAttempts: 2 };

export interface IceRecoveryActions {
  /** Restart ICE now (`pc.restartIce()`). */
  restart(attempt: number): void;
  /** No restart brought the connection back. */
  giveUp(): void;
}

export class IceRecovery {
  #attempts = 0;
  #timer: TimerId | null = null;
  #gaveUp = false;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly actions: IceRecoveryActions,
    private readonly options: IceRecoveryOptions = ICE_RECOVERY,
  ) {}

  /** Restarts made since the connection was last `connected`. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The connection's new state. */
  state(state: RTCPeerConnectionState): void {
    if (this.#closed) return;
    switch (state) {
      case 'connected':
        this.#cancel();
        this.#attempts = 0;
        this.#gaveUp = false;
        return;
      case 'disconnected':
        // A restart under way keeps its own deadline; else the browser gets a moment first.
        if (this.#timer === null && this.#attempts === 0) this.#later(this.options.disconnectedMs);
        return;
      case 'failed':
        this.#cancel();
        this.#attempt();
        return;
      case 'closed':
        this.close();
        return;
      default:
        return; // new, connecting: a restart under way keeps its deadline
    }
  }

  /** The connection is gone: no more decisions. */
  close(): void {
    this.#closed = true;
    this.#cancel();
  }

  #attempt(): void {
    if (this.#closed || this.#gaveUp) return;
    if (this.#attempts >= this.options.maxAttempts) {
      this.#gaveUp = true;
      this.actions.giveUp();
      return;
    }
    this.#attempts += 1;
    this.actions.restart(this.#attempts);
    this.#later(this.options.attemptMs);
  }

  #later(ms: number): void {
    this.#cancel();
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      this.#attempt();
    }, ms);
  }

  #cancel(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
