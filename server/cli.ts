/**
 * The command line of the server: `headless-calling-server --port 8080 --db ./data/calling.db
 * --sdkappid N --secret-key K`; every flag also reads an environment variable (`HC_PORT`, ...),
 * the flag winning. `server/bin.ts` runs it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { type ServerHandle, type ServerOptions, startServer } from './index';
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
};

/** The SDKAppID used in demo mode when none is given. */
export const DEMO_SDKAPPID = 1400000001;

/** The `--help` text. */
export const USAGE = `Usage: headless-calling-server [options]

  --port <n>            TCP port (HC_PORT, default 8080; 0 = any free port)
  --host <addr>         interface to bind (HC_HOST, default 127.0.0.1)
  --db <file>           SQLite file (HC_DB, default ./data/calling.db)
  --sdkappid <n>        the app's SDKAppID (HC_SDKAPPID)
  --secret-key <key>    the app's userSig secret key (HC_SECRET_KEY)
  --demo-signing        serve GET /usersig for ANY userID (HC_DEMO_SIGNING=1). Demo only.
  --static <dir>        serve this folder at / (HC_STATIC; npm start: the built demo page)
  --offline-ttl-ms <n>  how long stored messages wait (HC_OFFLINE_TTL_MS, default 7 days)
  --room-grace-ms <n>   how long a dropped connection keeps its room (HC_ROOM_GRACE_MS, default 10000)
  --rate <n>            frames per second per connection (HC_RATE, default 50)
  --burst <n>           frames at once per connection (HC_BURST, default 200)
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

/** Reads flags and environment variables into server options. Pure: no I/O. */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliResult {
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
    let secretKey = get('secret-key');
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
