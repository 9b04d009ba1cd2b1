/**
 * What the client needs of a WebSocket, structurally, so that the browser's `WebSocket` and
 * Node's `ws` both fit; and the reconnect policy (one method, as in LiveKit).
 */

/** A handler slot checked bivariantly, so that DOM and `ws` event types both fit it. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the standard WebSocket API the client uses. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket. */
export const OPEN = 1;

/**
 * Stops listening to `socket` and closes it (if it is not closing already). Its `error` slot
 * keeps a no-op: Node's `ws` emits `error` when a socket still connecting is closed, and an
 * `error` with no listener is an uncaught exception there.
 */
export function letGo(socket: WebSocketLike | null, code: number, reason: string): void {
  if (!socket) return;
  socket.onopen = socket.onmessage = socket.onclose = null;
  socket.onerror = ignore;
  if (socket.readyState <= OPEN) socket.close(code, reason);
}

function ignore(): void {}

/** What a reconnect policy is told about the outage so far. */
export interface ReconnectContext {
  /** Attempts made in this outage (0 before the first). */
  readonly retryCount: number;
  /** Time since the connection was lost, in ms. */
  readonly elapsedMs: number;
  /** Why the last socket closed. */
  readonly reason: string;
}

/** Decides when to try again after the connection dropped. */
export interface ReconnectPolicy {
  /** Delay before the next attempt in ms, or `null` to give up (pending sends then fail). */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/**
 * `policy`'s delay; one that throws (an app's policy, called in a socket's or timer's callback, where
 * a throw is an uncaught exception in Node) is told to `onError` and taken as giving up.
 */
export function retryDelay(policy: ReconnectPolicy, context: ReconnectContext, onError: (error: unknown) => void): number | null {
  try {
    return policy.nextRetryDelayInMs(context);
  } catch (error) {
    onError(error);
    return null;
  }
}

/**
 * The default: at once, then 0.3, 1.2, 2.7, 4.8 s, then every 7 s (LiveKit's schedule without
 * the jitter, so that runs are reproducible), giving up after `maxElapsedMs` (default 5 minutes).
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  constructor(private readonly maxElapsedMs = 300_000) {}

  nextRetryDelayInMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    if (elapsedMs >= this.maxElapsedMs) return null;
    return Math.min(300 * retryCount * retryCount, 7000);
  }
}

/** Never reconnects: the first drop is final. */
export const noReconnect: ReconnectPolicy = { nextRetryDelayInMs: () => null };
