/**
 * `npm run bench:call`: call setup time in one headless Chromium, from `call()` on Alice's page
 * (Bob's page accepts on INVITED) to the first remote video frame shown on both pages, over the
 * embedded backend (the demo page, the real server), against a raw WebRTC baseline doing the
 * same media work with no library (bench/rawPage.ts), and through the library on pages as bare as
 * the raw ones (bench/libPage.ts: no UI, the library's own cost; issue 14's 1.1x is about this
 * one). Prints the medians and their ratios to raw, and for each kind the median time of each
 * step on each page (bench/probePage.ts: captures, peer
 * connections, offer and answer, ICE and DTLS, WebSocket frames; the demo's INVITED, USER_ENTER
 * and first frame), so that a gap between the two is seen where it opens.
 *
 * BENCH_RUNS (default 12) timed calls of each kind, after one warm-up of each; the two kinds
 * alternate so that drift of the machine affects both alike. `npm run bench:call -- --self-view`
 * keeps the demo's local previews on; `-- --camera-ms <n>` makes every capture n ms slower (a real
 * camera's start), `-- --callee-camera-ms <n>` only the callee's; `-- --rtt <ms>` puts a network
 * round trip between the pages and the signalling servers; `-- --ring-ms <n>` lets the bare callee
 * ring n ms before it accepts, and times `accept()` to the first frames; `-- --load <n>` runs n busy processes beside
 * the calls (issue 14's loaded machine, two for its figures). `BENCH_CPU_PROF=<dir>`
 * writes each call's CPU profile of each page there (the bare pages' prefixed `bare-`, the raw
 * ones' `raw-`), and the signalling servers' (`--cpu-prof`); `BENCH_PHASES=<file>` writes every
 * timed call's steps and times as JSON (the medians below hide which run a gap opened in).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/support/browser';
import { bundle, startCallServer } from './callServers';

const RUNS = Number(process.env.BENCH_RUNS ?? 12);
/**
 * `--raw-silent`: the raw baseline plays no sound, as before 2026-12-07 (it did less than a call: the
 * library's pages, like trtc-calling-js, play each member's sound through a hidden `<audio>`).
 */
const RAW_SILENT = process.argv.includes('--raw-silent');
/**
 * The raw baseline shows no self-view, so by default neither do the demo pages (`preview=0`):
 * both sides do the same media work. `--self-view` keeps the demo's local previews (two more
 * videos rendered in software on the same cores; about 60 ms more here).
 */
const SELF_VIEW = process.argv.includes('--self-view');
const query = SELF_VIEW ? '' : '&preview=0';
/**
 * `--camera-ms <n>`: every capture on every page (library and raw) answers n ms later, as a real
 * camera takes 0.2-1 s to start where the fake one takes a few ms; 0 by default.
 */
function msArg(flag: string, unit = 'ms'): number {
  const at = process.argv.indexOf(flag);
  const n = at >= 0 ? Number(process.argv[at + 1]) : 0;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number of ${unit}`);
  return n;
}
const CAMERA_MS = msArg('--camera-ms');
/** `--callee-camera-ms <n>`: the same on the callee's pages only (a callee who answers later than the caller's camera started). */
const CALLEE_CAMERA_MS = msArg('--callee-camera-ms') || CAMERA_MS;
const cameraScript = (callee: boolean) => `globalThis.benchCameraMs = ${callee ? CALLEE_CAMERA_MS : CAMERA_MS};`;
const WAIT_MS = 20_000;
/** `--servers-in-process`: both signalling servers in this process (see bench/callServers.ts), not each in its own. */
const SERVERS_IN_PROCESS = process.argv.includes('--servers-in-process');
/** `--rtt <ms>`: every trip to either signalling server takes that much longer, half each way (bench/callServers.ts). */
const RTT_MS = msArg('--rtt');
/**
 * `--ring-ms <n>`: the bare callee page accepts n ms after it rings instead of at once, and the
 * bench adds `accept()` to the first remote frame on both pages (what a callee who picks up waits).
 */
const RING_MS = msArg('--ring-ms');
/**
 * `--load <n>`: n busy processes (a loop each, at the bench's own priority) run beside the timed calls, as two `yes`
 * loops did by hand for issue 14's loaded machine: the loaded goal measured the same way each time. 0 by default.
 */
const LOAD = msArg('--load', 'processes');
/** `accept()` -> both first frames, per run, on the bare pages (with `--ring-ms`). */
const afterAccept: number[] = [];

interface Marks {
  [key: string]: number | undefined;
}

const marksOf = (page: Page, name: 'hcDemo' | 'rawBench') =>
  page.evaluate((n) => ({ ...(globalThis as unknown as Record<string, { marks: Marks }>)[n]!.marks }), name);

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The mark `key` of the page's `global` once it is set, watched from inside the page at each animation
 * frame: a timed call is not polled over CDP (a round trip into both pages every 10 ms while they set up
 * the call, the same for every kind, but work on the cores the call is timed on).
 */
async function markOn(page: Page, global: 'hcDemo' | 'benchLib' | 'rawBench', key: string): Promise<number> {
  const seen = await page.waitForFunction(
    ([g, k]) => (globalThis as unknown as Record<string, { marks: Marks }>)[g]!.marks[k],
    [global, key] as const,
    { polling: 'raf', timeout: WAIT_MS },
  );
  return (await seen.jsonValue()) as number;
}

const countEnds = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { hcDemo: { events: { name: string }[] } }).hcDemo.events.filter((e) => e.name === 'onCallEnd').length);

type Side = 'Alice' | 'Bob';
/** The demo pages, the bare library page (bench/libPage.ts), the raw baseline. */
type Kind = 'library' | 'bare' | 'raw';
/** Per timed call of each kind: ms after its start of the first time of each step on each page (bench/probePage.ts). */
const phases: Record<Kind, Array<Map<string, number>>> = { library: [], bare: [], raw: [] };

/** `BENCH_CPU_PROF=<dir>`: each call's CPU profile of each page, `<dir>/<kind prefix><run>-<user>.cpuprofile` (Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
let profiled = 0;
const profiledBy = new Map<string, number>();
async function profile(page: Page, prefix = ''): Promise<(name: string) => Promise<void>> {
  if (!PROFILE_DIR) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const run = prefix ? (profiledBy.get(prefix) ?? 0) : profiled++;
  if (prefix) profiledBy.set(prefix, run + 1);
  return async (name) => {
    const { profile: taken } = await cdp.send('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(resolve(PROFILE_DIR, `${prefix}${Math.floor(run / 2)}-${name}.cpuprofile`), JSON.stringify(taken));
    await cdp.detach();
  };
}

/** `BENCH_PHASES=<file>`: every timed call's steps (as in the medians below) and times, as JSON, for a closer look. */
const PHASES_FILE = process.env.BENCH_PHASES;

const probeOf = (page: Page) => page.evaluate(() => (globalThis as unknown as { benchProbe: Array<[string, number]> }).benchProbe.splice(0));

/** Each page's probe notes (emptied) and page marks, as first times after `start`, in one map. */
async function steps(start: number, pages: Record<Side, Page>, marks: Record<Side, Marks>): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (const side of ['Alice', 'Bob'] as const) {
    const notes: Array<[string, number]> = [...(await probeOf(pages[side]))];
    for (const [key, at] of Object.entries(marks[side])) if (at !== undefined) notes.push([key, at]);
    for (const [label, at] of notes.sort((x, y) => x[1] - y[1])) {
      const name = `${side}: ${label}`;
      if (at >= start && !first.has(name)) first.set(name, at - start);
    }
  }
  return first;
}

/** One call through the demo: Alice clicks Call, Bob's page accepts by itself. Returns ms to both first frames. */
async function libraryCall(alice: Page, bob: Page): Promise<number> {
  const [endsA, endsB] = [await countEnds(alice), await countEnds(bob)];
  for (const page of [alice, bob]) await page.evaluate(() => {
    const marks = (globalThis as unknown as { hcDemo: { marks: Marks } }).hcDemo.marks;
    for (const key of Object.keys(marks)) delete marks[key];
  });
  await Promise.all([probeOf(alice), probeOf(bob)]);
  const profiling = await Promise.all([alice, bob].map((p) => profile(p)));
  await alice.click('#call-btn');
  const [a, b] = await Promise.all([markOn(alice, 'hcDemo', 'frame:bob'), markOn(bob, 'hcDemo', 'frame:alice')]);
  await Promise.all(profiling.map((stop, i) => stop(i === 0 ? 'alice' : 'bob')));
  const am = await marksOf(alice, 'hcDemo');
  const bm = await marksOf(bob, 'hcDemo');
  const start = am.call ?? Number.NaN;
  const named = (m: Marks) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k.replace(/^frame:.*/, 'first remote frame').replace(/^enter:.*/, 'USER_ENTER').replace(/^invited$/, 'INVITED'), v]));
  phases.library.push(await steps(start, { Alice: alice, Bob: bob }, { Alice: named(am), Bob: named(bm) }));
  await alice.click('#hangup-btn');
  await until('both CALL_END', async () => ((await countEnds(alice)) > endsA && (await countEnds(bob)) > endsB ? true : undefined));
  return Math.max(a, b) - start;
}

interface BenchLib {
  marks: Marks;
  ends(): number;
  reset(): void;
  call(userID: string): Promise<void>;
  hangup(): Promise<void>;
}
const lib = (page: Page) => page.evaluate(() => {
  const l = (globalThis as unknown as { benchLib: BenchLib }).benchLib;
  return { marks: { ...l.marks }, ends: l.ends() };
});

/** One call between two bare library pages (Carol and Dave, shown as Alice and Bob): Alice dials, Bob's page accepts on INVITED. */
async function bareCall(alice: Page, bob: Page): Promise<number> {
  const [before, beforeB] = [(await lib(alice)).ends, (await lib(bob)).ends];
  for (const p of [alice, bob]) await p.evaluate(() => (globalThis as unknown as { benchLib: BenchLib }).benchLib.reset());
  await Promise.all([probeOf(alice), probeOf(bob)]);
  const profiling = await Promise.all([alice, bob].map((p) => profile(p, 'bare-')));
  await alice.evaluate(() => void (globalThis as unknown as { benchLib: BenchLib }).benchLib.call('dave'));
  const [a, b] = await Promise.all([markOn(alice, 'benchLib', 'frame'), markOn(bob, 'benchLib', 'frame')]);
  await Promise.all(profiling.map((stop, i) => stop(i === 0 ? 'alice' : 'bob')));
  const [am, bm] = [(await lib(alice)).marks, (await lib(bob)).marks];
  const start = am.call ?? Number.NaN;
  if (RING_MS > 0) afterAccept.push(Math.max(a, b) - (bm.accept ?? Number.NaN));
  const named = (m: Marks) => ({ 'first remote frame': m.frame, INVITED: m.invited, 'accept()': m.accept, USER_ENTER: m.enter });
  phases.bare.push(await steps(start, { Alice: alice, Bob: bob }, { Alice: named(am), Bob: named(bm) }));
  await alice.evaluate(() => (globalThis as unknown as { benchLib: BenchLib }).benchLib.hangup());
  await until('bare CALL_END', async () => ((await lib(alice)).ends > before && (await lib(bob)).ends > beforeB ? true : undefined));
  return Math.max(a, b) - start;
}

/** One raw call: Alice's page starts, Bob's answers. Returns ms to both first frames. */
async function rawCall(alice: Page, bob: Page): Promise<number> {
  await Promise.all([probeOf(alice), probeOf(bob)]);
  const profiling = await Promise.all([alice, bob].map((p) => profile(p, 'raw-')));
  await alice.evaluate(() => (globalThis as unknown as { rawBench: { start(): Promise<void> } }).rawBench.start());
  const [a, b] = await Promise.all([markOn(alice, 'rawBench', 'frame'), markOn(bob, 'rawBench', 'frame')]);
  await Promise.all(profiling.map((stop, i) => stop(i === 0 ? 'alice' : 'bob')));
  const start = (await marksOf(alice, 'rawBench')).start ?? Number.NaN;
  const frame = async (p: Page) => ({ 'first remote frame': (await marksOf(p, 'rawBench')).frame });
  phases.raw.push(await steps(start, { Alice: alice, Bob: bob }, { Alice: await frame(alice), Bob: await frame(bob) }));
  await alice.evaluate(() => {
    const raw = (globalThis as unknown as { rawBench: { bye(): void; stop(): void } }).rawBench;
    raw.bye();
    raw.stop();
  });
  await until('raw Bob stopped', async () => ((await marksOf(bob, 'rawBench')).frame === undefined ? true : undefined));
  return Math.max(a, b) - start;
}

const uptime = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** The steps seen in at least half the runs, by median time: `  123  Bob: remote offer set`. */
function timeline(runs: ReadonlyArray<Map<string, number>>): string[] {
  const labels = new Set(runs.flatMap((r) => [...r.keys()]));
  const rows: Array<[number, string]> = [];
  for (const label of labels) {
    const times = runs.map((r) => r.get(label)).filter((t): t is number => t !== undefined);
    if (times.length * 2 >= runs.length) rows.push([median(times), label]);
  }
  return rows.sort((x, y) => x[0] - y[0]).map(([t, label]) => `${t.toFixed(0).padStart(5)}  ${label}`);
}

/** The busy processes of `--load`. */
const hogs: ChildProcess[] = [];

async function main(): Promise<void> {
  const [server, raw] = await Promise.all([startCallServer('embedded', SERVERS_IN_PROCESS, RTT_MS), startCallServer('raw', SERVERS_IN_PROCESS, RTT_MS)]);
  // The bare pages are fulfilled by Playwright at the server's address, which Chromium would not let reach 127.0.0.1.
  const chromium = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
  const probe = await bundle('probePage.ts');
  const bareHtml = `<!doctype html><meta charset="utf-8"><title>headless-calling, bare</title><body><script type="module">${await bundle('libPage.ts')}</script></body>`;
  try {
    const page = async (url: string, callee = false) => {
      const context = await chromium.browser.newContext({ viewport: { width: 1100, height: 700 } });
      await context.addInitScript({ content: cameraScript(callee) + probe });
      const p = await context.newPage();
      await p.goto(url);
      return p;
    };
    const base = server.url;
    const alice = await page(`${base}/?user=alice${query}`);
    const bob = await page(`${base}/?user=bob&autoAccept=1${query}`, true);
    for (const p of [alice, bob]) await p.waitForSelector('body[data-view="home"]', { timeout: WAIT_MS });
    await alice.fill('#callee', 'bob');
    // The bare library pages are served at the embedded server's origin (its /usersig and /ws).
    const barePage = async (query: string, callee = false) => {
      const context = await chromium.browser.newContext({ viewport: { width: 1100, height: 700 } });
      await context.addInitScript({ content: cameraScript(callee) + probe });
      await context.route('**/bench-bare.html*', (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: bareHtml }));
      const p = await context.newPage();
      await p.goto(`${base}/bench-bare.html?${query}`);
      await p.evaluate(() => (globalThis as unknown as { benchLib: { ready: Promise<void> } }).benchLib.ready);
      return p;
    };
    const bareAlice = await barePage('user=carol');
    const bareBob = await barePage(`user=dave&autoAccept=1${RING_MS ? `&acceptAfter=${RING_MS}` : ''}`, true);
    const rawAlice = await page(`${raw.url}/?id=alice${RAW_SILENT ? '&silent=1' : ''}`);
    const rawBob = await page(`${raw.url}/?id=bob${RAW_SILENT ? '&silent=1' : ''}`, true);
    for (const p of [rawAlice, rawBob]) await p.evaluate(() => (globalThis as unknown as { rawBench: { ready: Promise<void> } }).rawBench.ready);

    const times: Record<Kind, number[]> = { library: [], bare: [], raw: [] };
    for (let i = 0; i < LOAD; i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    const start = uptime();
    for (let i = -1; i < RUNS; i++) {
      const l = await libraryCall(alice, bob);
      const m = await bareCall(bareAlice, bareBob);
      const r = await rawCall(rawAlice, rawBob);
      if (i >= 0) {
        times.library.push(l);
        times.bare.push(m);
        times.raw.push(r);
      }
      process.stdout.write(`${i < 0 ? 'warm-up' : `run ${i + 1}/${RUNS}`}: demo pages ${l.toFixed(0)} ms, bare library page ${m.toFixed(0)} ms, raw WebRTC ${r.toFixed(0)} ms\n`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    const [lm, mm, rm] = [median(times.library), median(times.bare), median(times.raw)];
    const range = (xs: number[]) => `(min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    console.log(`\ncall() -> first remote video frame on both pages, median of ${RUNS}${SELF_VIEW ? ', demo self-views on' : ', no self-views'}${CAMERA_MS || CALLEE_CAMERA_MS ? `, cameras starting in ${CAMERA_MS} ms (callee's ${CALLEE_CAMERA_MS} ms)` : ''}${RTT_MS ? `, ${RTT_MS} ms round trip to the signalling servers` : ''}${LOAD ? `, ${LOAD} busy processes beside it (--load)` : ''} (${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, Chromium over CDP; load average ${start} before, ${uptime()} after):`);
    console.log(`  headless-calling, demo pages (embedded backend): ${lm.toFixed(0)} ms  ${range(times.library)}  ratio ${(lm / rm).toFixed(2)}x`);
    console.log(`  headless-calling, bare page (bench/libPage.ts):  ${mm.toFixed(0)} ms  ${range(times.bare)}  ratio ${(mm / rm).toFixed(2)}x (target <= 1.1x, issue 14)`);
    console.log(`  raw WebRTC baseline (no library${RAW_SILENT ? ', no sound' : ''}):${RAW_SILENT ? '' : '          '}      ${rm.toFixed(0)} ms  ${range(times.raw)}`);
    // Each run's three calls follow each other: their ratios see the same moment of the machine.
    const paired = (kind: Kind) => median(times[kind].map((t, i) => t / (times.raw[i] ?? Number.NaN))).toFixed(2);
    console.log(`  median of the runs' own ratios to raw: demo pages ${paired('library')}x, bare page ${paired('bare')}x`);
    if (RING_MS > 0) {
      const accepted = afterAccept.slice(1); // the warm-up's left out
      console.log(`  (the bare page's callee rings ${RING_MS} ms first: its figures include that; raw WebRTC answers at once)`);
      console.log(`  bare page, accept() -> first remote frame on both pages: ${median(accepted).toFixed(0)} ms  ${range(accepted)}`);
    }
    if (PHASES_FILE) writeFileSync(PHASES_FILE, JSON.stringify({ times, phases: Object.fromEntries(Object.entries(phases).map(([k, runs]) => [k, runs.map((r) => Object.fromEntries(r))])) }));
    const title: Record<Kind, string> = { library: 'headless-calling, demo pages', bare: 'headless-calling, bare page', raw: 'raw WebRTC' };
    for (const kind of ['library', 'bare', 'raw'] as const) {
      console.log(`\n  ${title[kind]}: steps, median ms after ${kind === 'raw' ? 'start' : 'call()'} (first time on each page):`);
      for (const line of timeline(phases[kind].slice(1))) console.log(`    ${line}`);
    }
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await chromium.close();
    await Promise.all([raw.close(), server.close()]);
  }
}

await main();
