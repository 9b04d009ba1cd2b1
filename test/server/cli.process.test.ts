/**
 * The command line for real: every misconfiguration gives one line on stderr and exit code 2
 * (never a stack trace), through `runCli` in process, `tsx server/bin.ts` (what `npm start`
 * runs), `npm start` itself, and the built `headless-calling-server` bin (built here from
 * server/tsup.config.ts, as `npm run build` does). `--host 0.0.0.0` prints URLs one can open.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli';
import { packageVersion } from '../../server/cliChecks';
import { silentLogger } from '../../server/index';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const BUILT = join(ROOT, 'test-artifacts/cli-bin');

/** Runs the CLI in this process; returns its exit code and what it wrote. */
async function inProcess(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const result = await runCli(argv, env, { logger: silentLogger, output: { out: (t) => out.push(t), err: (t) => err.push(t) }, handleSignals: false });
  return { ...result, out: out.join('\n'), err: err.join('\n') };
}

/** Runs a command to its end (the misconfigured ones exit at once). */
function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HC_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const oneLine = (text: string) => text.trimEnd().split('\n');

describe('CLI misconfigurations', () => {
  let busy: Server;
  let busyPort = 0;
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-cli-'));
    writeFileSync(join(dir, 'a-file'), 'x');
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((done) => busy.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('in process: port in use, database path unusable, --static missing, --host not here, limits that contradict -> one line each, exit code 2', async () => {
    const demo = ['--demo-signing', '--db', ':memory:'];
    const cases = [
      [...demo, '--port', String(busyPort)],
      ['--demo-signing', '--port', '0', '--db', dir],
      ['--demo-signing', '--port', '0', '--db', join(dir, 'a-file', 'calling.db')],
      ['--demo-signing', '--port', '0', '--db', '/proc/hc-cannot-live-here.db'],
      [...demo, '--port', '0', '--static', join(dir, 'missing')],
      [...demo, '--port', '0', '--static', join(dir, 'a-file')],
      [...demo, '--port', '0', '--host', '203.0.113.254'],
      [...demo, '--port', '0', '--user-rate', '0'],
      [...demo, '--port', '0', '--max-group-members', '5000'],
      [...demo, '--port', '0', '--cluster-prefix', 'calls'],
      [...demo, '--port', '0', '--redis', 'redis://127.0.0.1:1'], // with HC_SECRET_KEY (below): a cluster's demo needs one key
    ];
    const results = [];
    for (const argv of cases) results.push(await inProcess(argv, argv.includes('--redis') ? { HC_SECRET_KEY: 'shared' } : {}));
    expect(results.map(({ code, out, err, server }) => ({ code, out, err, server }))).toEqual(
      [
        `port ${busyPort} is already in use on 127.0.0.1 (another server running?): stop it or pick another with --port`,
        `--db ${dir}: names a folder, not a file: give a file in it (--db ${join(dir, 'calling.db')})`,
        `--db ${join(dir, 'a-file', 'calling.db')}: cannot create the folder ${join(dir, 'a-file')}: a part of the path is a file, not a folder`,
        // root may write any folder, so for root it is SQLite that cannot create a file in /proc
        process.getuid?.() === 0
          ? '--db /proc/hc-cannot-live-here.db: cannot open the database: unable to open database file'
          : '--db /proc/hc-cannot-live-here.db: cannot read and write it: permission denied',
        `--static ${join(dir, 'missing')}: no such folder (npm start builds the demo into demo/dist)`,
        `--static ${join(dir, 'a-file')}: not a folder`,
        'cannot listen on --host 203.0.113.254: no such address on this machine (try 127.0.0.1 or 0.0.0.0)',
        'limit userRate must be positive',
        'fanout.burst (--fanout-burst) must be at least maxGroupMembers (--max-group-members)',
        "--cluster-prefix names the cluster's keys in Redis: give --redis too",
        'cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (is Redis running there? see --redis)',
      ].map((line) => ({ code: 2, out: '', err: `headless-calling-server: ${line}`, server: undefined })),
    );
  });

  it('tsx server/bin.ts (npm start runs it) and npm start: port in use -> one line, exit code 2, no stack trace', () => {
    const line = `headless-calling-server: port ${busyPort} is already in use on 127.0.0.1 (another server running?): stop it or pick another with --port`;
    const direct = run(TSX, ['server/bin.ts', '--demo-signing', '--db', ':memory:', '--port', String(busyPort)]);
    expect({ code: direct.code, stderr: oneLine(direct.stderr), stdout: direct.stdout }).toEqual({ code: 2, stderr: [line], stdout: '' });
    const npm = run('npm', ['start', '--', '--db', ':memory:', '--port', String(busyPort)]);
    expect({ code: npm.code, stderr: oneLine(npm.stderr) }).toEqual({ code: 2, stderr: [line] });
    expect(npm.stdout).not.toMatch(/^\s+at /m);
  }, 60_000);
});

/** Starts `npm run <script>` in its own process group; resolves with it and the port it listens on. */
async function npmScript(script: string, args: string[]) {
  const child = spawn('npm', ['run', script, '--', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HC_DEBUG: '' } });
  let out = '';
  const port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm run ${script} did not listen in 30 s:\n${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
  });
  return { child, port };
}

describe('npm start and npm run server stop with the npm process', () => {
  // A process manager (docker stop, a supervisor) signals the process it started: npm. Through a
  // shell that does not exec, the signal stopped the shell only, and the server ran on, orphaned,
  // holding its port and database, and never shut down cleanly.
  it.each([
    ['start', ['--db', ':memory:', '--port', '0']],
    ['server', ['--demo-signing', '--db', ':memory:', '--port', '0']],
  ])('npm run %s: SIGTERM to npm -> the server stops listening', async (script, args) => {
    const { child, port } = await npmScript(script, args);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      let listening = true;
      while (listening && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 200));
        listening = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
      }
      expect(listening).toBe(false);
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGKILL'); // anything left of its process group
      } catch {
        // already gone
      }
    }
  }, 60_000);
});

describe('the built headless-calling-server bin', () => {
  beforeAll(async () => {
    const { build } = await import('tsup');
    const config = (await import('../../server/tsup.config')).default;
    await build({ ...(config as object), outDir: BUILT, silent: true });
  }, 60_000);

  it('--help, -h and --version exit 0; a bad flag, a bad value and a port in use give one line and exit code 2', async () => {
    const bin = join(BUILT, 'bin.js');
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as { port: number }).port;
    try {
      const help = run('node', [bin, '--help']);
      const h = run('node', [bin, '-h']);
      const version = run('node', [bin, '--version']);
      expect([help.code, h.code, version.code]).toEqual([0, 0, 0]);
      expect(help.stdout).toMatch(/^Usage: headless-calling-server \[options\]/);
      expect(h.stdout).toBe(help.stdout);
      expect(version.stdout).toBe(`${packageVersion()}\n`);
      const errors = [run('node', [bin, '--bogus']), run('node', [bin, '--demo-signing', '--port', 'x']), run('node', [bin, '--demo-signing', '--db', ':memory:', '--port', String(port)])];
      expect(errors.map((r) => ({ code: r.code, stderr: oneLine(r.stderr), stdout: r.stdout }))).toEqual([
        { code: 2, stderr: ['headless-calling-server: unknown option --bogus (see --help)'], stdout: '' },
        { code: 2, stderr: ['headless-calling-server: --port must be a whole number from 0 to 65535, got "x"'], stdout: '' },
        { code: 2, stderr: [`headless-calling-server: port ${port} is already in use on 127.0.0.1 (another server running?): stop it or pick another with --port`], stdout: '' },
      ]);
    } finally {
      await new Promise<void>((done) => busy.close(() => done()));
    }
  });
});

describe('CLI on all interfaces', () => {
  it('--host 0.0.0.0 prints 127.0.0.1 and every LAN address of this machine, never 0.0.0.0, and serves on them', async () => {
    const result = await inProcess(['--demo-signing', '--db', ':memory:', '--host', '0.0.0.0', '--port', '0']);
    const server = result.server;
    if (!server) throw new Error(`did not start: ${result.err}`);
    try {
      const lan = Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .filter((i) => !i.internal && i.family === 'IPv4')
        .map((i) => i.address);
      const urls = [`http://127.0.0.1:${server.port}`, ...lan.map((a) => `http://${a}:${server.port}`)];
      const printed = [...result.out.matchAll(/http:\/\/\S+/g)].map((m) => m[0]).filter((u) => !u.includes('/usersig'));
      expect(printed).toEqual(urls);
      expect(result.out).not.toContain('0.0.0.0:' + String(server.port) + '/');
      for (const url of urls) expect((await fetch(`${url}/healthz`)).status, url).toBe(200);
    } finally {
      await server.close();
    }
  });
});
