/**
 * `npm run bench:server`: our signaling server against a bare `ws` relay, in one invocation, on
 * the same load. Three processes: the target (our server through its real command line, or
 * bench/server/bareRelay.ts) pinned to core 0, the load generator (bench/server/loadGen.ts)
 * pinned to core 1 with this orchestrator. Rounds alternate the targets (bare, ours, ours, bare,
 * ...); each round starts a fresh target on a fresh SQLite file and measures, in order:
 *
 * 1. RSS idle, then RSS with every client logged in (after full GCs): RSS per client;
 * 2. a warm-up, then a closed loop (every pair calls again as soon as its setup is done):
 *    setups/s, messages/s, invite latency, and the live heap before and after: growth per message;
 * 3. a paced phase at `--rate` setups/s: invite latency at a load the baseline carries easily.
 *
 * Cluster mode (`--nodes N --redis URL`): the targets are our server as one node and as N nodes
 * on one Redis (every node pinned to the target core, Redis wherever the system runs it), each
 * call's caller on one node and its callee on the next; the report adds the Redis commands
 * each setup cost (Redis's own `total_commands_processed` over the closed loop, settling and draining included, per
 * setup completed in it; before 2026-12-07 per setup of the measured window alone, some 20% too many), and by command name
 * (`INFO commandstats`, bench/server/redisStats.ts), for the closed loop and for the clients' logins.
 *
 * `--help` lists the flags (bench/server/args.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parseCli } from '../../server/cli';
import { SERVER_NODE_FLAGS } from '../../server/nodeFlags';
import { resolveOptions } from '../../server/options';
import { type BenchArgs, parseBenchArgs } from './args';
import { type Child, canPin, coreTimes, type CpuFigures, liveHeap, type MemFigures, pin, type Ready, startChild } from './ipc';
import type { PhaseStats } from './loadGen';
import type { StallFigures } from './stalls';
import { errorsOf, median, ratios, type RoundResult, roundRatios, summarize, type Target, warnings } from './report';
import { renderCluster, renderText } from './render';
import { type CommandCounts, parseCommandStats, parseRedisCpu, perSetup, showCounts } from './redisStats';

const HERE = import.meta.dirname;
const SDKAPPID = 1400000042;
const TARGET_CORE = 0;
const LOAD_CORE = 1;

/** The per-connection frame rate of a server started with default limits: the clients keep under it, against both targets. */
function serverRate(): { perSecond: number; burst: number } {
  const parsed = parseCli(['--db', ':memory:', '--sdkappid', String(SDKAPPID), '--secret-key', 'x'], {});
  if (!parsed.ok) throw new Error(parsed.text);
  return resolveOptions(parsed.options).rate;
}

interface Context {
  readonly args: BenchArgs;
  readonly generator: Child;
  readonly pinned: boolean;
  readonly secretKey: string;
  readonly rate: { perSecond: number; burst: number };
  readonly log: (line: string) => void;
}

/** The resident size of V8's young generation (new space and its large objects). */
const young = (m: MemFigures): number => (m.spaces.new_space ?? 0) + (m.spaces.new_large_object_space ?? 0);

/** A latency for the progress line; a phase that completed no setup has none (NaN, null once through IPC). */
const ms = (x: number | null): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(1) : 'n/a');

/**
 * The Node flags of the server under test: the bin's (SERVER_NODE_FLAGS), or
 * `BENCH_SERVER_NODE_FLAGS` to try others (an empty value: Node's defaults).
 */
function serverNodeFlags(): readonly string[] {
  const given = process.env.BENCH_SERVER_NODE_FLAGS;
  return given === undefined ? SERVER_NODE_FLAGS : given.split(' ').filter(Boolean);
}

/** One target for one round. */
async function measure(ctx: Context, target: Target, round: number): Promise<{ result: RoundResult; ready: Ready }> {
  const { args, generator } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'hc-bench-server-'));
  const prefix = `hc-bench-${randomBytes(4).toString('hex')}`;
  const cluster = target === 'cluster' ? ['--redis', args.redis ?? '', '--cluster-prefix', prefix] : [];
  const children: Child[] =
    target === 'bare'
      ? [startChild('bare relay', resolve(HERE, 'bareRelay.ts'))]
      : Array.from({ length: target === 'cluster' ? args.nodes : 1 }, (_, i) =>
          startChild(`server under test${target === 'cluster' ? ` (node ${i + 1})` : ''}`, resolve(HERE, 'serverUnderTest.ts'), [String(args.clients), join(dir, `calling${i}.db`), String(SDKAPPID), ...cluster], {
            HC_SECRET_KEY: ctx.secretKey,
          }, serverNodeFlags()),
        );
  const redis = target === 'cluster' ? new Redis(args.redis ?? '') : null;
  /** Sums a figure over the target's processes (a cluster has several). */
  const sum = async <T extends object>(request: Record<string, unknown>): Promise<T> => {
    const all = await Promise.all(children.map((c) => c.ask<T>(request as { cmd: string })));
    const out: Record<string, number | Record<string, number>> = {};
    for (const one of all) {
      for (const [k, v] of Object.entries(one)) {
        if (typeof v === 'number') out[k] = ((out[k] as number | undefined) ?? 0) + v;
        else if (v && typeof v === 'object') {
          // One level down (the heap spaces of `mem`).
          const inner = (out[k] ??= {}) as Record<string, number>;
          for (const [ik, iv] of Object.entries(v as Record<string, unknown>)) if (typeof iv === 'number') inner[ik] = (inner[ik] ?? 0) + iv;
        }
      }
    }
    return out as T;
  };
  const redisCommands = async () => Number(/total_commands_processed:(\d+)/.exec((await redis?.info('stats')) ?? '')?.[1] ?? Number.NaN);
  const commandStats = async (): Promise<CommandCounts> => parseCommandStats((await redis?.info('commandstats')) ?? '');
  const redisCpu = async (): Promise<number> => parseRedisCpu((await redis?.info('cpu')) ?? '');
  try {
    if (ctx.pinned) for (const child of children) pin(child.pid, TARGET_CORE);
    const readies = (await Promise.all(children.map((c) => c.first))) as Ready[];
    const ready = readies[0] as Ready;
    const mem = () => sum<MemFigures>({ cmd: 'mem' });
    const relayed = async () => {
      const all = await Promise.all(children.map((c) => c.ask<{ metrics: { relayed: number; cluster?: { drained: number } } }>({ cmd: 'metrics' })));
      // In a cluster a copy for another node is counted where it is handed over (drained there).
      return all.reduce((n, { metrics }) => n + metrics.relayed + (metrics.cluster?.drained ?? 0), 0);
    };
    const idle = await mem();
    const loginStats0 = await commandStats();
    const { connectMs } = await generator.ask<{ connectMs: number }>({
      cmd: 'connect', dialect: target === 'bare' ? 'bare' : 'ours', url: ready.url, urls: readies.map((r) => r.url), clients: args.clients, rate: ctx.rate, sdkAppId: SDKAPPID, secretKey: ctx.secretKey,
    });
    const loggedIn = await mem();
    const loginStats = perSetup(loginStats0, await commandStats(), args.clients);
    // Warm-up (JIT, first allocations), drained, so that the heap read next is a steady state.
    const settle = Math.min(1, args.seconds / 4);
    await generator.ask({ cmd: 'run', mode: 'closed', settle: 0, seconds: settle });
    const before = await mem();
    const relayedBefore = await relayed();
    const phase = async (request: Record<string, unknown>) => {
      // Stalls are the first process's (a cluster's first node): read once before, to start the count.
      await children[0]?.ask<StallFigures>({ cmd: 'stalls' });
      const cpu0 = await sum<CpuFigures>({ cmd: 'cpu' });
      const commands0 = await redisCommands();
      const stats0 = await commandStats();
      const redisCpu0 = await redisCpu();
      const cores0 = coreTimes();
      const t0 = performance.now();
      const stats = await generator.ask<PhaseStats>({ cmd: 'run', ...request } as { cmd: string });
      const cpu1 = await sum<CpuFigures>({ cmd: 'cpu' });
      const stalls = (await children[0]?.ask<StallFigures>({ cmd: 'stalls' })) ?? null;
      // Redis's counters span the whole phase (its settling and draining too): so do the setups they are divided by.
      const redisPerSetup = (((await redisCommands()) - commands0) / Math.max(1, stats.completed));
      const byName = perSetup(stats0, await commandStats(), stats.completed);
      const redisCpuPerSetup = ((await redisCpu()) - redisCpu0) / Math.max(1, stats.completed);
      const cores1 = coreTimes();
      const wallMs = performance.now() - t0;
      const cpu = ((cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / wallMs) * 100;
      const busy = (core: number) => {
        const a = cores0?.[core];
        const b = cores1?.[core];
        return a && b && b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : Number.NaN;
      };
      return { stats, cpu, stalls, targetCoreBusy: busy(TARGET_CORE), loadCoreBusy: busy(LOAD_CORE), redisPerSetup, byName, redisCpuPerSetup };
    };
    const closed = await phase({ mode: 'closed', settle, seconds: args.seconds });
    const after = await mem();
    const relayedAfter = await relayed();
    const paced = await phase({ mode: 'paced', settle: settle / 2, seconds: args.seconds, rate: args.rate });
    const perNode = await Promise.all(children.map((c) => c.ask<{ metrics: unknown }>({ cmd: 'metrics' })));
    const metrics = target === 'cluster' ? perNode.map((m) => m.metrics) : perNode[0]?.metrics;
    await generator.ask({ cmd: 'disconnect' });
    const relayedMeanwhile = relayedAfter - relayedBefore;
    const result: RoundResult = {
      target,
      round,
      connectMs,
      rssIdle: idle.rss,
      rssLoggedIn: loggedIn.rss,
      rssPerClient: (loggedIn.rss - idle.rss) / args.clients,
      heapPerClient: (liveHeap(loggedIn) - liveHeap(idle)) / args.clients,
      youngPerClient: (young(loggedIn) - young(idle)) / args.clients,
      heapGrowth: liveHeap(after) - liveHeap(before),
      relayedMeanwhile,
      heapPerMessage: (liveHeap(after) - liveHeap(before)) / Math.max(1, relayedMeanwhile),
      closed: closed.stats,
      paced: paced.stats,
      targetCpuClosed: closed.cpu,
      targetCpuPaced: paced.cpu,
      stallsClosed: closed.stalls,
      stallsPaced: paced.stalls,
      otherLoad: ctx.pinned
        ? {
            targetCore: Math.max(0, closed.targetCoreBusy - closed.cpu),
            loadCore: Math.max(0, closed.loadCoreBusy - closed.stats.cpuPercent),
          }
        : null,
      metrics,
      ...(target === 'cluster' ? { redisCommandsPerSetup: closed.redisPerSetup, redisCommandsByName: closed.byName, redisCommandsPerLogin: loginStats, redisCpuPerSetup: closed.redisCpuPerSetup } : {}),
    };
    const s = closed.stats;
    ctx.log(
      `  round ${round + 1} ${target === 'ours' ? 'server    ' : target === 'cluster' ? `${args.nodes} nodes   ` : 'bare relay'}: ${(s.setups / s.seconds).toFixed(0)} setups/s, p99 ${ms(s.latency.p99)} ms closed, ` +
        `${ms(paced.stats.latency.p99)} ms paced; RSS/client ${(result.rssPerClient / 1024).toFixed(1)} KB; heap ${result.heapPerMessage.toFixed(0)} B/msg; ` +
        `target CPU ${closed.cpu.toFixed(0)}%, generator ${s.cpuPercent.toFixed(0)}%`,
    );
    if (target === 'cluster') {
      ctx.log(`    Redis per setup (closed loop): ${closed.redisCpuPerSetup.toFixed(0)} µs of its CPU (INFO cpu, every client's); commands (commandstats): ${showCounts(closed.byName)}`);
      ctx.log(`    Redis per client logging in: ${showCounts(loginStats)}`);
    }
    return { result, ready };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    if (redis) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (!parsed.ok) {
    (parsed.code === 0 ? console.log : console.error)(parsed.message);
    return parsed.code;
  }
  const { args } = parsed;
  const started = performance.now();
  const cores = cpus().length;
  const pinned = canPin(cores);
  if (pinned) pin(process.pid, LOAD_CORE);
  const log = (line: string) => {
    if (!args.json) console.log(line);
  };
  // How busy the machine is before we add anything: others may be working on it.
  const t0 = coreTimes();
  await new Promise((done) => setTimeout(done, 1000));
  const t1 = coreTimes();
  const busyBefore = t0 && t1 ? t1.map((c, i) => ((c.busy - (t0[i]?.busy ?? 0)) / Math.max(1, c.total - (t0[i]?.total ?? 0))) * 100) : [];
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores,
    node: process.version,
    date: new Date().toISOString(),
    loadBefore: loadavg(),
    loadAfter: [] as number[],
    busyBefore,
  };
  log(`bench:server: ${args.clients} clients in ${args.clients / 2} pairs, ${args.rounds} rounds per target, ${args.seconds} s closed loop + ${args.seconds} s paced at ${args.rate} setups/s`);
  log(`machine: ${machine.cpu}, ${cores} cores, Node ${machine.node}, ${machine.date}, load average ${machine.loadBefore.map((l) => l.toFixed(2)).join(' ')}, cores busy ${busyBefore.map((b) => `${b.toFixed(0)}%`).join(' ')} before the run`);
  const generator = startChild('load generator', resolve(HERE, 'loadGen.ts'));
  if (pinned) pin(generator.pid, LOAD_CORE);
  try {
    await generator.first;
    const ctx: Context = { args, generator, pinned, secretKey: randomBytes(32).toString('hex'), rate: serverRate(), log };
    const results: RoundResult[] = [];
    let server: Ready | null = null;
    let baseline: Ready | null = null;
    for (let round = 0; round < args.rounds; round++) {
      // bare, ours | ours, bare | ...: each target goes first as often as the other. A cluster
      // run measures one node against N instead.
      const pair: [Target, Target] = args.redis ? ['ours', 'cluster'] : ['bare', 'ours'];
      const order: Target[] = round % 2 === 0 ? pair : [pair[1], pair[0]];
      for (const target of order) {
        const { result, ready } = await measure(ctx, target, round);
        results.push(result);
        if (target === 'ours') server = ready;
        else if (target === 'bare') baseline = ready;
      }
    }
    machine.loadAfter = loadavg();
    const bare = summarize(results, 'bare');
    const ours = summarize(results, 'ours');
    const report = {
      machine,
      args,
      pinning: pinned ? { target: TARGET_CORE, load: LOAD_CORE, tool: 'taskset' } : null,
      server: { describe: server?.describe, limits: server?.limits, raisedForOneIp: server?.raised },
      baseline: { describe: baseline?.describe },
      heapFigures: 'IPC from the process hosting each target (node --expose-gc; gc() twice, then process.memoryUsage(); the heap figures leave out V8\'s code spaces, the JIT\'s); server/ has no hook',
      clientRate: ctx.rate,
      summary: { bare, ours },
      ratios: ratios(bare, ours),
      setupRatioPerRound: roundRatios(results),
      warnings: [
        ...(busyBefore.some((b) => b > 25)
          ? [`other processes kept the cores ${busyBefore.map((b) => `${b.toFixed(0)}%`).join(' ')} busy before the run: the figures share the machine with them`]
          : []),
        ...warnings(results, args.rate),
      ],
      errors: errorsOf(results),
      seconds: (performance.now() - started) / 1000,
      rounds: results,
    };
    if (args.redis) {
      const cluster = summarize(results, 'cluster');
      const clusterReport = {
        ...report,
        baseline: { describe: `the same server as ${args.nodes} nodes on ${args.redis}, caller and callee of each call on different nodes` },
        summary: { single: ours, cluster },
        ratios: ratios(ours, cluster),
        redisCommandsPerSetup: median(results.flatMap((r) => (r.redisCommandsPerSetup === undefined ? [] : [r.redisCommandsPerSetup]))),
      };
      if (args.json) console.log(JSON.stringify(clusterReport, null, 2));
      else console.log(renderCluster(clusterReport));
      return Object.keys(report.errors.counts).length > 0 ? 1 : 0;
    }
    if (args.json) console.log(JSON.stringify(report, null, 2));
    else console.log(renderText(report));
    return Object.keys(report.errors.counts).length > 0 ? 1 : 0;
  } finally {
    await generator.stop();
  }
}

process.exitCode = await main();
