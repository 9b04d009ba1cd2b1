#!/usr/bin/env node
/**
 * `npm test`: type-check, build, every test, then the browser tests.
 *
 * 1. `npm run typecheck`, `npm run build` (the client's tsup, its declarations included, then the server's) and
 *    `npm run build:demo` (the demo page's bundle, which the browser tier serves), side by side: each is one process on
 *    one core, and none reads what another writes; one after another they left the second core idle.
 * 2. Once all three passed: the unit tier (`vitest run`), then the browser tier (`vitest run -c vitest.e2e.config.ts`),
 *    one after the other. Run side by side (tried 2026-12-07 in a fresh-clone `bash .ci/run`, 2 AMD EPYC cores) the
 *    browser tier took 532 s and the unit tier 946 s against 357 s alone: the unit tier keeps both cores busy, and
 *    two of its tests that bound real time (a 180 s week of calls, an HTTP stall) ran out of it. Both tiers run even
 *    if the first fails, so that each one's report is whole; the exit code is 1 if any step failed.
 *
 * The browser tier's lines are prefixed `e2e | `; the steps' wall times close the run. `node scripts/test.mjs
 * --serial` runs the first phase's steps one after another too.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serial = process.argv.includes('--serial');
const bin = (name) => resolve(root, 'node_modules/.bin', name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @typedef {{ name: string, command: string, args: string[], prefix?: string }} Step */

/** @type {Step[]} */
const PREPARE = [
  { name: 'typecheck', command: npm, args: ['run', 'typecheck'] },
  { name: 'build', command: npm, args: ['run', 'build'] },
  { name: 'build:demo', command: npm, args: ['run', 'build:demo'] },
];
/** @type {Step[]} */
const TIERS = [
  { name: 'unit tier', command: bin('vitest'), args: ['run'] },
  { name: 'browser tier', command: bin('vitest'), args: ['run', '--config', 'vitest.e2e.config.ts'], prefix: 'e2e | ' },
];

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
/** @type {Array<{ name: string, ms: number, code: number | null }>} */
const done = [];

/** Runs a step; resolves with whether it passed. Lines of a prefixed step are written whole, each with the prefix. */
function run(step) {
  const started = Date.now();
  return new Promise((resolvePassed) => {
    const child = spawn(step.command, step.args, { cwd: root, stdio: ['ignore', step.prefix ? 'pipe' : 'inherit', step.prefix ? 'pipe' : 'inherit'] });
    running.add(child);
    if (step.prefix) for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) prefixLines(from, to, step.prefix);
    const finish = (code) => {
      running.delete(child);
      done.push({ name: step.name, ms: Date.now() - started, code });
      resolvePassed(code === 0);
    };
    child.once('error', (error) => {
      console.error(`${step.name}: cannot start ${step.command}: ${error.message}`);
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });
}

function prefixLines(from, to, prefix) {
  let rest = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) to.write(lines.map((line) => prefix + line + '\n').join(''));
  });
  from.on('end', () => {
    if (rest) to.write(prefix + rest + '\n');
  });
}

async function phase(steps, together) {
  if (!together) {
    for (const step of steps) if (!(await run(step))) return false;
    return true;
  }
  return (await Promise.all(steps.map(run))).every(Boolean);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exit(130);
  });
}

const started = Date.now();
let passed = await phase(PREPARE, !serial);
// The tiers one after the other, the second run even where the first failed (see above).
if (passed) for (const tier of TIERS) passed = (await run(tier)) && passed;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(`\nnpm test ${passed ? 'passed' : 'FAILED'} in ${seconds(Date.now() - started)}${serial ? ' (--serial)' : ''}:`);
for (const { name, ms, code } of done) console.log(`  ${name.padEnd(13)} ${seconds(ms).padStart(8)}  ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`);
process.exit(passed ? 0 : 1);
