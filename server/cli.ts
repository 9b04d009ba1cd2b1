/**
 * The command line of the server: `headless-calling-server --port 8080 --db ./data/calling.db
 * --sdkappid N --secret-key K`; every flag also reads an environment variable (`HC_PORT`, ...),
 * the flag winning. `server/bin.ts` runs it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type ServerHandle, type ServerOptions, startServer } from './index';
import { LIMIT_FLAGS, limitUsage, parseLimitFlags } from './limitFlags';
import type { Logger } from './options';

/** Flag -> environment variable. */
const ENV: Record<string, string> = {
  port: 'HC_PORT',
  host: 'HC_HOST',
  db: 'HC_DB',
  sdkappid: 'HC_SDKAPPID',
  'secret-key': 'HC_SECRET_KEY',
  'demo-signing': 'HC_DEMO_SIGNING',
  static: 'HC_STATIC',
  'offline-ttl-ms': 'HC_OFFLINE_TTL_MS',
  'room-grace-ms': 'HC_ROOM_GRACE_MS',
  rate: 'HC_RATE',
  burst: 'HC_BURST',
  'secret-key-file': 'HC_SECRET_KEY_FILE',
  'metrics-token': 'HC_METRICS_TOKEN',
  'login-timeout-ms': 'HC_LOGIN_TIMEOUT_MS',
  'idle-timeout-ms': 'HC_IDLE_TIMEOUT_MS',
  'max-strikes': 'HC_MAX_STRIKES',
  ...Object.fromEntries(LIMIT_FLAGS.map((f) => [f.flag, f.env])),
};

/** The SDKAppID used in demo mode when none is given. */
export const DEMO_SDKAPPID = 1400000001;

/** The `--help` text. */
export const USAGE = `Usage: headless-calling-server [options]

  --port <n>            TCP port (HC_PORT, default 8080; 0 = any free port)
  --host <addr>         interface to bind (HC_HOST, default 127.0.0.1)
  --db <file>           SQLite file (HC_DB, default ./data/calling.db)
  --sdkappid <n>        the app's SDKAppID (HC_SDKAPPID)
  --secret-key <key>    the app's userSig secret key (HC_SECRET_KEY); visible to \`ps\`: prefer
  --secret-key-file <f> a file holding it (HC_SECRET_KEY_FILE), or HC_SECRET_KEY
  --demo-signing        serve GET /usersig for ANY userID (HC_DEMO_SIGNING=1). Demo only.
  --static <dir>        serve this folder at / (HC_STATIC; npm start: the built demo page)
  --offline-ttl-ms <n>  how long stored messages wait (HC_OFFLINE_TTL_MS, default 7 days)
  --room-grace-ms <n>   how long a dropped connection keeps its room (HC_ROOM_GRACE_MS, default 10000)
  --rate <n>            frames per second per connection (HC_RATE, default 50)
  --burst <n>           frames at once per connection (HC_BURST, default 200)
  --metrics-token <t>   GET /metrics needs "Authorization: Bearer <t>" (HC_METRICS_TOKEN, default open)
  --login-timeout-ms <n> close a connection not logged in by then (HC_LOGIN_TIMEOUT_MS, default 10000)
  --idle-timeout-ms <n> drop a connection silent this long (HC_IDLE_TIMEOUT_MS, default 60000)
  --max-strikes <n>     refused frames before the connection is closed (HC_MAX_STRIKES, default 10)
${limitUsage()}
  --help                this text
`;

/** What the command line asks for: server options, or the usage text (with an error, if any). */
export type CliResult = { readonly ok: true; readonly options: ServerOptions } | { readonly ok: false; readonly message: string };

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * Reads flags and environment variables into server options. Pure but for `readText`, which
 * reads the secret key file (default: the file system).
 */
export function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): CliResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(Object.keys(ENV).filter((k) => k !== 'demo-signing').map((k) => [k, { type: 'string' as const }])),
        'demo-signing': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}` };
  }
  if (values.help) return { ok: false, message: USAGE };
  const get = (flag: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[ENV[flag] ?? ''];
  };
  try {
    const demoSigning = values['demo-signing'] === true || ['1', 'true', 'yes'].includes((env.HC_DEMO_SIGNING ?? '').toLowerCase());
    let sdkAppId = integer('sdkappid', get('sdkappid'));
    // The key: --secret-key, --secret-key-file, HC_SECRET_KEY, HC_SECRET_KEY_FILE (flags first).
    const keyFile = typeof values['secret-key-file'] === 'string' ? values['secret-key-file'] : undefined;
    const fromFile = (path: string | undefined) => (path ? readText(path).trim() : undefined);
    let secretKey =
      (typeof values['secret-key'] === 'string' ? values['secret-key'] : undefined) ??
      fromFile(keyFile) ??
      (env.HC_SECRET_KEY || undefined) ??
      fromFile(env.HC_SECRET_KEY_FILE);
    if (demoSigning) {
      sdkAppId ??= DEMO_SDKAPPID;
      // No key given: a throwaway one, so that demo userSigs are useless anywhere else.
      secretKey ||= randomBytes(32).toString('hex');
    }
    if (sdkAppId === undefined || !secretKey) {
      return { ok: false, message: `--sdkappid and --secret-key are required (or --demo-signing)\n\n${USAGE}` };
    }
    const rate = integer('rate', get('rate'));
    const burst = integer('burst', get('burst'));
    const offlineTtlMs = integer('offline-ttl-ms', get('offline-ttl-ms'));
    const roomGraceMs = integer('room-grace-ms', get('room-grace-ms'));
    const loginTimeoutMs = integer('login-timeout-ms', get('login-timeout-ms'));
    const idleTimeoutMs = integer('idle-timeout-ms', get('idle-timeout-ms'));
    const maxStrikes = integer('max-strikes', get('max-strikes'));
    const limits = parseLimitFlags(get, integer);
    const metricsToken = get('metrics-token');
    const options: ServerOptions = {
      port: integer('port', get('port')) ?? 8080,
      host: get('host') ?? '127.0.0.1',
      dbPath: get('db') ?? './data/calling.db',
      sdkAppId,
      secretKey,
      demoSigning,
      ...(get('static') ? { staticDir: get('static') } : {}),
      ...(offlineTtlMs === undefined ? {} : { offlineTtlMs }),
      ...(roomGraceMs === undefined ? {} : { roomGraceMs }),
      ...(rate === undefined && burst === undefined ? {} : { rate: { perSecond: rate ?? 50, burst: burst ?? Math.max(1, (rate ?? 50) * 4) } }),
      ...(loginTimeoutMs === undefined ? {} : { loginTimeoutMs }),
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
      ...(maxStrikes === undefined ? {} : { maxStrikes }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
      ...(metricsToken ? { metricsToken } : {}),
    };
    return { ok: true, options };
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}` };
  }
}

/** Runs the server from the command line until SIGINT/SIGTERM; returns the exit code. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  logger?: Logger,
): Promise<{ code: number; server?: ServerHandle }> {
  const parsed = parseCli(argv, env);
  if (!parsed.ok) {
    const isHelp = parsed.message === USAGE;
    (isHelp ? console.log : console.error)(parsed.message);
    return { code: isHelp ? 0 : 2 };
  }
  const { options } = parsed;
  if (argv.some((arg) => arg === '--secret-key' || arg.startsWith('--secret-key='))) {
    console.error('warning: --secret-key is visible to every user of this machine (ps); use --secret-key-file or HC_SECRET_KEY');
  }
  if (options.dbPath !== ':memory:') mkdirSync(dirname(options.dbPath), { recursive: true });
  const server = await startServer(logger ? { ...options, logger } : options);
  console.log(`headless-calling server: ${server.httpUrl} (WebSocket ${server.url})`);
  if (options.demoSigning) {
    console.log(`\n  !!! DEMO SIGNING IS ON: ${server.httpUrl}/usersig?userID=<id> hands out a userSig for ANY user.\n  !!! SDKAppID ${options.sdkAppId}. Do not expose this server beyond your machine.\n`);
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { code: 0, server };
}
