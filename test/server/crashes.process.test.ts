/**
 * Crash audit (2026-12-06), in a real process (`server/bin.ts`, built or through tsx's loader: `serverBinArgs`): what
 * its surroundings can do to end it. One process, node itself: through the `tsx` wrapper, the kill after the test hit
 * the wrapper and left the server running on (found 2026-12-06, an orphan of a CI run still listening half an hour on).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serverBinArgs } from '../support/serverBin';

const ROOT = resolve(import.meta.dirname, '../..');

/** The server in its own process, its output piped here; resolves once it listens, with its port. */
async function serverProcess(args: string[]): Promise<{ child: ChildProcess; port: number; exited: Promise<string> }> {
  const child = spawn(process.execPath, [...serverBinArgs(), '--port', '0', '--db', ':memory:', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HC_DEBUG: '' } });
  const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`exited (${code ?? signal})`)));
  let out = '';
  const port = await new Promise<number>((done, fail) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) done(Number(match[1]));
    });
    void exited.then((how) => fail(new Error(`${how} before it listened: ${out}`)));
  });
  return { child, port, exited };
}

describe('crash audit: the server process', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
  });

  it('its log read by nobody any more (the pipe to a log collector closed): it serves on, the lines it cannot write are lost', async () => {
    const started = await serverProcess(['--demo-signing']);
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    // Both pipes closed on this side: the next line written to either is EPIPE.
    started.child.stdout?.destroy();
    started.child.stderr?.destroy();
    // Each demo userSig is a warning on stderr; a refused path's answer is a line too.
    // A request that fails is the process gone: how it ended is the answer.
    const get = (path: string) => Promise.race([started.exited, fetch(`${base}${path}`).then((r) => r.status, () => started.exited)]);
    const answers = [];
    for (const user of ['alice', 'bob', 'carol']) answers.push(await get(`/usersig?userID=${user}`));
    answers.push(await get('/healthz'));
    expect(answers).toEqual([200, 200, 200, 200]);
  }, 30_000);
});
