/**
 * The command line of the server: `headless-calling-server --port 8080 --db ./data/calling.db
 * --sdkappid N --secret-key K`; every flag also reads an environment variable (`HC_PORT`, ...),
 * the flag winning. `server/bin.ts` runs it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { CliError, checkDatabasePath, checkStaticDir, explainStartError, openableUrls, packageVersion, startBanner } from './cliChecks';
import { NodeIdLost } from './cluster/nodeId';
import { shownUrl } from './cluster/scripts';
import { type ServerHandle, type ServerOptions, startServer } from './index';
import { LIMIT_FLAGS, limitUsage, parseLimitFlags } from './limitFlags';
import { type Logger, MAX_TIMER_MS, MIN_DEADLINE_MS } from './options';
import { FLAG_NAMES, type ResolvedTurn, resolveTurn } from './turn';

/** Flag -> environment variable: every flag the command line takes but `--help` and `--version` (`test/readmeFacts.test.ts` holds the README to it). */
export const ENV: Record<string, string> = {
  port: 'HC_PORT',
  host: 'HC_HOST',
  db: 'HC_DB',
  sdkappid: 'HC_SDKAPPID',
  'secret-key': 'HC_SECRET_KEY',
  'demo-signing': 'HC_DEMO_SIGNING',
  presence: 'HC_PRESENCE',
  'multi-device': 'HC_MULTI_DEVICE',
  'max-devices': 'HC_MAX_DEVICES',
  fsync: 'HC_FSYNC',
  'shared-database': 'HC_SHARED_DATABASE',
  'write-behind-ms': 'HC_WRITE_BEHIND_MS',
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
  redis: 'HC_REDIS_URL',
  'cluster-prefix': 'HC_CLUSTER_PREFIX',
  'node-id': 'HC_NODE_ID',
  'turn-urls': 'HC_TURN_URLS',
  'turn-secret': 'HC_TURN_SECRET',
  'turn-ttl': 'HC_TURN_TTL',
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
  --presence            tell logged-in users who else is online (HC_PRESENCE=1; default off)
  --multi-device        many devices per user: logins of different devices coexist, all ring,
                        the first answer wins (HC_MULTI_DEVICE=1; default off: a second login
                        kicks the first). Not with --redis
  --max-devices <n>     devices one user may have logged in at once (HC_MAX_DEVICES, default 5)
  --fsync               wait for the disk at every commit: acknowledged messages survive a power
                        loss, not only a crash of the process (HC_FSYNC=1; default off)
  --shared-database     let other processes open the database file meanwhile (an sqlite3 shell,
                        a backup; HC_SHARED_DATABASE=1; default off: the server holds its lock,
                        and a second server on the same file is refused)
  --write-behind-ms <n> a message handed at once to every recipient is stored only if not all
                        confirmed it within this many ms (HC_WRITE_BEHIND_MS, default 200; 0 = off)
  --static <dir>        serve this folder at / (HC_STATIC; npm start: the built demo page)
  --offline-ttl-ms <n>  how long stored messages wait (HC_OFFLINE_TTL_MS, default 7 days)
  --room-grace-ms <n>   how long a dropped connection keeps its room (HC_ROOM_GRACE_MS, default 10000)
  --rate <n>            frames per second per connection (HC_RATE, default 50)
  --burst <n>           frames at once per connection (HC_BURST, default 200)
  --metrics-token <t>   GET /metrics needs "Authorization: Bearer <t>" (HC_METRICS_TOKEN, default open)
  --login-timeout-ms <n> close a connection not logged in by then (HC_LOGIN_TIMEOUT_MS, default 10000, at least 1000)
  --idle-timeout-ms <n> drop a connection silent this long (HC_IDLE_TIMEOUT_MS, default 60000, at least 1000)
  --max-strikes <n>     refused frames before the connection is closed (HC_MAX_STRIKES, default 10)
  --redis <url>         cluster mode: every node started with the same Redis is one service
                        (HC_REDIS_URL, e.g. redis://127.0.0.1:6379; default: one process, no Redis)
  --cluster-prefix <p>  cluster mode: prefix of the service's Redis keys (HC_CLUSTER_PREFIX, default hc)
  --node-id <id>        cluster mode: this node's name, one live process each (HC_NODE_ID, default
                        random); a restart after a crash waits for its last heartbeat to lapse (3.5 s);
                        a node whose id another process took while it stalled stops (exit code 3)
  --turn-urls <list>    TURN servers for the calls' media, comma-separated (HC_TURN_URLS, e.g.
                        turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349):
                        each login gets credentials of its own for them (the TURN REST API's)
  --turn-secret <s>     the secret those servers share with this one (HC_TURN_SECRET; coturn:
                        --use-auth-secret --static-auth-secret=<s>); visible to \`ps\`: prefer the variable
  --turn-ttl <seconds>  how long a login's TURN credentials work (HC_TURN_TTL, default 86400);
                        a login renews them once half spent
${limitUsage()}
  -h, --help            this text
  --version             the version

Every flag also reads its environment variable; the flag wins.
`;

/** Flags that take no value; each reads its variable as 1/true/yes. */
const SWITCHES = ['demo-signing', 'presence', 'fsync', 'shared-database', 'multi-device'] as const;

/**
 * What the command line asks for: run the server with these options, or print `text` and exit
 * with `exitCode` (0: help or version on stdout; 2: a one-line error on stderr).
 */
export type CliResult =
  | { readonly ok: true; readonly options: ServerOptions }
  | { readonly ok: false; readonly exitCode: 0 | 2; readonly text: string };

/** `label` is what the user wrote: `--port`, or `HC_PORT` when the value came from the environment. */
function integer(label: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER, min = 0): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${label} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

const isOn = (text: string | undefined) => ['1', 'true', 'yes'].includes((text ?? '').toLowerCase());

/**
 * `parseArgs`'s refusals, said shortly. `npmScript` is the npm script running us (`npm_lifecycle_event`):
 * `npm start --port 9000` keeps `--port` for npm and hands on only `9000`, so a stray value there says how
 * npm passes options on.
 */
function argError(error: unknown, npmScript: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]} (see --help)`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional && npmScript) {
    const command = npmScript === 'start' ? 'npm start' : `npm run ${npmScript}`;
    return `unexpected argument ${JSON.stringify(positional[1])}: npm keeps the options before "--" for itself: ${command} -- --port 9000`;
  }
  if (positional) return `unexpected argument ${JSON.stringify(positional[1])}: options are --name value (see --help)`;
  const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value (see --help)`;
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value (one that starts with "-" is written ${ambiguous[1]}=-5)`;
  const extra = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (extra) return `${extra[1]} takes no value (see --help)`;
  return message.split('\n')[0] ?? message;
}

/**
 * What `--help` adds when the command line gave options beside it: `npm start -- --help` runs the server with the
 * demo's switches (`--demo-signing --presence --static demo/dist`), and the text's defaults alone ("default off")
 * told a newcomer the opposite of what `npm start` does.
 */
function givenWithHelp(argv: readonly string[]): string {
  const given = argv.filter((arg) => arg !== '--help' && arg !== '-h');
  return given.length === 0 ? '' : `\nOn this command line, besides --help: ${given.map((arg, i) => shownArg(arg, given[i - 1])).join(' ')}\n`;
}

/** The flags whose values are secrets: named, never shown (the terminal and its logs travel). */
const SECRET_FLAGS = ['--secret-key', '--turn-secret', '--metrics-token'];

/** `arg` (after `before`) as {@link givenWithHelp} may show it: a secret hidden, the Redis URL without its password. */
function shownArg(arg: string, before: string | undefined): string {
  const [flag, value] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [before, arg];
  const shown = SECRET_FLAGS.includes(flag ?? '') ? '(hidden)' : flag === '--redis' ? shownUrl(value) : value;
  return flag === before ? shown : `${flag}=${shown}`;
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
  const fail = (text: string): CliResult => ({ ok: false, exitCode: 2, text });
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(Object.keys(ENV).filter((k) => !(SWITCHES as readonly string[]).includes(k)).map((k) => [k, { type: 'string' as const }])),
        ...Object.fromEntries(SWITCHES.map((k) => [k, { type: 'boolean' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // Under `npx` (npm_command exec) arguments pass through as typed: only a script swallows options.
    const npmScript = env.npm_command === 'start' || env.npm_command === 'run' || env.npm_command === 'run-script' ? env.npm_lifecycle_event : undefined;
    return fail(argError(error, npmScript || undefined));
  }
  if (values.help) return { ok: false, exitCode: 0, text: USAGE + givenWithHelp(argv) };
  if (values.version) return { ok: false, exitCode: 0, text: packageVersion() };
  const get = (flag: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[ENV[flag] ?? ''];
  };
  const on = (flag: (typeof SWITCHES)[number]) => values[flag] === true || isOn(env[ENV[flag] ?? '']);
  // A refusal names what the user wrote: the flag, or its variable when the value came from there.
  const named = (flag: string): string => (typeof values[flag] === 'string' ? `--${flag}` : (ENV[flag] ?? `--${flag}`));
  try {
    const port = integer(named('port'), get('port'), 65535) ?? 8080;
    const rate = integer(named('rate'), get('rate'), 1_000_000, 1);
    const burst = integer(named('burst'), get('burst'), 1_000_000, 1);
    const offlineTtlMs = integer(named('offline-ttl-ms'), get('offline-ttl-ms'));
    const roomGraceMs = integer(named('room-grace-ms'), get('room-grace-ms'), MAX_TIMER_MS);
    const writeBehindMs = integer(named('write-behind-ms'), get('write-behind-ms'), 1000);
    const demoSigning = on('demo-signing');
    let sdkAppId = integer(named('sdkappid'), get('sdkappid'), 0xffffffff, 1);
    // The key: --secret-key, --secret-key-file, HC_SECRET_KEY, HC_SECRET_KEY_FILE (flags first).
    const fromFile = (path: string | undefined, label: string) => {
      if (!path) return undefined;
      let key: string;
      try {
        key = readText(path).trim();
      } catch (error) {
        const code = typeof error === 'object' && error !== null && 'code' in error ? ` (${String(error.code)})` : '';
        throw new CliError(`${label} ${path}: cannot read it${code}`);
      }
      if (key === '') throw new CliError(`${label} ${path}: the file is empty`);
      return key;
    };
    const flagValue = (flag: string) => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
    let secretKey = flagValue('secret-key') ?? fromFile(flagValue('secret-key-file'), '--secret-key-file') ?? (env.HC_SECRET_KEY || undefined) ?? fromFile(env.HC_SECRET_KEY_FILE, 'HC_SECRET_KEY_FILE');
    const loginTimeoutMs = integer(named('login-timeout-ms'), get('login-timeout-ms'), MAX_TIMER_MS, MIN_DEADLINE_MS);
    const idleTimeoutMs = integer(named('idle-timeout-ms'), get('idle-timeout-ms'), MAX_TIMER_MS, MIN_DEADLINE_MS);
    const maxStrikes = integer(named('max-strikes'), get('max-strikes'));
    const limits = parseLimitFlags(get, (flag, text) => integer(named(flag), text));
    const metricsToken = get('metrics-token');
    const redisUrl = get('redis');
    // (Named as /healthz names it: the password a mistyped scheme carries stays off the terminal and its logs.)
    if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) return fail(`${named('redis')} must be a redis:// or rediss:// URL${URL.canParse(redisUrl) ? `, got "${shownUrl(redisUrl)}"` : ''}`);
    const clusterPrefix = get('cluster-prefix');
    if (clusterPrefix !== undefined && !redisUrl) return fail('--cluster-prefix names the cluster\'s keys in Redis: give --redis too');
    const nodeId = get('node-id');
    if (nodeId !== undefined && !redisUrl) return fail('--node-id names a node of a cluster: give --redis too');
    if (nodeId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) return fail(`${named('node-id')} must be 1 to 64 letters, digits, ".", "_" or "-", got ${JSON.stringify(nodeId)}`);
    const turnUrls = get('turn-urls');
    const turnSecret = get('turn-secret');
    const turnTtl = integer(named('turn-ttl'), get('turn-ttl'), 604_800, 60);
    if ((turnUrls === undefined) !== (turnSecret === undefined)) return fail('--turn-urls and --turn-secret go together: the TURN servers, and the secret they share with this server');
    if (turnTtl !== undefined && turnUrls === undefined) return fail('--turn-ttl is the lifetime of TURN credentials: give --turn-urls and --turn-secret too');
    let turn: ResolvedTurn | undefined;
    try {
      if (turnUrls !== undefined) turn = resolveTurn({ urls: turnUrls.split(','), secret: turnSecret ?? '', ...(turnTtl === undefined ? {} : { ttlSeconds: turnTtl }) }, FLAG_NAMES);
    } catch (error) {
      return fail((error as Error).message);
    }
    const multiDevice = on('multi-device');
    if (multiDevice && redisUrl) return fail('--multi-device is not available with --redis (cluster mode keeps one session per user)');
    const maxDevices = integer(named('max-devices'), get('max-devices'), 100, 1);
    if (demoSigning) {
      sdkAppId ??= DEMO_SDKAPPID;
      // No key given: a throwaway one, so that demo userSigs are useless anywhere else; but every node of a cluster
      // must verify every other's userSigs (a client moving nodes was kicked as userSigForged).
      if (!secretKey && redisUrl) return fail('--redis with --demo-signing needs the same --secret-key (or HC_SECRET_KEY) on every node: a throwaway key per node would refuse the userSigs of the others');
      secretKey ||= randomBytes(32).toString('hex');
    }
    if (sdkAppId === undefined || !secretKey) {
      const missing = sdkAppId === undefined && !secretKey ? '--sdkappid and --secret-key are' : sdkAppId === undefined ? '--sdkappid is' : '--secret-key is';
      return fail(`${missing} required (or --demo-signing for a demo; see --help)`);
    }
    const host = get('host') ?? '127.0.0.1';
    if (!host.trim()) return fail(`${named('host')} must not be empty (127.0.0.1, 0.0.0.0, ::, or an address of this machine)`);
    const dbPath = get('db') ?? './data/calling.db';
    if (!dbPath.trim()) return fail(`${named('db')} must not be empty (a file, or :memory:)`);
    const staticDir = get('static');
    const options: ServerOptions = {
      port,
      host,
      dbPath,
      sdkAppId,
      secretKey,
      demoSigning,
      ...(on('presence') ? { presence: true } : {}),
      ...(on('fsync') ? { fsync: true } : {}),
      ...(on('shared-database') ? { sharedDatabase: true } : {}),
      ...(multiDevice ? { multiDevice: true } : {}),
      ...(maxDevices === undefined ? {} : { maxDevices }),
      ...(staticDir ? { staticDir } : {}),
      ...(offlineTtlMs === undefined ? {} : { offlineTtlMs }),
      ...(roomGraceMs === undefined ? {} : { roomGraceMs }),
      ...(writeBehindMs === undefined ? {} : { writeBehindMs }),
      ...(rate === undefined && burst === undefined ? {} : { rate: { perSecond: rate ?? 50, burst: burst ?? Math.max(1, (rate ?? 50) * 4) } }),
      ...(loginTimeoutMs === undefined ? {} : { loginTimeoutMs }),
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
      ...(maxStrikes === undefined ? {} : { maxStrikes }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
      ...(metricsToken ? { metricsToken } : {}),
      ...(redisUrl ? { redisUrl } : {}),
      ...(clusterPrefix ? { clusterPrefix } : {}),
      ...(nodeId ? { nodeId } : {}),
      ...(turn ? { turn } : {}),
    };
    return { ok: true, options };
  } catch (error) {
    if (error instanceof CliError) return fail(error.message);
    throw error;
  }
}

/** Where the CLI writes (tests capture it). */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: CliOutput = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** The name errors are prefixed with. */
const NAME = 'headless-calling-server';

/**
 * Runs the server from the command line until SIGINT/SIGTERM. Resolves with the exit code when
 * there is nothing to run (help, version: 0; a misconfiguration: 2, after one line on stderr), or
 * with the running server.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  run: {
    readonly logger?: Logger;
    /** Where help, errors and the banner go (default the console). */
    readonly output?: CliOutput;
    /** Stop on SIGINT/SIGTERM and exit (default true; tests say false and close the server). */
    readonly handleSignals?: boolean;
    /** How a signal's stop ends the process (default `process.exit`). */
    readonly exit?: (code: number) => void;
  } = {},
): Promise<{ code: number; server?: ServerHandle }> {
  const { logger, output = consoleOutput, handleSignals = true, exit = (code: number) => process.exit(code) } = run;
  const parsed = parseCli(argv, env);
  if (!parsed.ok) {
    if (parsed.exitCode === 0) output.out(parsed.text);
    else output.err(`${NAME}: ${parsed.text}`);
    return { code: parsed.exitCode };
  }
  const { options } = parsed;
  if (argv.some((arg) => arg === '--secret-key' || arg.startsWith('--secret-key='))) {
    output.err(`${NAME}: warning: --secret-key is visible to every user of this machine (ps); use --secret-key-file or HC_SECRET_KEY`);
  }
  if (argv.some((arg) => arg === '--turn-secret' || arg.startsWith('--turn-secret='))) {
    output.err(`${NAME}: warning: --turn-secret is visible to every user of this machine (ps); use HC_TURN_SECRET`);
  }
  let server: ServerHandle;
  try {
    checkStaticDir(options.staticDir);
    checkDatabasePath(options.dbPath);
    server = await startServer(logger ? { ...options, logger } : options);
  } catch (error) {
    // Its id taken while it started (`cluster/nodeId.ts`): its log said so in one line; the code of a node that lost its id.
    if (error instanceof NodeIdLost) return { code: 3 };
    const line = error instanceof CliError ? error.message : explainStartError(error, options);
    if (line === null) throw error;
    output.err(`${NAME}: ${line}`);
    return { code: 2 };
  }
  const urls = openableUrls(options.host ?? '127.0.0.1', server.port, {})[0]?.url ?? server.httpUrl;
  const banner = startBanner({ host: options.host ?? '127.0.0.1', port: server.port, hasPage: Boolean(options.staticDir), version: packageVersion() }, networkInterfaces());
  output.out(banner);
  if (options.demoSigning) {
    output.out(`\n  !!! DEMO SIGNING IS ON: ${urls}/usersig?userID=<id> hands out a userSig for ANY user.\n  !!! SDKAppID ${options.sdkAppId}. Do not expose this server beyond your machine.\n`);
  }
  if (options.presence) output.out('  Presence is on: logged-in users see who else is online.');
  if (options.turn) output.out(`  TURN: each login gets credentials of its own for ${options.turn.urls.join(', ')}.`);
  if (options.multiDevice) output.out(`  Many devices is on: up to ${options.maxDevices ?? 5} devices per user ring together.`);
  if (handleSignals) {
    // A signal during a stop of its own (its id lost) ends that stop, with its code: `stopped` settles as the close ends,
    // before a turn goes by.
    let lost = false;
    void server.stopped.then(() => (lost = true));
    const stop = () => {
      void server.close().then(() => setImmediate(() => exit(lost ? 3 : 0)));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return { code: 0, server };
}
