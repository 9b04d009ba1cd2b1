/** The command line: flags, their environment variables, demo defaults, and refusals. */
import { describe, expect, it } from 'vitest';
import { DEMO_SDKAPPID, USAGE, parseCli } from '../../server/cli';
import { LIMIT_FLAGS } from '../../server/limitFlags';
import { DEFAULT_LIMITS } from '../../server/limits';

describe('server CLI', () => {
  it('reads every flag', () => {
    const result = parseCli(
      ['--port', '9000', '--host', '0.0.0.0', '--db', '/tmp/x.db', '--sdkappid', '1400000123', '--secret-key', 'k', '--offline-ttl-ms', '60000', '--room-grace-ms', '5000', '--rate', '5', '--burst', '9'],
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
        offlineTtlMs: 60000,
        roomGraceMs: 5000,
        rate: { perSecond: 5, burst: 9 },
      },
    });
  });

  it('reads environment variables; a flag wins over its variable', () => {
    const env = { HC_PORT: '7000', HC_DB: './env.db', HC_SDKAPPID: '1400000001', HC_SECRET_KEY: 'from-env', HC_HOST: '::1' };
    expect(parseCli([], env)).toMatchObject({ ok: true, options: { port: 7000, dbPath: './env.db', sdkAppId: 1400000001, secretKey: 'from-env', host: '::1' } });
    expect(parseCli(['--port', '7001'], env)).toMatchObject({ ok: true, options: { port: 7001 } });
  });

  it('defaults: port 8080 on 127.0.0.1, ./data/calling.db', () => {
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k'], {})).toMatchObject({
      ok: true,
      options: { port: 8080, host: '127.0.0.1', dbPath: './data/calling.db', demoSigning: false },
    });
  });

  it('demo signing only when asked: then the app and a throwaway key are made up if missing', () => {
    const demo = parseCli(['--demo-signing'], {});
    expect(demo).toMatchObject({ ok: true, options: { demoSigning: true, sdkAppId: DEMO_SDKAPPID, secretKey: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(parseCli([], { HC_DEMO_SIGNING: '1' })).toMatchObject({ ok: true, options: { demoSigning: true } });
    expect(parseCli([], { HC_DEMO_SIGNING: '0', HC_SDKAPPID: '1', HC_SECRET_KEY: 'k' })).toMatchObject({ ok: true, options: { demoSigning: false } });
  });

  it('every limit is a flag and an environment variable (the flag wins), listed in the usage with its default', () => {
    const argv = LIMIT_FLAGS.flatMap((f, i) => [`--${f.flag}`, String(1000 + i)]);
    const parsed = parseCli(['--sdkappid', '1', '--secret-key', 'k', ...argv], {});
    if (!parsed.ok) throw new Error(parsed.message);
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

  it('the secret key can come from a file or the environment; /metrics takes a bearer token', () => {
    const files: Record<string, string> = { '/run/secrets/hc': 'from-file\n' };
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
    expect(parseCli(['--sdkappid', '1', '--secret-key-file', '/nope'], {}, read)).toMatchObject({ ok: false, message: expect.stringContaining('ENOENT') });
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k', '--metrics-token', 't0k'], {})).toMatchObject({ ok: true, options: { metricsToken: 't0k' } });
    expect(parseCli(['--sdkappid', '1', '--secret-key', 'k'], { HC_METRICS_TOKEN: 'env-t0k' })).toMatchObject({ ok: true, options: { metricsToken: 'env-t0k' } });
  });

  it('refuses a missing app or key, bad numbers and unknown flags, with the usage text', () => {
    for (const argv of [[], ['--sdkappid', '1'], ['--sdkappid', 'x', '--secret-key', 'k'], ['--port', '-1', '--demo-signing'], ['--bogus']]) {
      const result = parseCli(argv, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain(USAGE);
    }
    expect(parseCli(['--help'], {})).toEqual({ ok: false, message: USAGE });
  });
});
