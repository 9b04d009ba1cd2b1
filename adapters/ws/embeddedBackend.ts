/** `embeddedBackend({ url })`: one client of the embedded server, as a `Backend` for `new TRTCCalling()`. */
import type { Backend } from '../backend';
import { realClock } from '../clock';
import { WsConnection, type WsConnectionOptions } from './WsConnection';
import { handled } from './listeners';
import { WsImPort } from './WsImPort';
import { WsPresence } from './WsPresence';
import { WsRoomPort } from './WsRoomPort';

/** Options of {@link embeddedBackend}: the connection's, plus the IDs'. */
export interface EmbeddedBackendOptions extends WsConnectionOptions {
  /** Invite IDs (default: random v4 UUIDs). */
  readonly inviteIdGen?: () => string;
  /** Room IDs (default: random in 1..2^31-1, which Tencent's clients can join too). */
  readonly roomIdGen?: () => number;
}

/** The embedded backend of one client: its ports share one WebSocket. */
export interface EmbeddedBackend extends Backend {
  readonly im: WsImPort;
  readonly room: WsRoomPort;
  readonly connection: WsConnection;
  /** Who is online, from the server's presence feed (servers started with `--presence`). */
  readonly presence: WsPresence;
  /** Logs out and closes the socket. */
  close(): Promise<void>;
  /** The same as `close()` (what `TRTCCalling.destroy()` calls). */
  dispose(): Promise<void>;
}

/** Connects one client to the embedded server (the socket opens at `login()`). */
export function embeddedBackend(options: EmbeddedBackendOptions): EmbeddedBackend {
  const clock = options.clock ?? realClock;
  const onListenerError = guarded(options.onListenerError);
  const connection = new WsConnection({ ...options, clock, onListenerError });
  const im = new WsImPort(connection);
  const room = new WsRoomPort(connection, { onListenerError });
  const presence = new WsPresence(connection, onListenerError);
  return {
    name: 'embedded',
    im,
    room,
    connection,
    presence,
    clock,
    ...(options.inviteIdGen ? { inviteIdGen: options.inviteIdGen } : {}),
    ...(options.roomIdGen ? { roomIdGen: options.roomIdGen } : {}),
    ...(options.multiDevice === true ? { multiDevice: true, busyHeld: true } : {}),
    close: () => connection.logout(),
    dispose: () => connection.logout(),
  };
}

/**
 * The app's `onListenerError`, or `console.error`; what it throws or rejects with is told on the
 * console: it runs in the socket's callbacks, where a throw is an uncaught exception in Node.
 */
function guarded(report: ((error: unknown) => void) | undefined): (error: unknown) => void {
  const tell = (error: unknown) => console.error('headless-calling: onListenerError threw:', error);
  if (!report) return (error) => console.error(error);
  return (error) => {
    try {
      handled(report(error), tell);
    } catch (thrown) {
      tell(thrown);
    }
  };
}
