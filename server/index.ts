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
import type { AddressInfo, Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { CONNECTION_HEADER, MAX_FRAME_BYTES } from '../adapters/ws/protocol';
import { TurnCommit } from './commit';
import { Conn, type ConnShared, uncorkAll } from './conn';
import { writeBatches } from './cluster/coalesce';
import { connDeadlines } from './deadlines';
import { Dispatcher } from './dispatch';
import { httpHandler, upgradeHandler } from './http';
import { Hub } from './hub';
import { Admission, SOCKET_HIGH_WATER_MARK } from './limits';
import { ThrottledLog, describeError } from './log';
import type { MetricsSnapshot } from './metrics';
import { type ServerOptions, resolveOptions } from './options';
import { Presence, localOnline } from './presence';
import { Store } from './store';
import type { GateIntake } from './cluster/gate';
import { ClusterNode } from './cluster/node';
import type { NodeIdLost } from './cluster/nodeId';
import { shownUrl } from './cluster/scripts';

export type { Logger, RateLimit, ServerClock, ServerOptions, TapEvent } from './options';
export { jsonLogger, silentLogger, systemClock } from './options';
export type { MetricsSnapshot } from './metrics';
export { DEFAULT_LIMITS, type Limits, type Rate } from './limits';
export { signUserSig, verifyUserSig } from './userSig';
export type { TurnOptions } from './turn';
export type { NodeIdLost } from './cluster/nodeId';

/**
 * A frame bigger than this is cut off by the socket layer as it arrives (close 1009); up to it,
 * the server answers `tooLarge`. Before login a connection may send `limits.preLoginBytes` in all.
 */
const HARD_MAX_PAYLOAD = 2 * MAX_FRAME_BYTES;
/**
 * The socket layer's refusals of a frame as it arrives, by its message (`ws` gives the last two the
 * same code), and the limit that made each (a frame over the hard limit is one over `maxFrameBytes`).
 */
const SOCKET_LIMITS: ReadonlyMap<string, string> = new Map([
  ['Max payload size exceeded', 'maxFrameBytes'],
  ['Too many message fragments', 'maxFragments'],
  ['Too many buffered chunks', 'maxFrameReads'],
]);
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
  /** Administration: creates an IM group with these members (managed by nobody over the wire); throws when the ID is taken. */
  createGroup(groupID: string, members: readonly string[]): void;
  /** Administration: admits these users to a room, as if a call had invited them (a new room is owned by the first). */
  grantRoom(roomID: number, userIDs: readonly string[]): void;
  /** Drops every connection of `userID` without a close handshake (a network failure); returns how many. */
  dropConnections(userID: string): number;
  /** Closes every connection (1001), stops the timers, commits and closes the store. */
  close(): Promise<void>;
  /**
   * Settles once the server stopped having lost its cluster node id: another process took it while this one stalled
   * past its heartbeat (`NodeIdLost`: it handed nothing back; the CLI exits with 3). By itself, or in a `close()` that
   * found the id taken; never after a `close()` that did not.
   */
  readonly stopped: Promise<NodeIdLost>;
}

/** Starts a server; resolves once it listens. */
export async function startServer(input: ServerOptions): Promise<ServerHandle> {
  const options = resolveOptions(input);
  const { clock, logger, tap, limits } = options;
  // Cluster mode (`--redis`): Redis first, so that a node that cannot reach it never starts.
  // Lost before the handle exists (a start that stalled past the heartbeat while another process claimed the id): the start fails with it.
  let lostEarly: NodeIdLost | null = null;
  let lostId = (error: NodeIdLost): void => void (lostEarly ??= error);
  const cluster = options.redisUrl ? await ClusterNode.connect(options, logger, (error) => lostId(error)).catch((error: unknown) => Promise.reject(lostEarly ?? error)) : null;
  let store: Store | null = null;
  const log = new ThrottledLog(logger, clock, limits.logPerSecond);
  let hub: Hub | null = null;
  let commit: TurnCommit;
  try {
    const opened = (store = new Store(options.dbPath, { fsync: options.fsync, shared: options.sharedDatabase }));
    if (!opened.sizesIndexed) log.warn('could not build the store\'s size index (the disk full?): its counts read every payload until a start builds it', { db: options.dbPath });
    commit = new TurnCommit(
      (writes) => opened.transact(writes),
      // What the commit's effects write goes out as the commit ends, not at the end of the next turn
      // (see `uncorkAll`).
      (fn) =>
        options.defer(() => {
          fn();
          uncorkAll();
          writeBatches();
        }),
      (error) => {
        log.error('could not commit to the store', describeError(error));
        hub?.mailer.recount();
      },
      (error) => log.error('a step after a commit failed', describeError(error)),
    );
    hub = new Hub(options, opened, commit, cluster?.hubParts());
    await cluster?.attach(hub, opened, commit);
  } catch (error) {
    // Refused (the database is another server's) or the cluster could not be joined: leave nothing open.
    store?.close();
    await cluster?.close();
    throw lostEarly ?? error;
  }
  const live: Hub = hub;
  const deadlines = connDeadlines(options, live.counters);
  const here = (userID: string) => {
    const conn = live.session(userID)?.conn;
    return conn !== null && conn !== undefined && !conn.closed;
  };
  const online = cluster ? cluster.online(here, (userID) => presence.changed(userID)) : localOnline(here);
  const presence = new Presence(options.presence, online, clock, limits, cluster ? (userID, now) => cluster.budgets.take(userID, 'snapshots', 1, now) : undefined);
  // A cluster decides a refusal again once its node heard what Redis had (`Recheck`), the connection's frames waiting.
  const recheck = cluster ? (conn: Conn, data: Buffer, isBinary: boolean, wait?: Promise<void>) => cluster.recheck(conn, intakeOf(conn), () => run(conn, data, isBinary, true, true), wait) : undefined;
  const dispatcher = new Dispatcher(live, options, log, presence, commit, deadlines, recheck);
  const admission = new Admission<Socket>(limits, evictNotLoggedIn);
  const conns = new Set<Conn>();
  const instance = randomBytes(3).toString('hex');
  let nextConn = 0;
  const names = new WeakMap<IncomingMessage, string>();

  const metrics = (): MetricsSnapshot => ({
    connections: conns.size,
    loggedInUsers: live.loggedInUsers(),
    detachedSessions: live.detachedSessions(),
    rooms: live.rooms.size,
    roomGrants: live.grants.size,
    storedNow: store.storedCount(),
    relayed: live.counters.relayed,
    stored: live.counters.stored,
    delivered: live.counters.delivered,
    droppedOffline: live.counters.droppedOffline,
    relayFrames: live.rooms.relayed,
    heldRelays: live.rooms.heldRelays,
    commits: commit.commits,
    commitWrites: commit.written,
    heldConfirmed: live.mailer.writeBehind.cancelled,
    heldWritten: live.mailer.writeBehind.writtenLate,
    heldMoved: live.mailer.writeBehind.movedOut,
    heldNow: live.mailer.writeBehind.size,
    heldBytes: live.mailer.writeBehind.heldBytes,
    refused: { ...live.counters.refused },
    limits: { ...live.counters.limits },
    logSuppressed: log.suppressed,
    ...(cluster ? { cluster: cluster.metrics() } : {}),
  });

  /** Set once `close()` was called: the shutdown under way. */
  let closing: Promise<void> | null = null;
  const listeners = httpHandler({
    options,
    metrics,
    checkStore: () => {
      store.check();
      cluster?.check(); // a node stopping says so ('node shutting down')
      // A balancer sends no one new here once it is stopping.
      if (closing) throw new Error('shutting down');
    },
    log,
    counters: live.counters,
  });
  const http = createServer(
    {
      // Slow or idle plain HTTP sockets are closed (a WebSocket, once upgraded, is the idle
      // timeout's business); these timers are Node's, on real time.
      headersTimeout: limits.httpHeadersTimeoutMs,
      requestTimeout: limits.httpRequestTimeoutMs,
      keepAliveTimeout: limits.httpKeepAliveMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.httpHeadersTimeoutMs / 2)),
      // Every socket's, whatever Node's default (16 KiB on Node 20, 64 KiB from 22): deliveries pause at a quarter of
      // --max-buffered-bytes (64 KiB at least) and resume on the drain, which comes only past this mark.
      highWaterMark: SOCKET_HIGH_WATER_MARK,
    },
    listeners.request,
  );
  // A socket on which nothing moves either way (an answer its client does not read, a socket that
  // never sent a byte: no timer of the three above runs then) is dropped, and counted; Node's timer
  // too, and an upgraded WebSocket's is off (`ws` clears it).
  http.setTimeout(limits.httpStallMs);
  http.on('timeout', listeners.timeout);
  // A backstop above the caps below: past it Node drops a socket at once, without a word.
  http.maxConnections = limits.maxConnections + 100;
  // Every TCP connection, plain HTTP or WebSocket to be, counts against the caps in all and per
  // address, and against the address's rate of new connections, for as long as it is open.
  http.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const refused = admission.admit(socket, address, clock.now());
    if (refused) {
      live.counters.limit(refused);
      log.warn('refused a connection', { address, limit: refused });
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
      return;
    }
    socket.on('close', releaseSlot);
  });
  function releaseSlot(this: Socket): void {
    admission.release(this);
  }
  /** The server is full: a connection that has not logged in (the oldest) makes room for a new one. */
  function evictNotLoggedIn(socket: Socket): void {
    const conn = connOf.get(socket);
    live.counters.limit('notLoggedInEvicted');
    log.warn('cut a connection that had not logged in, to make room', { conn: conn?.id, address: socket.remoteAddress, limit: 'maxConnections' });
    if (conn) conn.terminate();
    else socket.destroy();
  }
  // The server tracks its connections itself (`conns`): no second set, no listener per client.
  // A message's fragments, and a frame's socket reads, are kept one object each until the last: `maxFragments`
  // and `maxFrameReads` bound them (`ws`'s own caps, 16,384 and 262,144, let a message of one-byte fragments
  // hold 1.9 MiB, and a frame sent a byte per read 190 bytes a byte: 1.5 MiB for 8 KiB before login).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_MAX_PAYLOAD,
    maxFragments: limits.maxFragments,
    maxBufferedChunks: limits.maxFrameReads,
    clientTracking: false,
  });
  // A failed listen rejects below; a later server error is logged, never an unhandled 'error' event.
  wss.on('error', (error) => log.warn('server error', { error: error.message }));
  wss.on('headers', (headers, req) => {
    const name = `${instance}.${++nextConn}`;
    names.set(req, name);
    headers.push(`${CONNECTION_HEADER}: ${name}`);
  });
  http.on('upgrade', upgradeHandler(wss, () => closing !== null));
  // Every listener below is the server's, shared by all connections (`this` is the socket that
  // emits): a connection costs its Conn and a map entry, no closures of its own.
  const connOf = new WeakMap<object, Conn>(); // a WebSocket, and its TCP socket until login, to its Conn
  const intakes = new WeakMap<Conn, GateIntake>(); // a cluster node's, see intakeOf
  const shared: ConnShared = {
    options,
    commit,
    counters: live.counters,
    rates: [options.rate, limits.byteRate],
    onClosing(conn) {
      live.detach(conn);
      presence.gone(conn);
    },
  };
  /** `told`: the tap counted the frame taken in already (it waited behind a cluster's hold, `GateIntake.held`). */
  const run = (conn: Conn, data: Buffer, isBinary: boolean, admitted = false, rechecked = false, told = false) => {
    try {
      if (presence.watching) presence.handling(conn, () => dispatcher.handle(conn, data, isBinary, admitted, rechecked));
      else dispatcher.handle(conn, data, isBinary, admitted, rechecked);
    } catch (error) {
      // A bug must not take the process (or anyone else's connection) down.
      log.warn('frame handler failed', { conn: conn.id, ...describeError(error) });
      dispatcher.refuse(conn, 'internal', 'internal server error');
    } finally {
      if (conn.preLoginBytes >= 0 && conn.session) stopCountingPreLogin(conn);
      if (tap && !rechecked && !told) commit.after(() => tap({ type: 'in', conn: conn.id, frameType: 'frame' }));
    }
  };
  // Before login every byte counts as it arrives, so a client cannot make the server hold a
  // big frame (or many) it has not authenticated.
  function countPreLogin(this: Socket, chunk: Buffer): void {
    const conn = connOf.get(this);
    if (!conn || conn.preLoginBytes < 0) return;
    if (conn.session) return stopCountingPreLogin(conn);
    conn.preLoginBytes += chunk.length;
    if (conn.preLoginBytes <= limits.preLoginBytes || conn.closed) return;
    live.counters.limit('preLoginBytes');
    log.warn('refused a connection', { conn: conn.id, address: conn.address, limit: 'preLoginBytes' });
    conn.terminate();
  }
  function stopCountingPreLogin(conn: Conn): void {
    conn.preLoginBytes = -1;
    admission.loggedIn(conn.socket);
    conn.socket.off('data', countPreLogin);
  }
  function onDrain(this: Socket): void {
    const conn = connOf.get(this);
    if (!conn?.session) return;
    try {
      live.mailer.pump(conn.session);
    } catch (error) {
      // Paging reads the store, here from a socket's event (no frame's handling around it): a store failing
      // its reads must not end the process. The session's next receipt or drain pages again.
      log.error('delivery failed', { conn: conn.id, ...describeError(error) });
    }
  }
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const conn = connOf.get(this);
    if (!conn) return;
    if (!cluster) return run(conn, toBuffer(data), isBinary);
    cluster.gate(conn, toBuffer(data), isBinary, intakeOf(conn));
  }
  /** A cluster's intake of one connection's frames, made at its first frame, not at each one. */
  function intakeOf(conn: Conn): GateIntake {
    const made = intakes.get(conn);
    if (made) return made;
    // The rate first (`admit`), then a login's lookup in Redis, then the rest of the dispatcher's checks.
    // Frames that waited behind a hold were counted taken in as they began to wait (`held`): not again.
    const make = (told: boolean, replay?: GateIntake): GateIntake => {
      const tapIn = () => told || commit.after(() => tap?.({ type: 'in', conn: conn.id, frameType: 'frame' }));
      const intake: GateIntake = {
        admit: (d, b) => dispatcher.admit(conn, d, b) || (tapIn(), false),
        run: (d, b) => run(conn, d, b, true, false, told),
        refuse: (rid, code, message, limit) => {
          dispatcher.refuse(conn, code, message, rid, limit);
          tapIn();
        },
        held: tapIn,
        lookedUp: () => deadlines.lookedUp(conn),
        get replay() {
          return replay ?? intake;
        },
      };
      return intake;
    };
    const intake = make(false, make(true));
    intakes.set(conn, intake);
    return intake;
  }
  function onError(this: WebSocket, error: Error): void {
    const conn = connOf.get(this);
    const limit = SOCKET_LIMITS.get(error.message);
    if (!limit) return log.warn('socket error', { conn: conn?.id, error: error.message });
    // The socket layer closes the connection (1008) itself: counted and told like the server's own refusals.
    live.counters.limit(limit);
    log.warn('refused a connection', { conn: conn?.id, address: conn?.address, limit });
  }
  function onClose(this: WebSocket): void {
    const conn = connOf.get(this);
    if (!conn) return;
    conns.delete(conn);
    const byClient = !conn.closed;
    conn.closed = true;
    clock.clearTimeout(conn.deadline);
    live.detach(conn);
    presence.gone(conn);
    if (byClient && tap) commit.after(() => tap({ type: 'close', conn: conn.id, by: 'client' }));
  }
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const raw = req.socket as Socket;
    const conn = new Conn(names.get(req) ?? `${instance}.${++nextConn}`, raw.remoteAddress ?? 'unknown', ws, raw, shared);
    conns.add(conn);
    connOf.set(ws, conn);
    connOf.set(raw, conn);
    tap?.({ type: 'open', conn: conn.id });
    deadlines.arm(conn); // exact (server/deadlines.ts), a logout's too
    raw.on('data', countPreLogin);
    raw.on('drain', onDrain);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  });

  let lastPurge = clock.now();
  const sweepMs = Math.max(1000, Math.min(options.loginTimeoutMs, options.idleTimeoutMs) / 4);
  let sweepTimer: unknown = null;
  const sweep = () => {
    try {
      sweepOnce();
    } catch (error) {
      // A store failing its reads (the purge): logged, and the sweep keeps its rhythm.
      log.error('the sweep failed', describeError(error));
    }
    sweepTimer = clock.setTimeout(sweep, sweepMs);
  };
  const sweepOnce = () => {
    const now = clock.now();
    live.sweep(now);
    admission.prune(now);
    log.flush();
    if (now - lastPurge >= PURGE_MS) {
      lastPurge = now;
      const purged = live.mailer.expire(now);
      if (purged > 0) logger.info('purged expired messages', { purged });
    }
  };
  live.mailer.expire(clock.now());

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Not listening (port in use, no such address): leave nothing open behind.
    wss.close();
    store.close();
    await cluster?.close();
    throw lostEarly ?? error;
  }
  sweepTimer = clock.setTimeout(sweep, sweepMs);
  const port = (http.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  if (options.demoSigning) {
    logger.warn('DEMO SIGNING IS ON: GET /usersig signs a valid userSig for ANY userID. Never expose this server to the internet.');
  }
  // A node says which cluster it joined (a newcomer's first question): Redis without its password, the keys' prefix, its id.
  const joined = cluster ? { cluster: { redis: shownUrl(options.redisUrl ?? ''), prefix: options.clusterPrefix, node: cluster.node } } : {};
  logger.info('headless-calling server listening', { url: `ws://${host}:${port}/ws`, db: options.dbPath, sdkAppId: options.sdkAppId, ...joined });

  let stop: (error: NodeIdLost) => void = () => undefined;
  const stopped = new Promise<NodeIdLost>((resolve) => (stop = resolve));
  const handle: ServerHandle = {
    stopped,
    url: `ws://${host}:${port}/ws`,
    httpUrl: `http://${host}:${port}`,
    port,
    metrics,
    createGroup(groupID, members) {
      if (!live.groups.adminCreate(groupID, members, clock.now())) throw new Error(`group ${groupID} already exists`);
    },
    grantRoom(roomID, userIDs) {
      if (userIDs.length === 0) throw new Error('grantRoom needs at least one user');
      live.grants.admit(roomID, userIDs, clock.now());
      commit.flush();
    },
    dropConnections(userID) {
      const victims = [...conns].filter((c) => c.session?.userID === userID && !c.closed);
      for (const conn of victims) conn.terminate();
      return victims.length;
    },
    close() {
      closing ??= (async () => {
        clock.clearTimeout(sweepTimer);
        presence.close();
        if (cluster) await cluster.stopTakingLogins(); // before the sessions end: whose its id is decides what their ends write
        const open = [...conns];
        const gone = Promise.all(open.map((c) => new Promise<void>((resolve) => c.onGone(resolve))));
        for (const conn of open) conn.close(1001, 'server shutting down');
        live.shutdown();
        live.mailer.flushHeld();
        commit.flush();
        // Cluster: what this node stored for others moves to Redis before the store closes.
        await cluster?.close();
        let bound: unknown = null;
        await Promise.race([gone, new Promise<void>((resolve) => (bound = clock.setTimeout(resolve, SHUTDOWN_MS)))]);
        clock.clearTimeout(bound);
        for (const conn of conns) conn.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => http.close(() => resolve()));
        live.mailer.flushHeld();
        commit.close();
        live.mailer.writeBehind.stop(); // what that last write could not write stays unwritten: no timer after the close
        store.close();
        logger.info('headless-calling server closed', { port });
      })();
      return closing;
    },
  };
  // Its node id lost (`cluster/nodeId.ts`): its clients closed (to fail over to other nodes), the server stops.
  lostId = (error) => void (closing ?? handle.close()).then(() => stop(error), () => stop(error));
  // Lost after the start's last step that waited on Redis: it stops, as a start that failed.
  if (lostEarly) await handle.close().then(() => Promise.reject(lostEarly));
  return handle;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
