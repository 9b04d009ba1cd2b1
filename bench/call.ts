/**
 * `npm run bench:call`: call setup time in one headless Chromium, from `call()` on Alice's page
 * (Bob's page accepts on INVITED) to the first remote video frame shown on both pages, over the
 * embedded backend (the demo page, the real server), against a raw WebRTC baseline doing the
 * same media work with no library (bench/rawPage.ts). Prints both medians and their ratio.
 *
 * BENCH_RUNS (default 12) timed calls of each kind, after one warm-up of each; the two kinds
 * alternate so that drift of the machine affects both alike. `npm run bench:call -- --self-view`
 * keeps the demo's local previews on.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { launchChromium } from '../test/e2e/support/browser';
import { demoServer } from '../test/e2e/support/demoServer';

const RUNS = Number(process.env.BENCH_RUNS ?? 12);
/**
 * The raw baseline shows no self-view, so by default neither do the demo pages (`preview=0`):
 * both sides do the same media work. `--self-view` keeps the demo's local previews (two more
 * videos rendered in software on the same cores; about 60 ms more here).
 */
const SELF_VIEW = process.argv.includes('--self-view');
const query = SELF_VIEW ? '' : '&preview=0';
const WAIT_MS = 20_000;

interface Marks {
  [key: string]: number | undefined;
}

/** The baseline's own server: the raw page and a WebSocket relay (`{ to, data }` -> `data`). */
async function rawServer(): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await build({ entryPoints: [resolve(import.meta.dirname, 'rawPage.ts')], bundle: true, write: false, format: 'esm', target: 'es2022' });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = `<!doctype html><meta charset="utf-8"><title>raw WebRTC baseline</title><body><script type="module">${script}</script></body>`;
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  const peers = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ server: http, path: '/relay' });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    peers.set(id, ws);
    ws.on('message', (raw) => {
      const { to, data } = JSON.parse(String(raw)) as { to: string; data: unknown };
      peers.get(to)?.send(JSON.stringify(data));
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      for (const ws of peers.values()) ws.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      await new Promise<void>((done) => http.close(() => done()));
    },
  };
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

const countEnds = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { hcDemo: { events: { name: string }[] } }).hcDemo.events.filter((e) => e.name === 'onCallEnd').length);

/** Per library call: ms from call() to Bob's INVITED, to each USER_ENTER, to both first frames. */
const phases: Array<Record<string, number>> = [];

/** One call through the demo: Alice clicks Call, Bob's page accepts by itself. Returns ms to both first frames. */
async function libraryCall(alice: Page, bob: Page): Promise<number> {
  const [endsA, endsB] = [await countEnds(alice), await countEnds(bob)];
  for (const page of [alice, bob]) await page.evaluate(() => {
    const marks = (globalThis as unknown as { hcDemo: { marks: Marks } }).hcDemo.marks;
    for (const key of Object.keys(marks)) delete marks[key];
  });
  await alice.click('#call-btn');
  const a = await until('Alice sees Bob', async () => (await marksOf(alice, 'hcDemo'))['frame:bob']);
  const b = await until('Bob sees Alice', async () => (await marksOf(bob, 'hcDemo'))['frame:alice']);
  const am = await marksOf(alice, 'hcDemo');
  const bm = await marksOf(bob, 'hcDemo');
  const start = am.call ?? Number.NaN;
  const at = (t: number | undefined) => (t ?? Number.NaN) - start;
  phases.push({ invited: at(bm.invited), bobSeesAlice: at(bm['enter:alice']), aliceSeesBob: at(am['enter:bob']), frames: Math.max(a, b) - start });
  await alice.click('#hangup-btn');
  await until('both CALL_END', async () => ((await countEnds(alice)) > endsA && (await countEnds(bob)) > endsB ? true : undefined));
  return Math.max(a, b) - start;
}

/** One raw call: Alice's page starts, Bob's answers. Returns ms to both first frames. */
async function rawCall(alice: Page, bob: Page): Promise<number> {
  await alice.evaluate(() => (globalThis as unknown as { rawBench: { start(): Promise<void> } }).rawBench.start());
  const a = await until('raw Alice frame', async () => (await marksOf(alice, 'rawBench')).frame);
  const b = await until('raw Bob frame', async () => (await marksOf(bob, 'rawBench')).frame);
  const start = (await marksOf(alice, 'rawBench')).start ?? Number.NaN;
  await alice.evaluate(() => {
    const raw = (globalThis as unknown as { rawBench: { bye(): void; stop(): void } }).rawBench;
    raw.bye();
    raw.stop();
  });
  await until('raw Bob stopped', async () => ((await marksOf(bob, 'rawBench')).frame === undefined ? true : undefined));
  return Math.max(a, b) - start;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const server = await demoServer();
  const raw = await rawServer();
  const chromium = await launchChromium();
  try {
    const page = async (url: string) => {
      const context = await chromium.browser.newContext({ viewport: { width: 1100, height: 700 } });
      const p = await context.newPage();
      await p.goto(url);
      return p;
    };
    const base = server.handle.httpUrl;
    const alice = await page(`${base}/?user=alice${query}`);
    const bob = await page(`${base}/?user=bob&autoAccept=1${query}`);
    for (const p of [alice, bob]) await p.waitForSelector('body[data-view="home"]', { timeout: WAIT_MS });
    await alice.fill('#callee', 'bob');
    const rawAlice = await page(`${raw.url}/?id=alice`);
    const rawBob = await page(`${raw.url}/?id=bob`);
    for (const p of [rawAlice, rawBob]) await p.evaluate(() => (globalThis as unknown as { rawBench: { ready: Promise<void> } }).rawBench.ready);

    const library: number[] = [];
    const baseline: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const l = await libraryCall(alice, bob);
      const r = await rawCall(rawAlice, rawBob);
      if (i >= 0) {
        library.push(l);
        baseline.push(r);
      }
      process.stdout.write(`${i < 0 ? 'warm-up' : `run ${i + 1}/${RUNS}`}: headless-calling ${l.toFixed(0)} ms, raw WebRTC ${r.toFixed(0)} ms\n`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    const lm = median(library);
    const rm = median(baseline);
    console.log(`\ncall() -> first remote video frame on both pages, median of ${RUNS}${SELF_VIEW ? ', demo self-views on' : ', no self-views'} (${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, Chromium over CDP):`);
    console.log(`  headless-calling (embedded backend, demo page): ${lm.toFixed(0)} ms  (min ${Math.min(...library).toFixed(0)}, max ${Math.max(...library).toFixed(0)})`);
    console.log(`  raw WebRTC baseline (no library):               ${rm.toFixed(0)} ms  (min ${Math.min(...baseline).toFixed(0)}, max ${Math.max(...baseline).toFixed(0)})`);
    console.log(`  ratio: ${(lm / rm).toFixed(2)}x (target <= 1.3x)`);
    const timed = phases.slice(1);
    const phase = (key: string) => median(timed.map((p) => p[key] ?? Number.NaN)).toFixed(0);
    console.log(`  headless-calling phases (median ms after call()): Bob INVITED ${phase('invited')}, Bob USER_ENTER ${phase('bobSeesAlice')}, Alice USER_ENTER ${phase('aliceSeesBob')}, both first frames ${phase('frames')}`);
  } finally {
    await chromium.close();
    await raw.close();
    await server.dispose();
  }
}

await main();
