/**
 * Options of the embedded server, their defaults, and the logger and clock it runs on.
 * The server imports nothing from the client side but the protocol, so the clock type is
 * restated here (structurally the same as `adapters/clock.ts`).
 */
import { type Limits, resolveLimits } from './limits';
import { MAX_FRAME_BYTES } from '../adapters/ws/protocol';
import { type ResolvedTurn, type TurnOptions, resolveTurn } from './turn';

/** The longest delay a Node timer keeps (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The shortest login deadline and idle timeout `startServer` and the flags take: under a second, a connection is closed before its client can log in (or ping). */
export const MIN_DEADLINE_MS = 1000;

/** Time, injected: the server reads it and schedules every timer through it. */
export interface ServerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Wall-clock time: the default. */
export const systemClock: ServerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** Structured log lines. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stdout (info) and stderr (warn, error). */
export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/** Logs nothing (tests). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Something the server did with a frame or a connection, for observers (logs, deterministic tests). */
export type TapEvent =
  | { readonly type: 'open'; readonly conn: string }
  /** The server finished handling one frame from `conn` (accepted or refused). */
  | { readonly type: 'in'; readonly conn: string; readonly frameType: string }
  /** The server wrote one frame to `conn`. */
  | { readonly type: 'out'; readonly conn: string; readonly frameType: string }
  /** `conn` is closed: by the server (`by: 'server'`, before the socket goes) or by the peer (after the server handled it). */
  | { readonly type: 'close'; readonly conn: string; readonly by: 'server' | 'client' };

/** Per-connection rate limit: a token bucket. */
export interface RateLimit {
  /** Frames per second, sustained. */
  readonly perSecond: number;
  /** Frames allowed at once. */
  readonly burst: number;
}

/** Options of `startServer`. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one (default 8080). */
  readonly port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** SQLite file for the offline store and groups; `:memory:` keeps nothing across restarts. */
  readonly dbPath: string;
  /**
   * Wait for the disk at every commit (SQLite `synchronous = FULL`): what was acknowledged survives
   * a power loss too. Default off: commits survive a crash of the process (kill -9), not of the
   * machine (README, "What is durable when").
   */
  readonly fsync?: boolean;
  /**
   * Let other processes open the database file while the server runs (an `sqlite3` shell, a
   * backup tool). Default off: the server holds the file's lock from start to close, so a
   * second server on the same file is refused at start (`database is locked`), and a commit
   * takes no file locks and keeps the WAL index in memory (measured: about 10% less CPU per
   * stored message, `bench/server/storeCost.ts`).
   */
  readonly sharedDatabase?: boolean;
  /** The app whose userSigs are accepted: an integer from 1 to 4294967295 (Tencent's SDKAppID is a uint32). */
  readonly sdkAppId: number;
  /** The app's secret key (HMAC key of its userSigs). */
  readonly secretKey: string;
  /** Serve `GET /usersig?userID=...`, signing a userSig for anyone. Demo only: logged loudly. */
  readonly demoSigning?: boolean;
  /** Serve the files of this folder at `/` (the built demo page); none when empty (default). */
  readonly staticDir?: string;
  /** Offer the presence feed (who is online) to logged-in users (default off; see server/presence.ts). */
  readonly presence?: boolean;
  /**
   * Many devices per user (default off): logins that name different `device`s coexist, every one
   * rings, the first answer wins (README, "Many devices"). Off, a second login kicks the first.
   * Not with `redisUrl` (cluster mode keeps one session per user).
   */
  readonly multiDevice?: boolean;
  /** Many devices: how many devices one user may have logged in at once (default 5; `tooManyDevices` beyond). */
  readonly maxDevices?: number;
  /** Defaults to the system clock. */
  readonly clock?: ServerClock;
  /** How long a stored message waits for its recipient (default 7 days). */
  readonly offlineTtlMs?: number;
  /**
   * Write-behind: a message handed at once to every recipient waits this long for their receipts
   * before it is written; the copies confirmed meanwhile are never stored, and the sender's ack
   * waits for the first of the two (default 200; 0: every copy is stored before it is handed; README, "What is durable when").
   */
  readonly writeBehindMs?: number;
  /**
   * Write-behind holds at most this many payload bytes in memory (default 64 MiB); a message that
   * would go past it is stored before it is handed, as with write-behind off.
   */
  readonly writeBehindMaxBytes?: number;
  /** How long a dropped connection keeps its session and room (default 10 s). */
  readonly roomGraceMs?: number;
  /** Per-connection frame rate (default 50/s, burst 200). */
  readonly rate?: RateLimit;
  /** Refused frames tolerated before the server closes the connection (default 10, one forgiven per 10 s). */
  readonly maxStrikes?: number;
  /** A connection that has not logged in by then is closed (default 10 s), at that time on the clock (one that logged out: that long after its logout). At least 1000 ({@link MIN_DEADLINE_MS}; 0 is refused, not "off"). */
  readonly loginTimeoutMs?: number;
  /** A connection that sends nothing for this long is closed (default 60 s; clients ping every 20 s). At least 1000, as the login deadline. */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
  /** Observes frames and connections (logging, deterministic tests). */
  readonly tap?: (event: TapEvent) => void;
  /** Resource limits beyond the ones above (`server/limits.ts`, defaults in `DEFAULT_LIMITS`). */
  readonly limits?: Partial<Limits>;
  /** When set, `GET /metrics` answers only `Authorization: Bearer <token>` (401 otherwise). */
  readonly metricsToken?: string;
  /** Runs `fn` at the end of the current event-loop turn: the group commit (default `setImmediate`). */
  readonly defer?: (fn: () => void) => void;
  /** Cluster mode: the Redis every node of the service shares (`redis://host:6379`); empty: one process, as before (default). */
  readonly redisUrl?: string;
  /** Cluster mode: the prefix of every Redis key and channel of this service (default `hc`). */
  readonly clusterPrefix?: string;
  /** Cluster mode: this node's name, unique in the service (default: random). */
  readonly nodeId?: string;
  /** Cluster mode: how long a login that moves a user waits for the node holding it to send its budgets (default 250 ms). */
  readonly budgetAskMs?: number;
  /** TURN servers sharing a secret with this server: each login gets credentials of its own for them (`server/turn.ts`). */
  readonly turn?: TurnOptions;
}

/** {@link ServerOptions} with every default applied. */
export type ResolvedOptions = Required<Omit<ServerOptions, 'tap' | 'limits' | 'turn'>> & Pick<ServerOptions, 'tap'> & { readonly limits: Limits; readonly turn: ResolvedTurn | null };

const DAY = 86_400_000;

/**
 * The write-behind window by default (ms): long enough for a client's receipt to come back over
 * a slow link (adapters/ws/inbox.ts sends it when the turn that took the message ends, or within
 * 50 ms of the one before; one device of many within 250 ms, past this window when messages come
 * faster than 4 a second), so that call signalling, handed at once, is confirmed before it is
 * ever stored.
 */
export const WRITE_BEHIND_MS = 200;

/** Applies defaults and checks what cannot work. */
export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    dbPath: options.dbPath,
    fsync: options.fsync ?? false,
    sharedDatabase: options.sharedDatabase ?? false,
    sdkAppId: options.sdkAppId,
    secretKey: options.secretKey,
    demoSigning: options.demoSigning ?? false,
    staticDir: options.staticDir ?? '',
    presence: options.presence ?? false,
    multiDevice: options.multiDevice ?? false,
    maxDevices: options.maxDevices ?? 5,
    clock: options.clock ?? systemClock,
    offlineTtlMs: options.offlineTtlMs ?? 7 * DAY,
    roomGraceMs: options.roomGraceMs ?? 10_000,
    writeBehindMs: options.writeBehindMs ?? WRITE_BEHIND_MS,
    writeBehindMaxBytes: options.writeBehindMaxBytes ?? 64 * 1024 * 1024,
    rate: options.rate ?? { perSecond: 50, burst: 200 },
    maxStrikes: options.maxStrikes ?? 10,
    loginTimeoutMs: options.loginTimeoutMs ?? 10_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    logger: options.logger ?? jsonLogger,
    tap: options.tap,
    limits: resolveLimits(options.limits, MAX_FRAME_BYTES),
    metricsToken: options.metricsToken ?? '',
    defer: options.defer ?? ((fn) => setImmediate(fn)),
    redisUrl: options.redisUrl ?? '',
    clusterPrefix: options.clusterPrefix ?? 'hc',
    nodeId: options.nodeId ?? '',
    budgetAskMs: options.budgetAskMs ?? 250,
    turn: options.turn ? resolveTurn(options.turn) : null,
  };
  // Tencent's SDKAppID is a uint32 (TIM, TRTC and the userSig carry it so; the CLI and the client refuse a larger one).
  const { sdkAppId } = resolved;
  if (!Number.isInteger(sdkAppId) || sdkAppId < 1 || sdkAppId > 0xffffffff) throw new RangeError(`sdkAppId must be an integer from 1 to 4294967295, got ${String(sdkAppId)}`);
  if (!resolved.secretKey) throw new Error('secretKey is required');
  if (!resolved.dbPath) throw new Error('dbPath is required');
  if (resolved.multiDevice && resolved.redisUrl) throw new Error('multiDevice is not available in cluster mode (redisUrl): run one process, or one device per user');
  if (!Number.isInteger(resolved.maxDevices) || resolved.maxDevices < 1 || resolved.maxDevices > 100) throw new Error('maxDevices must be an integer in 1..100');
  if (!Number.isInteger(resolved.writeBehindMs) || resolved.writeBehindMs < 0 || resolved.writeBehindMs > 1000) throw new Error('writeBehindMs must be an integer in 0..1000');
  if (!Number.isInteger(resolved.writeBehindMaxBytes) || resolved.writeBehindMaxBytes < 0) throw new Error('writeBehindMaxBytes must be a non-negative integer');
  if (!Number.isInteger(resolved.budgetAskMs) || resolved.budgetAskMs < 1 || resolved.budgetAskMs > 10_000) throw new Error('budgetAskMs must be an integer in 1..10000');
  if (!(resolved.rate.perSecond > 0) || !(resolved.rate.burst >= 1)) throw new Error('rate needs perSecond > 0 and burst >= 1');
  // What the flags check (`cli.ts`), for `startServer()` too: a NaN or negative time ran as 0, a fraction as is. Those that are
  // timers (a connection's deadlines, `deadlines.ts`; a lost connection's grace, `hub.ts`) end at a timer's longest: Node
  // runs one set past 2^31-1 ms at once (every connection closed (4003) before it could log in, dropped as idle, a session ended at once).
  // The connection's two deadlines are bounds, not switches: 0 (or a few ms, or seconds written as ms) closed every
  // connection as it opened, before its login or first ping; none of them means "off" (cli.test.ts).
  const { offlineTtlMs, roomGraceMs, loginTimeoutMs, idleTimeoutMs, maxStrikes } = resolved;
  const timers = new Set(['loginTimeoutMs', 'idleTimeoutMs', 'roomGraceMs']);
  const deadlines = new Set(['loginTimeoutMs', 'idleTimeoutMs']);
  for (const [name, n] of Object.entries({ offlineTtlMs, roomGraceMs, loginTimeoutMs, idleTimeoutMs, maxStrikes })) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${String(n)}`);
    if (timers.has(name) && n > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS} (a timer's longest, about 24.8 days), got ${n}`);
    if (deadlines.has(name) && n < MIN_DEADLINE_MS) {
      throw new RangeError(`${name} must be at least ${MIN_DEADLINE_MS} (ms: a connection closed sooner could not log in or ping in time; for none in practice give ${MAX_TIMER_MS}), got ${n}`);
    }
  }
  return resolved;
}
