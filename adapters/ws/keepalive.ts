/**
 * The connection's keepalive: a `ping` every `intervalMs` while it is ready, each unanswered
 * after `timeoutMs` taken as a dead socket (by the request's timeout: see `WsConnection`); each
 * `pong` tells the server's clock (the midpoint of the round trip), as the login's answer does
 * ({@link Keepalive.learn}). Before that, from the dial until logged in, it watches the login: a
 * socket that never opens, or a login whose answer never comes (a socket gone half-open as it
 * opened), would otherwise wait for the OS's TCP timeouts.
 */
import type { Clock, TimerId } from '../clock';

export class Keepalive {
  private timer: TimerId = null;
  /** The server's clock minus ours, in ms, from the last round trip (0 until the first). */
  offset = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: { readonly intervalMs?: number; readonly timeoutMs?: number } | undefined,
    /** Sends a ping (unless the connection is no longer ready); resolves with the pong's `serverTime`. */
    private readonly ping: (timeoutMs: number) => Promise<number> | null,
  ) {}

  /** The server said `serverTime` during a round trip that started at `sentAt` (our clock). */
  learn(serverTime: number, sentAt: number): void {
    const now = this.clock.now();
    if (Number.isFinite(serverTime) && sentAt <= now) this.offset = Math.round(serverTime - (sentAt + now) / 2);
  }

  arm(): void {
    this.disarm();
    const intervalMs = this.options?.intervalMs ?? 20_000;
    const timeoutMs = this.options?.timeoutMs ?? 10_000;
    const tick = () => {
      const sentAt = this.clock.now();
      const pong = this.ping(timeoutMs);
      if (pong === null) return;
      pong.then(
        (serverTime) => this.learn(serverTime, sentAt),
        () => undefined,
      );
      this.timer = this.clock.setTimeout(tick, intervalMs);
    };
    this.timer = this.clock.setTimeout(tick, intervalMs);
  }

  /** From a dial: `onTimeout` unless {@link arm} (logged in) or {@link disarm} comes within `timeoutMs`. */
  watchLogin(timeoutMs: number, onTimeout: () => void): void {
    this.disarm();
    this.timer = this.clock.setTimeout(onTimeout, timeoutMs);
  }

  disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
