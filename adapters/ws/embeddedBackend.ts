/** `embeddedBackend({ url })`: one client of the embedded server, as a `Backend` for `new TRTCCalling()`. */
import type { Backend } from '../backend';
import { type Clock, realClock } from '../clock';
import type { ReconnectPolicy, WebSocketConstructor } from './socket';
import { WsConnection } from './WsConnection';
import { WsImPort } from './WsImPort';
import { WsRoomPort } from './WsRoomPort';

/** Options of {@link embeddedBackend}. */
export interface EmbeddedBackendOptions {
  /** The server's WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** Defaults to `globalThis.WebSocket`; in Node 20 pass `WebSocket` from the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  /** Time for the core, the keepalive and the retries (default real time). */
  readonly clock?: Clock;
  /** When to retry after a dropped connection (default: at once, then backing off to every 7 s, for 5 minutes). */
  readonly reconnect?: ReconnectPolicy;
  /** Keepalive ping period and how long a ping may go unanswered (default 20 s / 10 s). */
  readonly keepalive?: { readonly intervalMs?: number; readonly timeoutMs?: number };
  /** A request unanswered this long fails with 2805 (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** After re-entering a room lost in a reconnect, how long known members may take to come back (default 10 s). */
  readonly roomGraceMs?: number;
  /** Invite IDs (default: random v4 UUIDs). */
  readonly inviteIdGen?: () => string;
  /** Room IDs (default: random in 1..2^32-2). */
  readonly roomIdGen?: () => number;
  readonly onListenerError?: (error: unknown) => void;
}

/** The embedded backend of one client: its ports share one WebSocket. */
export interface EmbeddedBackend extends Backend {
  readonly im: WsImPort;
  readonly room: WsRoomPort;
  readonly connection: WsConnection;
  /** Logs out and closes the socket. */
  close(): Promise<void>;
}

/** Connects one client to the embedded server (the socket opens at `login()`). */
export function embeddedBackend(options: EmbeddedBackendOptions): EmbeddedBackend {
  const clock = options.clock ?? realClock;
  const connection = new WsConnection({ ...options, clock });
  const im = new WsImPort(connection);
  const room = new WsRoomPort(connection, {
    clock,
    ...(options.roomGraceMs === undefined ? {} : { roomGraceMs: options.roomGraceMs }),
    ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
  });
  return {
    name: 'embedded',
    im,
    room,
    connection,
    clock,
    ...(options.inviteIdGen ? { inviteIdGen: options.inviteIdGen } : {}),
    ...(options.roomIdGen ? { roomIdGen: options.roomIdGen } : {}),
    close: () => connection.logout(),
  };
}
