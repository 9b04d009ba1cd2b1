/**
 * `npm run bench:server` cannot rot silently: a tiny run (20 clients, 1 s per phase, one round
 * per target) must complete setups against both the bare relay and the server, with no client
 * error, and print every figure and every ratio. The figures themselves are not judged here.
 * About 10 s on a quiet machine; the timeout leaves room for a machine shared with other work.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/server/args';
import { FIGURES } from '../../bench/server/report';
import { raisedFlags } from '../../bench/server/serverFlags';
import { observeStalls } from '../../bench/server/stalls';
import { SERVER_NODE_FLAGS } from '../../server/nodeFlags';

const ROOT = resolve(import.meta.dirname, '../..');

function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // The bench as run by hand, not with flags a shell left for another experiment.
    const env = { ...process.env };
    delete env.BENCH_SERVER_NODE_FLAGS;
    delete env.BENCH_NODE_FLAGS;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server/main.ts', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('bench:server', () => {
  it('measures both targets and prints every figure and ratio (20 clients, 1 s phases)', async () => {
    const { code, stdout, stderr } = await runBench(['--clients', '20', '--seconds', '1', '--rounds', '1', '--rate', '50', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      machine: { cpu: string; cores: number; node: string; date: string };
      ratios: Record<string, number | null>;
      errors: { counts: Record<string, number> };
      rounds: {
        target: string;
        closed: { setups: number };
        paced: { setups: number };
        stallsPaced: { seconds: number; loopP99: number; young: { count: number }; commits: { count: number; ms: number } | null } | null;
        metrics: { heldConfirmed?: number } | undefined;
      }[];
      summary: Record<'bare' | 'ours', Record<string, number> & { stallsPaced: Record<string, number | null> }>;
      server: { describe: string; limits: Record<string, number> };
    };
    expect(report.errors.counts).toEqual({});
    expect(report.rounds.map((r) => r.target)).toEqual(['bare', 'ours']);
    for (const round of report.rounds) {
      expect(round.closed.setups).toBeGreaterThan(0);
      expect(round.paced.setups).toBeGreaterThan(0);
      // What held each target's loop over the paced phase, from inside its process: the server's store commits timed, the relay has none.
      expect(round.stallsPaced?.seconds).toBeGreaterThan(0.5);
      expect(Number.isFinite(round.stallsPaced?.loopP99)).toBe(true);
      // (write-behind may leave the paced phase with nothing to commit: the timer is there, not its count)
      if (round.target === 'ours') expect(round.stallsPaced?.commits).toMatchObject({ count: expect.any(Number), ms: expect.any(Number) });
      else expect(round.stallsPaced?.commits).toBeNull();
    }
    for (const target of ['bare', 'ours'] as const) {
      for (const key of ['loopP99', 'loopMax', 'gcShare', 'gcLongPerSec']) expect(Number.isFinite(report.summary[target].stallsPaced[key]), `${target} ${key}`).toBe(true);
    }
    expect(Number.isFinite(report.summary.ours.stallsPaced.commitShare)).toBe(true);
    // The server measured is the default one: write-behind on, copies confirmed inside its window never stored.
    expect(report.rounds.find((r) => r.target === 'ours')?.metrics?.heldConfirmed).toBeGreaterThan(0);
    expect(report.summary.bare.stallsPaced.commitShare).toBeNull(); // NaN in JSON: a relay stores nothing
    for (const target of ['bare', 'ours'] as const) {
      for (const f of FIGURES) expect(Number.isFinite(report.summary[target][f.key]), `${target} ${f.key}`).toBe(true);
    }
    // Throughput and latency always have a ratio; RSS and heap have none when a tiny baseline is noise.
    for (const f of FIGURES) {
      expect(Object.keys(report.ratios)).toContain(f.key);
      if (f.key !== 'rssPerClientKB' && f.key !== 'heapPerClientKB' && f.key !== 'heapPerMessage') expect(report.ratios[f.key]).toBeGreaterThan(0);
    }
    expect(report.machine.node).toBe(process.version);
    expect(report.server.describe).toContain('runCli');
    // What is measured runs with the bin's Node flags (BENCH_SERVER_NODE_FLAGS unset).
    // Bundled as the bin is (bench/server/ipc.ts), not through tsx.
    expect(report.server.describe).toMatch(new RegExp(`^node ${SERVER_NODE_FLAGS.join(' ')} serverUnderTest-[0-9a-f]{12}\\.mjs: server/cli\\.ts`));
    expect(report.server.limits['rate.perSecond']).toBeGreaterThan(0);
  }, 60_000);

  it("the stall observer times the store's transactions and sees collections", async () => {
    const { default: Database } = await import('better-sqlite3');
    const read = observeStalls(Database);
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const write = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(i);
    });
    write(100);
    write(100);
    let kept = 0;
    for (let round = 0; round < 50; round++) kept += Array.from({ length: 100_000 }, (_, i) => ({ i })).length; // ~150 MB of young garbage
    expect(kept).toBe(5_000_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stalls = read();
    db.close();
    expect(stalls.commits).toMatchObject({ count: 2 });
    expect(stalls.commits?.ms).toBeGreaterThan(0);
    expect(stalls.young.count).toBeGreaterThan(0);
    expect(read().commits?.count).toBe(0); // each read starts the next count
  });

  it('reads --nodes and --redis (cluster mode), and refuses nodes without a Redis', () => {
    expect(parseBenchArgs(['--nodes', '3', '--redis', 'redis://127.0.0.1:6379/15'])).toMatchObject({ ok: true, args: { nodes: 3, redis: 'redis://127.0.0.1:6379/15' } });
    const noRedis = parseBenchArgs(['--nodes', '2']);
    expect(noRedis).toMatchObject({ ok: false, code: 2 });
    expect(!noRedis.ok && noRedis.message).toContain('--nodes needs --redis');
    expect(parseBenchArgs(['--redis', 'http://x'])).toMatchObject({ ok: false, code: 2 });
    expect(parseBenchArgs(['--clients', '7'])).toMatchObject({ ok: false, code: 2 });
    expect(parseBenchArgs([])).toEqual({ ok: true, args: { clients: 2000, rate: 2500, seconds: 8, rounds: 3, json: false, nodes: 1, redis: null } });
  });

  it('raises only the limits one loopback IP needs, read from the server help', () => {
    const usage = [
      '  --rate <n>            frames per second per connection (HC_RATE, default 50)',
      '  --max-conns-per-ip <n>  connections per IP (HC_MAX_CONNS_PER_IP, default 20)',
      '  --max-conns <n>       connections in total (HC_MAX_CONNS, default 1000)',
      '  --max-groups <n>      groups per user (default 100)',
    ].join('\n');
    expect(raisedFlags(usage, 2000).map((r) => [r.flag, r.value])).toEqual([
      ['max-conns-per-ip', 40_000],
      ['max-conns', 4000],
    ]);
    expect(raisedFlags(usage.replace('default 1000', 'default 100000'), 2000).map((r) => r.flag)).toEqual(['max-conns-per-ip']);
  });
});
