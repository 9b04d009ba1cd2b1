/** The server's plain HTTP side: health, metrics, (demo mode only) userSig signing, and the demo page's files. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { type Duplex, Transform, pipeline } from 'node:stream';
import * as v from 'valibot';
import type { WebSocketServer } from 'ws';
import { CLOSE, UserIDSchema } from '../adapters/ws/protocol';
import type { ThrottledLog } from './log';
import type { Counters, MetricsSnapshot } from './metrics';
import { renderMetrics } from './metrics';
import type { ResolvedOptions } from './options';
import { signUserSig } from './userSig';

/** What the HTTP handler needs from the running server. */
export interface HttpContext {
  readonly options: ResolvedOptions;
  readonly metrics: () => MetricsSnapshot;
  /** Throws when the store is unusable. */
  readonly checkStore: () => void;
  /** The server's one log budget: a request never logs past it. */
  readonly log: Pick<ThrottledLog, 'warn'>;
  /** Where a limit hit is counted (`hc_limit_hits_total`). */
  readonly counters: Pick<Counters, 'limit'>;
}

/** Lifetime of a demo userSig, in seconds. */
const DEMO_SIG_SECONDS = 86_400;

/** Every answer: the browser takes the content type as given, never sniffs another. */
const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/**
 * The demo page's policy: its own scripts, styles and images only (no inline script or style
 * markup, no eval), WebSockets to this server or another, camera and microphone streams in its
 * media elements, and never framed.
 */
export const STATIC_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...NOSNIFF });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));

/**
 * Node keeps a socket's idle timer object after `setTimeout(0)` cleared it: `ws` clears the HTTP
 * stall timer (`--http-stall-ms`) of a socket it upgrades so, and each WebSocket then held a dead
 * `Timeout` (about 120 B of heap) for its whole life. Dropped once upgraded, through Node's own
 * property (`kTimeout`, which Node sets to null itself when no timer was ever set).
 */
export function dropClearedTimer(socket: object): void {
  const held = socket as Record<symbol, { _idleTimeout?: number } | null>;
  const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'timeout');
  // Only a timer that no longer runs (`_idleTimeout` -1 once cleared).
  if (key !== undefined && held[key]?._idleTimeout === -1) held[key] = null;
}

/**
 * The path of a request target, or `null` when it is not one. Never throws: `new URL` does on
 * targets like `//[` or `//a:99999`, and one such request must not take the process down.
 */
export function pathOf(target: string | undefined): string | null {
  return urlOf(target)?.pathname ?? null;
}

/** The request target as a URL, or `null` (see {@link pathOf}). */
function urlOf(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** The HTTP server's listeners: its requests, and its sockets' stall timer (`--http-stall-ms`). */
export interface HttpListeners {
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  /** The server's `timeout` event: the socket is closed (Node's own timers too, which share it). */
  readonly timeout: (socket: Socket) => void;
}

/**
 * The HTTP server's `upgrade` listener. The WebSocket endpoint is `/ws`; an upgrade to another path
 * (a target that is none is refused with 404) is accepted only to be closed at once with {@link CLOSE.noEndpoint} and a reason naming `/ws`: a
 * browser hides an HTTP 404 from the page (its `WebSocket` says 1006, as for a server down), so a
 * client given `ws://host:port` would be told the server is unreachable. The socket is ended at
 * once (no closing handshake waited for), as the 404 was. While the server stops, `/ws` is refused
 * with 503 (a session made then would be cut a moment later; its client tries again and finds the
 * server that replaces this one). The socket was admitted when it connected.
 */
export function upgradeHandler(wss: WebSocketServer, stopping: () => boolean): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const path = pathOf(req.url);
    const endpoint = path === '/ws';
    // A target that is no path at all (`//[`) is no client's mistake: refused as plain HTTP.
    const refusal = path === null ? '404 Not Found' : endpoint && stopping() ? '503 Service Unavailable' : null;
    if (refusal) {
      // Node's HTTP 'error' listener left the socket with the upgrade (`ws` adds its own in `handleUpgrade`): a
      // peer gone before the refusal went out (ECONNRESET, EPIPE) would be an 'error' event with no listener.
      socket.on('error', () => undefined);
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      dropClearedTimer(socket);
      if (endpoint) return void wss.emit('connection', ws, req);
      ws.on('error', () => undefined); // whatever the peer sends before the end
      ws.close(CLOSE.noEndpoint, 'no WebSocket endpoint at this path: it is /ws');
      socket.end(() => socket.destroy());
    });
  };
}

/** Creates the listeners of the HTTP server. */
export function httpHandler(ctx: HttpContext): HttpListeners {
  const serve = handle(ctx);
  // Answers not yet done, per connection. Node reads pipelined requests (sent before the answers
  // to the earlier ones were read) and holds their answers until the client reads them: a client
  // that never reads would make the server hold an answer per 30-byte request, a whole file each.
  const unanswered = new WeakMap<Socket, number>();
  const { httpPipelined } = ctx.options.limits;
  const timeout = (socket: Socket) => {
    // Node's keep-alive timer is the same socket timer: a socket idle between answers is closed as
    // Node closes it, not counted. A stalled answer, or a socket that never sent a request, is.
    if (unanswered.get(socket) !== 0) {
      ctx.counters.limit('httpStall');
      ctx.log.warn('refused a connection', { address: socket.remoteAddress, limit: 'httpStall' });
    }
    socket.destroy();
  };
  return { request: requestListener, timeout };
  function requestListener(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    // (The rest of a pipelined flood, read with the request that was refused.)
    if (socket.destroyed) return;
    const open = unanswered.get(socket) ?? 0;
    if (open >= httpPipelined) {
      ctx.counters.limit('httpPipelined');
      ctx.log.warn('refused a connection', { address: socket.remoteAddress, limit: 'httpPipelined' });
      socket.destroy();
      return;
    }
    unanswered.set(socket, open + 1);
    res.once('close', () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
    try {
      serve(req, res);
    } catch {
      // A bug must not take the process down; the client gets a plain 500.
      if (!res.headersSent) json(res, 500, { error: 'internal' });
      else res.destroy();
    }
  }
}

function handle(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { options } = ctx;
  return (req, res) => {
    const url = urlOf(req.url);
    if (url === null) return json(res, 400, { error: 'bad request target' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
    switch (url.pathname) {
      case '/healthz':
        try {
          ctx.checkStore();
          return json(res, 200, { status: 'ok' });
        } catch (error) {
          return json(res, 503, { status: 'unavailable', error: error instanceof Error ? error.message : String(error) });
        }
      case '/metrics':
        if (options.metricsToken && !bearerMatches(req.headers.authorization, options.metricsToken)) {
          res.setHeader('www-authenticate', 'Bearer');
          return json(res, 401, { error: 'unauthorized' });
        }
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderMetrics(ctx.metrics()));
      case '/usersig': {
        if (!options.demoSigning) return json(res, 404, { error: 'not found' });
        const userID = v.safeParse(UserIDSchema, url.searchParams.get('userID'));
        if (!userID.success) return json(res, 400, { error: 'userID must be 1-32 of A-Z a-z 0-9 - _' });
        const key = { sdkAppID: options.sdkAppId, secretKey: options.secretKey };
        const userSig = signUserSig(key, userID.output, DEMO_SIG_SECONDS, options.clock.now());
        ctx.log.warn('demo signing: issued a userSig', { userID: userID.output });
        return json(res, 200, { sdkAppID: options.sdkAppId, userID: userID.output, userSig, expireSeconds: DEMO_SIG_SECONDS });
      }
      default:
        if (options.staticDir) return void serveStatic(options.staticDir, url.pathname, req, res);
        return json(res, 404, { error: 'not found' });
    }
  };
}

/** `Authorization: Bearer <token>`, compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * A file of `dir` (`/` is `index.html`); nothing outside `dir` is ever read: no `..`, no
 * symbolic link leading out of it (the file's real path must be inside the folder's), and no
 * dotfile or dot-folder (`.env`, `.git/...`) even inside it.
 */
async function serveStatic(dir: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const root = resolve(dir);
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
  } catch {
    return json(res, 400, { error: 'bad path' });
  }
  const file = join(root, relative);
  if (!file.startsWith(root + sep)) return json(res, 404, { error: 'not found' });
  if (file.slice(root.length + 1).split(sep).some((part) => part.startsWith('.'))) return json(res, 404, { error: 'not found' });
  const type = TYPES[extname(file)];
  if (!type) return json(res, 404, { error: 'not found' });
  let handle: FileHandle | undefined;
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(file)]);
    if (!real.startsWith(realRoot + sep)) return json(res, 404, { error: 'not found' });
    handle = await open(real, 'r');
    const { size } = await handle.stat().then((stat) => (stat.isFile() ? stat : Promise.reject(new Error('not a file'))));
    // Gone while the file opened (a pipelining connection cut by its limit): nobody to answer, and no close to hear.
    if (req.socket.destroyed) return void (await handle.close());
    res.writeHead(200, {
      'content-type': type,
      'content-length': size,
      'cache-control': 'no-cache',
      ...NOSNIFF,
      'content-security-policy': STATIC_CSP, // documents: the page, and an SVG opened on its own
    });
    if (req.method === 'HEAD' || size === 0) {
      await handle.close();
      return void res.end();
    }
    // Streamed as the client reads it: a client that stops reading holds a chunk of the file, not
    // a copy of it (read whole, every request held one until its client had read it all). The
    // stream closes the file; a failure either side ends both. An answer waiting behind another
    // on a pipelining connection has no socket yet and hears nothing when the connection goes:
    // the connection's close ends its file (it stayed open until a collection).
    const body = handle.createReadStream({ start: 0, end: size - 1 });
    handle = undefined;
    const connection = req.socket;
    const abandon = () => body.destroy();
    connection.once('close', abandon);
    pipeline(body, whole(size), res, () => connection.off('close', abandon));
  } catch {
    await handle?.close().catch(() => undefined);
    if (!res.headersSent) json(res, 404, { error: 'not found' });
    else res.destroy();
  }
}

/**
 * Passes a file's bytes on, and fails (which cuts the connection) when fewer than `size` came: a
 * file cut short after its length was sent (a deploy copying over it) would otherwise end the
 * answer short on a live keep-alive connection, and the client would read the next answer as the
 * rest of the file.
 */
function whole(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      done(seen === size ? null : new Error(`the file ended at ${seen} of ${size} bytes`));
    },
  });
}
