/**
 * The embedded signaling server: one Node process serving HTTP (`/healthz`, `/metrics`, demo
 * `/usersig`) and a WebSocket endpoint (`/ws`) speaking `adapters/ws/protocol.ts`.
 *
 * ```ts
 * const server = await startServer({ port: 0, dbPath: './data/calling.db', sdkAppId, secretKey });
 * // clients: embeddedBackend({ url: server.url })
 * await server.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocketServer } from 'ws';
import { CONNECTION_HEADER } from '../adapters/ws/protocol';
import { Conn } from './conn';
import { Dispatcher } from './dispatch';
import { httpHandler } from './http';
import { Hub } from './hub';
import type { MetricsSnapshot } from './metrics';
import { type ServerOptions, resolveOptions } from './options';
import { Presence } from './presence';
import { Store } from './store';

export type { Logger, RateLimit, ServerClock, ServerOptions, TapEvent } from './options';
export { jsonLogger, silentLogger, systemClock } from './options';
export type { MetricsSnapshot } from './metrics';
export { signUserSig, verifyUserSig } from './userSig';

/** A frame bigger than this is cut off by the socket layer (close 1009); up to it, the server answers `tooLarge`. */
const HARD_MAX_PAYLOAD = 1024 * 1024;
/** How long `close()` waits for clients to answer the close frame before dropping them. */
const SHUTDOWN_MS = 2000;
/** Expired stored messages are purged this often. */
const PURGE_MS = 3_600_000;

/** A running server. */
export interface ServerHandle {
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:8080/ws`. */
  readonly url: string;
  /** The HTTP base, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  readonly port: number;
  /** The numbers `/metrics` shows. */
  metrics(): MetricsSnapshot;
  /** Administration: creates an IM group with these members; throws when the ID is taken. */
  createGroup(groupID: string, members: readonly string[]): void;
  /** Drops every connection of `userID` without a close handshake (a network failure); returns how many. */
  dropConnections(userID: string): number;
  /** Closes every connection (1001), stops the timers and closes the store. */
  close(): Promise<void>;
}

/** Starts a server; resolves once it listens. */
export async function startServer(input: ServerOptions): Promise<ServerHandle> {
  const options = resolveOptions(input);
  const { clock, logger, tap } = options;
  const store = new Store(options.dbPath);
  const hub = new Hub(options, store);
  const presence = new Presence(options.presence, (userID) => {
    const conn = hub.session(userID)?.conn;
    return conn !== null && conn !== undefined && !conn.closed;
  });
  const dispatcher = new Dispatcher(hub, options, presence);
  const conns = new Set<Conn>();
  const instance = randomBytes(3).toString('hex');
  let nextConn = 0;
  const names = new WeakMap<IncomingMessage, string>();

  const metrics = (): MetricsSnapshot => ({
    connections: conns.size,
    loggedInUsers: hub.loggedInUsers(),
    detachedSessions: hub.detachedSessions(),
    rooms: hub.rooms.size,
    storedNow: store.storedCount(),
    relayed: hub.counters.relayed,
    stored: hub.counters.stored,
    delivered: hub.counters.delivered,
    droppedOffline: hub.counters.droppedOffline,
    relayFrames: hub.rooms.relayed,
    refused: { ...hub.counters.refused },
  });

  const http = createServer(httpHandler({ options, metrics, checkStore: () => store.check() }));
  const wss = new WebSocketServer({ server: http, path: '/ws', maxPayload: HARD_MAX_PAYLOAD });
  // The WebSocket server repeats the HTTP server's errors: a failed listen rejects below, and
  // one after it is logged, never an unhandled 'error' event that takes the process down.
  let listening = false;
  wss.on('error', (error) => {
    if (listening) logger.error('server error', { error: error.message });
  });
  wss.on('headers', (headers, req) => {
    const name = `${instance}.${++nextConn}`;
    names.set(req, name);
    headers.push(`${CONNECTION_HEADER}: ${name}`);
  });
  wss.on('connection', (ws, req) => {
    const conn = new Conn(names.get(req) ?? `${instance}.${++nextConn}`, ws, options, () => {
      hub.detach(conn);
      presence.gone(conn);
    });
    conns.add(conn);
    tap?.({ type: 'open', conn: conn.id });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        presence.handling(conn, () => dispatcher.handle(conn, toBuffer(data), isBinary));
      } catch (error) {
        // A bug must not take the process (or anyone else's connection) down.
        logger.error('frame handler failed', { conn: conn.id, error: error instanceof Error ? error.stack : String(error) });
        dispatcher.refuse(conn, 'internal', 'internal server error');
      } finally {
        tap?.({ type: 'in', conn: conn.id, frameType: 'frame' });
      }
    });
    ws.on('error', (error) => logger.warn('socket error', { conn: conn.id, error: error.message }));
    ws.on('close', () => {
      conns.delete(conn);
      const byClient = !conn.closed;
      conn.closed = true;
      hub.detach(conn);
      presence.gone(conn);
      if (byClient) tap?.({ type: 'close', conn: conn.id, by: 'client' });
    });
  });

  let lastPurge = clock.now();
  const sweepMs = Math.max(1000, Math.min(options.loginTimeoutMs, options.idleTimeoutMs) / 4);
  let sweepTimer: unknown = null;
  const sweep = () => {
    const now = clock.now();
    for (const conn of conns) {
      if (conn.closed) continue;
      if (!conn.session && now - conn.openedAt >= options.loginTimeoutMs) conn.close(4003, 'no login in time');
      else if (now - conn.lastSeen >= options.idleTimeoutMs) conn.terminate();
    }
    if (now - lastPurge >= PURGE_MS) {
      lastPurge = now;
      const purged = store.expireMessages(now);
      if (purged > 0) logger.info('purged expired messages', { purged });
    }
    sweepTimer = clock.setTimeout(sweep, sweepMs);
  };
  store.expireMessages(clock.now());

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => {
        http.off('error', reject);
        listening = true;
        resolve();
      });
    });
  } catch (error) {
    // Not listening (port in use, no such address): leave nothing open behind.
    wss.close();
    store.close();
    throw error;
  }
  sweepTimer = clock.setTimeout(sweep, sweepMs);
  const port = (http.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  if (options.demoSigning) {
    logger.warn('DEMO SIGNING IS ON: GET /usersig signs a valid userSig for ANY userID. Never expose this server to the internet.');
  }
  logger.info('headless-calling server listening', { url: `ws://${host}:${port}/ws`, db: options.dbPath, sdkAppId: options.sdkAppId });

  let closing: Promise<void> | null = null;
  return {
    url: `ws://${host}:${port}/ws`,
    httpUrl: `http://${host}:${port}`,
    port,
    metrics,
    createGroup(groupID, members) {
      const result = hub.createGroup(groupID, members);
      if ('refused' in result) throw new Error(result.message);
    },
    dropConnections(userID) {
      const victims = [...conns].filter((c) => c.session?.userID === userID && !c.closed);
      for (const conn of victims) conn.terminate();
      return victims.length;
    },
    close() {
      closing ??= (async () => {
        clock.clearTimeout(sweepTimer);
        const open = [...conns];
        const gone = Promise.all(open.map((c) => new Promise<void>((resolve) => c.onGone(resolve))));
        for (const conn of open) conn.close(1001, 'server shutting down');
        hub.shutdown();
        let bound: unknown = null;
        await Promise.race([gone, new Promise<void>((resolve) => (bound = clock.setTimeout(resolve, SHUTDOWN_MS)))]);
        clock.clearTimeout(bound);
        for (const conn of conns) conn.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => http.close(() => resolve()));
        store.close();
        logger.info('headless-calling server closed', { port });
      })();
      return closing;
    },
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
