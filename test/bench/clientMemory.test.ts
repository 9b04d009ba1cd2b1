/**
 * What a quiet logged-in client costs the server, against the bare `ws` relay of `bench:server`
 * (bench/server/memProbe.ts: both in their own processes, 1000 clients logged in over real
 * sockets). The live heap after full GCs is compared, not the RSS: the heap is what the
 * sessions hold, the same on a loaded machine as on a quiet one, while RSS moves with V8's
 * heap sizing and the allocator (the bench prints both). The heap leaves out compiled code:
 * what TurboFan optimized while the clients logged in is no client's, and it moved the relay's
 * figure by up to 0.26 KB per client between runs (a stop's CI run failed at 1.51x on it).
 *
 * The bound: at most 1.5x the relay's heap per client (issue 14's bound for RSS), i.e. auth, limits, the reply cache
 * and the session together may cost about half of what a bare `ws` socket costs. Eager per-session structures (three
 * closures per connection, a Map per session, a bucket object per limit) put it at 1.8x. It was 1.4x, about what the
 * server costs (1.28x-1.37x in single runs on a quiet machine): inside a full `npm test` the medians of three came out at
 * 1.42x and 1.403x in two CI runs, with nothing in the sessions grown (2026-12-05: 503153d and the day's last commit
 * alternated, 4.12-4.20 KB against 4.07-4.26 KB per client). A bound at the noise is a flaky test.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** One run of the probe: each target's live heap per logged-in client (KB). */
async function probe(): Promise<Record<'bare' | 'ours', { heap: number }>> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/server/memProbe.ts', '--clients', '1000', '--json'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (exit) => done({ code: exit, stdout, stderr }));
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(stdout) as { perClientKB: Record<'bare' | 'ours', { heap: number }> }).perClientKB;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe('memory per logged-in client', () => {
  // The relay's own figure moves by up to 10% between runs (3.0-3.35 KB seen on one machine),
  // more than the margin: each target's median of three runs is compared.
  it('the server holds at most 1.5x the live heap per logged-in client of the bare relay (1000 clients, medians of 3 runs)', async () => {
    const runs = [await probe(), await probe(), await probe()];
    const bare = median(runs.map((r) => r.bare.heap));
    const ours = median(runs.map((r) => r.ours.heap));
    // A bare `ws` socket, logged in by name, is about 3 KB of heap: the probe measured something real.
    expect(bare).toBeGreaterThan(2);
    expect(ours / bare).toBeLessThanOrEqual(1.5);
  }, 180_000);
});
