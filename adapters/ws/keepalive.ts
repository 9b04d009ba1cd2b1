/**
 * The connection's keepalive: a `ping` every `intervalMs` while it is ready, each unanswered
 * after `timeoutMs` taken as a dead socket (by the request's timeout: see `WsConnection`); each
 * `pong` tells the server's clock (the midpoint of the round trip), as the login's answer does
 * ({@link Keepalive.learn}). Before that, from the dial until logged in, it watches the login: a
 * socket that never opens, or a login whose answer never comes (a socket gone half-open as it
 * opened), would otherwise wait for the OS's TCP timeouts. A server with TURN servers (`--turn-urls`)
 * hands out credentials for them with the login; once half their lifetime is spent, the next ping
 * asks for fresh ones ({@link Keepalive.turn}).
 */
import type { Clock, TimerId } from '../clock';
import type { ServerFrameOf, TurnGrant } from './protocol';

export class Keepalive {
  private timer: TimerId = null;
  /** The server's clock minus ours, in ms, from the last round trip (0 until the first). */
  offset = 0;
  /** The TURN servers the server handed out, with this user's credentials (none without). */
  turn: TurnGrant['iceServers'] = [];
  /** When the credentials are half spent, on the server's clock (ours may be set back): the next ping asks for fresh ones. */
  private renewAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly options: { readonly intervalMs?: number; readonly timeoutMs?: number } | undefined,
    /** Sends a ping (unless the connection is no longer ready), asking for TURN credentials with `turn`; resolves with its answer. */
    private readonly ping: (timeoutMs: number, turn: boolean) => Promise<ServerFrameOf<'pong'> | null> | null,
  ) {}

  /**
   * The server said `serverTime` during a round trip that started at `sentAt` (our clock), with
   * TURN credentials (`null`: a login's answer without any, which drops the ones of a login before).
   */
  learn(serverTime: number, sentAt: number, turn?: TurnGrant | null): void {
    const now = this.clock.now();
    if (Number.isFinite(serverTime) && sentAt <= now) this.offset = Math.round(serverTime - (sentAt + now) / 2);
    if (turn === undefined) return;
    this.turn = turn?.iceServers ?? [];
    this.renewAt = turn ? serverTime + turn.ttl * 500 : Infinity;
  }

  arm(): void {
    this.disarm();
    const intervalMs = this.options?.intervalMs ?? 20_000;
    const timeoutMs = this.options?.timeoutMs ?? 10_000;
    const tick = () => {
      const sentAt = this.clock.now();
      const pong = this.ping(timeoutMs, sentAt + this.offset >= this.renewAt);
      if (pong === null) return;
      pong.then(
        (reply) => reply && this.learn(reply.serverTime, sentAt, reply.turn),
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
