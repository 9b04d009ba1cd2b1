/** The command line: flags, their environment variables, demo defaults, refusals, and the URLs it prints. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SDKAPPID, USAGE, parseCli } from '../../server/cli';
import { checkDatabasePath, openableUrls, packageVersion, startBanner } from '../../server/cliChecks';
import { LIMIT_FLAGS } from '../../server/limitFlags';
import { DEFAULT_LIMITS } from '../../server/limits';
import { WRITE_BEHIND_MS, resolveOptions } from '../../server/options';

const refusal = (argv: string[], env: Record<string, string> = {}) => {
  const result = parseCli(argv, env);
  if (result.ok || result.exitCode !== 2) throw new Error(`not refused: ${JSON.stringify(result)}`);
  return result.text;
};

describe('server CLI', () => {
  it('reads every flag', () => {
    const result = parseCli(
      ['--port', '9000', '--host', '0.0.0.0', '--db', '/tmp/x.db', '--sdkappid', '1400000123', '--secret-key', 'k', '--offline-ttl-ms', '60000', '--room-grace-ms', '5000', '--rate', '5', '--burst', '9', '--presence', '--fsync', '--static', 'demo/dist'],
      {},
    );
    expect(result).toEqual({
      ok: true,
      options: {
        port: 9000,
        host: '0.0.0.0',
        dbPath: '/tmp/x.db',
        sdkAppId: 1400000123,
        secretKey: 'k',
        demoSigning: false,
        presence: true,
        fsync: true,
        staticDir: 'demo/dist',
        offlineTtlMs: 60000,
        roomGraceMs: 5000,
        rate: { perSecond: 5, burst: 9 },
      },
    });
  });

  it('reads environment variables; a flag wins over its variable', () => {
    const env = { HC_PORT: '7000', HC_DB: './env.db', HC_SDKAPPID: '1400000001', HC_SECRET_KEY: 'from-env', HC_HOST: '::1', HC_PRESENCE: 'yes', HC_FSYNC: '1' };
    expect(parseCli([], env)).toMatchObject({ ok: true, options: { port: 7000, dbPath: './env.db', sdkAppId: 1400000001, secretKey: 'from-env', host: '::1', presence: true, fsync: true } });
    expect(parseCli(['--port', '7001'], env)).toMatchObject({ ok: true, options: { port: 7001 } });
    expect(parseCli(['--shared-database'], env)).toMatchObject({ ok: true, options: { sharedDatabase: true } });
    expect(parseCli([], { ...env, HC_SHARED_DATABASE: '1' })).toMatchObject({ ok: true, options: { sharedDatabase: true } });
    expect(parseCli([], env)).not.toMatchObject({ options: { sharedDatabase: true } });
  });

  it('defaults: port 8080 on 127.0.0.1, ./data/calling.db, presence off', () => {
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k'], {})).toEqual({
      ok: true,
      options: { port: 8080, host: '127.0.0.1', dbPath: './data/calling.db', sdkAppId: 1, secretKey: 'k', demoSigning: false },
    });
  });

  it('write-behind is on by default (200 ms, payloads held at most 64 MiB); --write-behind-ms 0 turns it off', () => {
    const resolved = (argv: string[]) => {
      const parsed = parseCli(['--sdkappid', '1', '--secret-key', 'k', ...argv], {});
      if (!parsed.ok) throw new Error(parsed.text);
      return resolveOptions(parsed.options);
    };
    expect(resolved([])).toMatchObject({ writeBehindMs: WRITE_BEHIND_MS, writeBehindMaxBytes: 64 * 1024 * 1024 });
    expect(WRITE_BEHIND_MS).toBe(200);
    expect(resolved(['--write-behind-ms', '0']).writeBehindMs).toBe(0);
    expect(USAGE).toContain('HC_WRITE_BEHIND_MS, default 200; 0 = off');
  });

  it("a cluster login that moves a user waits 250 ms for its budgets by default; budgetAskMs out of 1..10000 is refused", () => {
    const base = { dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' };
    expect(resolveOptions(base).budgetAskMs).toBe(250);
    expect(resolveOptions({ ...base, budgetAskMs: 2000 }).budgetAskMs).toBe(2000);
    for (const budgetAskMs of [0, 1.5, 10_001, Number.NaN]) expect(() => resolveOptions({ ...base, budgetAskMs })).toThrow('budgetAskMs must be an integer in 1..10000');
  });

  // The leftovers of 2026-12-07: --sdkappid stops at 2^32-1 (Tencent's SDKAppID is a uint32), startServer({ sdkAppId }) took any.
  it("startServer's sdkAppId is checked as --sdkappid is: an integer from 1 to 4294967295, else a RangeError", () => {
    const base = { dbPath: ':memory:', secretKey: 'k' };
    expect(resolveOptions({ ...base, sdkAppId: 0xffffffff }).sdkAppId).toBe(4294967295);
    for (const bad of [0x100000000, Number.MAX_SAFE_INTEGER, 0, -1, 1.5, Number.NaN]) {
      const refused = () => resolveOptions({ ...base, sdkAppId: bad });
      expect(refused).toThrow(RangeError);
      expect(refused).toThrow(`sdkAppId must be an integer from 1 to 4294967295, got ${String(bad)}`);
    }
  });

  it("startServer's times and strike count are checked as their flags are: a NaN, negative or fractional one is refused", () => {
    const base = { dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' };
    for (const name of ['offlineTtlMs', 'roomGraceMs', 'loginTimeoutMs', 'idleTimeoutMs', 'maxStrikes'] as const) {
      if (name !== 'loginTimeoutMs' && name !== 'idleTimeoutMs') expect(resolveOptions({ ...base, [name]: 0 })[name]).toBe(0);
      for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
        expect(() => resolveOptions({ ...base, [name]: bad })).toThrow(RangeError);
        expect(() => resolveOptions({ ...base, [name]: bad })).toThrow(`${name} must be a non-negative integer, got ${String(bad)}`);
      }
    }
  });

  // The last session's leftovers (2026-12-07): a login deadline or an idle timeout of 0 closed every connection as it
  // opened (4003, or dropped as idle at its first timer), one of a few ms did so before any client could log in, and a
  // value meant in seconds (--idle-timeout-ms 60) did the same. Neither is a switch: both bound what a connection holds
  // (a socket that never logs in, a half-open one that never speaks), so 0 is not "off" (Node's http timeouts) nor
  // "the default" (Go servers' zero values): it is refused, as anything under a second, with what to give instead.
  it('a login deadline or an idle timeout under 1000 ms (0 included) is refused, by startServer and by its flag; 1000 is taken', () => {
    const base = { dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' };
    const env = { HC_DEMO_SIGNING: '1' };
    for (const [option, flag] of [['loginTimeoutMs', '--login-timeout-ms'], ['idleTimeoutMs', '--idle-timeout-ms']] as const) {
      expect(resolveOptions({ ...base, [option]: 1000 })[option]).toBe(1000);
      for (const bad of [0, 1, 60, 999]) {
        expect(() => resolveOptions({ ...base, [option]: bad })).toThrow(RangeError);
        expect(() => resolveOptions({ ...base, [option]: bad })).toThrow(`${option} must be at least 1000 (ms: a connection closed sooner could not log in or ping in time; for none in practice give 2147483647), got ${bad}`);
      }
      expect(parseCli([flag, '1000'], env)).toMatchObject({ ok: true, options: { [option]: 1000 } });
      for (const bad of ['0', '60', '999']) {
        expect(parseCli([flag, bad], env)).toEqual({ ok: false, exitCode: 2, text: expect.stringContaining(`${flag} must be a whole number from 1000 to 2147483647, got "${bad}"`) });
      }
    }
    expect(parseCli([], { ...env, HC_IDLE_TIMEOUT_MS: '0' })).toEqual({ ok: false, exitCode: 2, text: expect.stringContaining('HC_IDLE_TIMEOUT_MS must be a whole number from 1000 to 2147483647, got "0"') });
  });

  // Review of bd570be (2026-12-07): the login deadline became a timer per connection, and Node runs a timer set past
  // 2^31-1 ms at once (a TimeoutOverflowWarning): with --login-timeout-ms 2147483648 every connection was closed
  // (4003) within milliseconds of opening, before its login. The sweep alone, before, took such a deadline as given.
  it('a login deadline past a timer\'s longest (2^31-1 ms) is refused, by startServer and by its flag', () => {
    const base = { dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' };
    expect(resolveOptions({ ...base, loginTimeoutMs: 2 ** 31 - 1 }).loginTimeoutMs).toBe(2 ** 31 - 1);
    expect(() => resolveOptions({ ...base, loginTimeoutMs: 2 ** 31 })).toThrow('loginTimeoutMs must be at most 2147483647 (a timer\'s longest, about 24.8 days), got 2147483648');
    const env = { HC_DEMO_SIGNING: '1' };
    expect(parseCli(['--login-timeout-ms', '2147483647'], env)).toMatchObject({ ok: true, options: { loginTimeoutMs: 2 ** 31 - 1 } });
    expect(parseCli(['--login-timeout-ms', '2147483648'], env)).toMatchObject({ ok: false, exitCode: 2, text: expect.stringContaining('--login-timeout-ms must be a whole number from 1000 to 2147483647, got "2147483648"') });
  });

  // The same overflow, after the merge of 2026-12-07: the idle timeout became the same per-connection timer (re-armed for
  // what is left of it), and a lost connection's grace was a timer already (every session ended at once).
  it('an idle timeout or a room grace past a timer\'s longest is refused, by startServer and by its flag', () => {
    const base = { dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' };
    const env = { HC_DEMO_SIGNING: '1' };
    for (const [option, flag, min] of [['idleTimeoutMs', '--idle-timeout-ms', 1000], ['roomGraceMs', '--room-grace-ms', 0]] as const) {
      expect(resolveOptions({ ...base, [option]: 2 ** 31 - 1 })[option]).toBe(2 ** 31 - 1);
      expect(() => resolveOptions({ ...base, [option]: 2 ** 31 })).toThrow(`${option} must be at most 2147483647 (a timer's longest, about 24.8 days), got 2147483648`);
      expect(parseCli([flag, '2147483647'], env)).toMatchObject({ ok: true, options: { [option]: 2 ** 31 - 1 } });
      expect(parseCli([flag, '2147483648'], env)).toMatchObject({ ok: false, exitCode: 2, text: expect.stringContaining(`${flag} must be a whole number from ${min} to 2147483647, got "2147483648"`) });
    }
  });

  it('demo signing only when asked: then the app and a throwaway key are made up if missing', () => {
    const demo = parseCli(['--demo-signing'], {});
    expect(demo).toMatchObject({ ok: true, options: { demoSigning: true, sdkAppId: DEMO_SDKAPPID, secretKey: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(parseCli([], { HC_DEMO_SIGNING: '1' })).toMatchObject({ ok: true, options: { demoSigning: true } });
    expect(parseCli([], { HC_DEMO_SIGNING: '0', HC_SDKAPPID: '1', HC_SECRET_KEY: 'k' })).toMatchObject({ ok: true, options: { demoSigning: false } });
  });

  it('a cluster with demo signing needs one key on every node: a throwaway key per node had a client that moved nodes kicked as userSigForged (npm start -- --redis ...)', () => {
    expect(parseCli(['--demo-signing', '--redis', 'redis://127.0.0.1:6379'], {})).toEqual({
      ok: false,
      exitCode: 2,
      text: '--redis with --demo-signing needs the same --secret-key (or HC_SECRET_KEY) on every node: a throwaway key per node would refuse the userSigs of the others',
    });
    expect(parseCli(['--demo-signing', '--redis', 'redis://127.0.0.1:6379'], { HC_SECRET_KEY: 'shared' })).toMatchObject({ ok: true, options: { demoSigning: true, secretKey: 'shared' } });
  });

  it('--node-id (HC_NODE_ID) names a cluster node: read with --redis, refused without it or with characters a key would not keep', () => {
    const cluster = ['--sdkappid', '1', '--secret-key', 'k', '--redis', 'redis://127.0.0.1:6379'];
    expect(parseCli([...cluster, '--node-id', 'eu-1.a_b'], {})).toMatchObject({ ok: true, options: { nodeId: 'eu-1.a_b' } });
    expect(parseCli(cluster, { HC_NODE_ID: 'n2' })).toMatchObject({ ok: true, options: { nodeId: 'n2' } });
    expect(parseCli(cluster, {})).not.toMatchObject({ options: { nodeId: expect.anything() } });
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k', '--node-id', 'n1'], {})).toEqual({ ok: false, exitCode: 2, text: '--node-id names a node of a cluster: give --redis too' });
    expect(parseCli([...cluster, '--node-id', 'a:b'], {})).toEqual({ ok: false, exitCode: 2, text: '--node-id must be 1 to 64 letters, digits, ".", "_" or "-", got "a:b"' });
  });

  it('-h, --help and --version print and exit 0', () => {
    expect(parseCli(['--help'], {})).toEqual({ ok: false, exitCode: 0, text: USAGE });
    expect(parseCli(['-h', '--bogus-is-never-read'], {})).toMatchObject({ ok: false, exitCode: 2 }); // strict: a bad flag still wins
    expect(parseCli(['-h'], {})).toEqual({ ok: false, exitCode: 0, text: USAGE });
    expect(parseCli(['--version'], {})).toEqual({ ok: false, exitCode: 0, text: packageVersion() });
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(USAGE).toContain('--presence');
  });

  it('--help beside other options names them: npm start -- --help runs with the demo\'s switches on', () => {
    // The text's defaults ("--presence ... default off") alone told a newcomer the opposite of what npm start does.
    const npmStart = ['--demo-signing', '--presence', '--static', 'demo/dist', '--help'];
    expect(parseCli(npmStart, {})).toEqual({
      ok: false,
      exitCode: 0,
      text: `${USAGE}\nOn this command line, besides --help: --demo-signing --presence --static demo/dist\n`,
    });
    expect(parseCli(['--port', '9000', '-h'], {})).toMatchObject({ exitCode: 0, text: expect.stringMatching(/besides --help: --port 9000\n$/) });
  });

  it('--help beside secrets names their flags, never their values (the terminal and its logs, as /healthz keeps the Redis password)', () => {
    const argv = ['--secret-key', 'k3y', '--turn-secret=s3cret', '--metrics-token', 't0ken', '--redis', 'redis://u:pa55@db:6379/0?password=pa55', '--help'];
    const text = (parseCli(argv, {}) as { text: string }).text;
    expect(text).toMatch(/besides --help: --secret-key \(hidden\) --turn-secret=\(hidden\) --metrics-token \(hidden\) --redis redis:\/\/db:6379\/0\n$/);
    for (const secret of ['k3y', 's3cret', 't0ken', 'pa55']) expect(text).not.toContain(secret);
  });

  it('every misconfiguration is one line saying what to fix (exit code 2)', () => {
    const demo = ['--demo-signing'];
    expect([
      refusal([]),
      refusal(['--sdkappid', '1']),
      refusal(['--sdkappid', 'x', '--secret-key', 'k']),
      refusal(['--sdkappid', '0', '--secret-key', 'k']),
      refusal([...demo, '--port', '-1']),
      refusal([...demo, '--port=-1']),
      refusal([...demo, '--port', '70000']),
      refusal([...demo, '--port', '1.5']),
      refusal([...demo, '--port', 'abc']),
      refusal([...demo, '--port']),
      refusal([...demo, '--rate', '0']),
      refusal([...demo, '--bogus']),
      refusal([...demo, 'extra']),
      refusal([...demo, '--presence=1']),
      refusal([...demo, '--host', ' ']),
      refusal([], { HC_DEMO_SIGNING: '1', HC_PORT: 'eighty' }),
      refusal([...demo, '--redis', 'Redis://default:hunter2@10.0.0.5:6379']),
      refusal([...demo, '--redis', 'localhost:6379']),
    ]).toEqual([
      '--sdkappid and --secret-key are required (or --demo-signing for a demo; see --help)',
      '--secret-key is required (or --demo-signing for a demo; see --help)',
      '--sdkappid must be a whole number from 1 to 4294967295, got "x"',
      '--sdkappid must be a whole number from 1 to 4294967295, got "0"',
      '--port needs a value (one that starts with "-" is written --port=-5)',
      '--port must be a whole number from 0 to 65535, got "-1"',
      '--port must be a whole number from 0 to 65535, got "70000"',
      '--port must be a whole number from 0 to 65535, got "1.5"',
      '--port must be a whole number from 0 to 65535, got "abc"',
      '--port needs a value (see --help)',
      '--rate must be a whole number from 1 to 1000000, got "0"',
      'unknown option --bogus (see --help)',
      'unexpected argument "extra": options are --name value (see --help)',
      '--presence takes no value (see --help)',
      '--host must not be empty (127.0.0.1, 0.0.0.0, ::, or an address of this machine)',
      // The variable the value came from, not a flag nobody typed.
      'HC_PORT must be a whole number from 0 to 65535, got "eighty"',
      // Named without its password (it was printed whole).
      '--redis must be a redis:// or rediss:// URL, got "redis://10.0.0.5:6379"',
      '--redis must be a redis:// or rediss:// URL, got "localhost:6379"',
    ]);
  });

  it('a refusal names what was typed: the flag, or the variable the value came from; npm start with options before "--" is told how npm passes them', () => {
    const demo = { HC_DEMO_SIGNING: '1' };
    expect([
      refusal([], { ...demo, HC_MAX_BACKLOG: 'many' }),
      refusal(['--max-backlog', 'many'], demo),
      refusal([], { ...demo, HC_REDIS_URL: 'localhost:6379' }),
      refusal([], { ...demo, HC_HOST: ' ' }),
      // `npm start --port 9000`: npm takes --port as its own config and hands on only 9000.
      refusal(['9000'], { ...demo, npm_command: 'start', npm_lifecycle_event: 'start' }),
      refusal(['9000'], { ...demo, npm_command: 'run', npm_lifecycle_event: 'server' }),
      // npx passes arguments through as typed: no npm hint there.
      refusal(['9000'], { ...demo, npm_command: 'exec', npm_lifecycle_event: 'npx' }),
    ]).toEqual([
      'HC_MAX_BACKLOG must be a whole number from 0 to 9007199254740991, got "many"',
      '--max-backlog must be a whole number from 0 to 9007199254740991, got "many"',
      'HC_REDIS_URL must be a redis:// or rediss:// URL, got "localhost:6379"',
      'HC_HOST must not be empty (127.0.0.1, 0.0.0.0, ::, or an address of this machine)',
      'unexpected argument "9000": npm keeps the options before "--" for itself: npm start -- --port 9000',
      'unexpected argument "9000": npm keeps the options before "--" for itself: npm run server -- --port 9000',
      'unexpected argument "9000": options are --name value (see --help)',
    ]);
  });

  it('--db naming a folder (a trailing slash, or one that exists) is refused with the file to give instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hc-cli-db-'));
    try {
      expect(() => checkDatabasePath(`${dir}/`)).toThrow(`--db ${dir}/: names a folder, not a file: give a file in it (--db ${dir}/calling.db)`);
      expect(() => checkDatabasePath(join(dir, 'new/'))).toThrow(`names a folder, not a file: give a file in it (--db ${dir}/new/calling.db)`);
      expect(() => checkDatabasePath(dir)).toThrow(`--db ${dir}: names a folder, not a file: give a file in it (--db ${dir}/calling.db)`);
      expect(readdirSync(dir)).toEqual([]); // nothing created, no file named like the folder
      expect(() => checkDatabasePath(join(dir, 'data', 'calling.db'))).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every limit is a flag and an environment variable (the flag wins), listed in the usage with its default', () => {
    const argv = LIMIT_FLAGS.flatMap((f, i) => [`--${f.flag}`, String(1000 + i)]);
    const parsed = parseCli(['--sdkappid', '1', '--secret-key', 'k', ...argv], {});
    if (!parsed.ok) throw new Error(parsed.text);
    for (const [i, f] of LIMIT_FLAGS.entries()) {
      const value = parsed.options.limits?.[f.limit];
      expect(typeof value === 'number' ? value : value?.[f.part ?? 'perSecond']).toBe(1000 + i);
      expect(USAGE).toContain(`--${f.flag} <n>`);
      expect(USAGE).toContain(f.env);
    }
    expect(new Set(LIMIT_FLAGS.map((f) => f.limit))).toEqual(new Set(Object.keys(DEFAULT_LIMITS)));
    const env = { HC_MAX_BACKLOG: '7', HC_USER_RATE: '9', HC_LOGIN_TIMEOUT_MS: '5000', HC_MAX_STRIKES: '3' };
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k', '--max-backlog', '8'], env)).toMatchObject({
      ok: true,
      options: { loginTimeoutMs: 5000, maxStrikes: 3, limits: { maxBacklog: 8, userRate: { perSecond: 9, burst: DEFAULT_LIMITS.userRate.burst } } },
    });
  });

  it('every usage line keeps a space between a flag and what it does (the longest flag filled the column)', () => {
    for (const line of USAGE.split('\n').filter((l) => l.startsWith('  --'))) expect(line).toMatch(/^ {2}--\S+( <\w+>)? +\S/);
    expect(USAGE).toContain('--max-backlog-bytes-per-sender <n> bytes one sender');
  });

  it('the secret key can come from a file or the environment; /metrics takes a bearer token', () => {
    const files: Record<string, string> = { '/run/secrets/hc': 'from-file\n', '/tmp/empty.key': '\n' };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    };
    expect(parseCli(['--sdkappid', '1', '--secret-key-file', '/run/secrets/hc'], {}, read)).toMatchObject({ ok: true, options: { secretKey: 'from-file' } });
    expect(parseCli(['--sdkappid', '1'], { HC_SECRET_KEY_FILE: '/run/secrets/hc' }, read)).toMatchObject({ ok: true, options: { secretKey: 'from-file' } });
    expect(parseCli(['--sdkappid', '1'], { HC_SECRET_KEY: 'from-env', HC_SECRET_KEY_FILE: '/run/secrets/hc' }, read)).toMatchObject({
      ok: true,
      options: { secretKey: 'from-env' },
    });
    expect(parseCli(['--sdkappid', '1', '--secret-key-file', '/nope'], {}, read)).toEqual({ ok: false, exitCode: 2, text: '--secret-key-file /nope: cannot read it' });
    // An empty file is said to be one (it was taken as no key at all: "--secret-key is required").
    expect(parseCli(['--sdkappid', '1', '--secret-key-file', '/tmp/empty.key'], {}, read)).toEqual({ ok: false, exitCode: 2, text: '--secret-key-file /tmp/empty.key: the file is empty' });
    expect(parseCli(['--sdkappid', '1'], { HC_SECRET_KEY_FILE: '/tmp/empty.key' }, read)).toMatchObject({ ok: false, text: 'HC_SECRET_KEY_FILE /tmp/empty.key: the file is empty' });
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k', '--metrics-token', 't0k'], {})).toMatchObject({ ok: true, options: { metricsToken: 't0k' } });
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k'], { HC_METRICS_TOKEN: 'env-t0k' })).toMatchObject({ ok: true, options: { metricsToken: 'env-t0k' } });
  });
});

describe('the URLs the CLI prints', () => {
  const interfaces = {
    lo: [
      { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
      { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
    ],
    eth0: [
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      { address: '2001:db8::20', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::20/64', scopeid: 0 },
    ],
  } as const satisfies Parameters<typeof openableUrls>[2];

  it('a wildcard host (0.0.0.0, ::) gives 127.0.0.1 and the LAN addresses, never 0.0.0.0', () => {
    expect(openableUrls('0.0.0.0', 8080, interfaces)).toEqual([
      { url: 'http://127.0.0.1:8080', lan: false },
      { url: 'http://192.168.1.20:8080', lan: true },
    ]);
    expect(openableUrls('::', 8080, interfaces)).toEqual([
      { url: 'http://127.0.0.1:8080', lan: false },
      { url: 'http://192.168.1.20:8080', lan: true },
      { url: 'http://[2001:db8::20]:8080', lan: true },
    ]);
    expect(openableUrls('127.0.0.1', 9000, interfaces)).toEqual([{ url: 'http://127.0.0.1:9000', lan: false }]);
    expect(openableUrls('::1', 9000, interfaces)).toEqual([{ url: 'http://[::1]:9000', lan: false }]);
    expect(openableUrls('192.168.1.20', 9000, interfaces)).toEqual([{ url: 'http://192.168.1.20:9000', lan: true }]);
  });

  it('the banner: what to open, the LAN note about https, the WebSocket', () => {
    expect(startBanner({ host: '0.0.0.0', port: 8080, hasPage: true, version: '1.2.3' }, interfaces)).toBe(
      [
        'headless-calling server 1.2.3 listening on 0.0.0.0:8080',
        '  Open: http://127.0.0.1:8080',
        '        http://192.168.1.20:8080   (other devices; camera and microphone need https there, or localhost)',
        '  WebSocket: ws://127.0.0.1:8080/ws',
      ].join('\n'),
    );
    expect(startBanner({ host: '127.0.0.1', port: 9000, hasPage: false, version: '1.2.3' }, interfaces)).toBe(
      ['headless-calling server 1.2.3 listening on 127.0.0.1:9000', '  HTTP: http://127.0.0.1:9000', '  WebSocket: ws://127.0.0.1:9000/ws'].join('\n'),
    );
  });
});
