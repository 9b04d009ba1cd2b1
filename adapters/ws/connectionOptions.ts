/**
 * The options of a {@link WsConnection} and their checks: the node URLs it dials, and the device
 * it logs in as when many devices are on.
 */
import type { Clock } from '../clock';
import type { RoomMember } from './protocol';
import type { ReconnectPolicy, WebSocketConstructor } from './socket';

/** What a connection that came back after a drop found on the server. */
export interface Reconnection {
  /** The server still held the session: the room (if any) was kept. */
  readonly resumed: boolean;
  readonly room: { readonly roomID: number; readonly members: readonly RoomMember[] } | null;
}

/** Options of a `WsConnection`. */
export interface WsConnectionOptions {
  /**
   * The server's WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`; or the URLs of the nodes of a
   * cluster, tried in turn: when the connection is lost (or a node refuses the login because it
   * lost its cluster store) the next one is dialled, and the session resumes there.
   */
  readonly url: string | readonly string[];
  /** Defaults to `globalThis.WebSocket` (browsers, Node 22+); pass `ws`'s `WebSocket` in Node 20. */
  readonly WebSocket?: WebSocketConstructor;
  readonly clock?: Clock;
  /** When to retry after a drop (default {@link DefaultReconnectPolicy}). */
  readonly reconnect?: ReconnectPolicy;
  /** Ping every `intervalMs` (default 20 s); unanswered after `timeoutMs` (default 10 s) means the socket is dead. */
  readonly keepalive?: { readonly intervalMs?: number; readonly timeoutMs?: number };
  /** A request unanswered this long rejects with 2805 (default 30 s). */
  readonly requestTimeoutMs?: number;
  /**
   * A socket not logged in this long after it was dialled (it never opened, or the login's answer
   * never came: gone half-open as it opened) is given up (default 15 s): the app's `login()` fails
   * with 2805 (a cluster's next node is tried first), a reconnection tries again per the policy.
   */
  readonly loginTimeoutMs?: number;
  /** Where a listener's exception, or a frame the server should not have sent, goes (default `console.error`). */
  readonly onListenerError?: (error: unknown) => void;
  /** Many devices: log in as one device of the user; a `--multi-device` server rings all (default off: a second login kicks the first). */
  readonly multiDevice?: boolean;
  /** Many devices: this device's ID, 1-64 of `A-Z a-z 0-9 - _ .` (default: random, one per connection). */
  readonly deviceID?: string;
}

/** A random device ID (hex), from `crypto.getRandomValues` (present where `randomUUID` may not be: plain-http pages). */
function randomDeviceID(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The URLs to dial, in turn: one, or a cluster's nodes. Throws a `TypeError` for anything else. */
export function urlsOf(options: WsConnectionOptions): readonly string[] {
  const urls: readonly unknown[] = typeof options.url === 'string' ? [options.url] : Array.isArray(options.url) ? options.url : [];
  if (urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^wss?:\/\/./.test(u))) {
    throw new TypeError('url must be a ws:// or wss:// URL, or a non-empty list of them');
  }
  return urls as string[];
}

/** What the login says of the device: its ID when many devices are on (given, or random), else nothing. */
export function deviceOf(options: WsConnectionOptions): { readonly device?: string } {
  if (options.deviceID !== undefined && (typeof options.deviceID !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(options.deviceID))) {
    throw new TypeError('deviceID must be 1-64 of A-Z a-z 0-9 - _ .');
  }
  return options.multiDevice === true ? { device: options.deviceID ?? randomDeviceID() } : {};
}
