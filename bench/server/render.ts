/** The human-readable report of `bench:server`: a table of medians and ratios, then what qualifies them. */
import type { BenchArgs } from './args';
import { FIGURES, type FigureKey, FLAT_HEAP_BYTES, type Summary } from './report';

/** The parts of the report the text shows (main.ts builds it; `--json` prints all of it). */
export interface Printable {
  readonly machine: { cpu: string; cores: number; node: string; date: string; loadBefore: number[]; loadAfter: number[]; busyBefore: number[] };
  readonly args: BenchArgs;
  readonly pinning: { target: number; load: number; tool: string } | null;
  readonly server: { describe?: string | undefined; limits?: Readonly<Record<string, unknown>> | undefined; raisedForOneIp?: readonly string[] | undefined };
  readonly baseline: { describe?: string | undefined };
  readonly heapFigures: string;
  readonly clientRate: { perSecond: number; burst: number };
  readonly summary: { bare: Summary; ours: Summary };
  readonly ratios: Record<FigureKey, number | null>;
  readonly setupRatioPerRound: readonly number[];
  readonly warnings: readonly string[];
  readonly errors: { counts: Record<string, number>; samples: string[] };
  readonly seconds: number;
}

/** The issue's goals (issue 14), for a glance at where the server stands. */
const GOALS: Partial<Record<FigureKey, string>> = {
  setupsPerSec: '>= 0.8x',
  pacedP50: '<= 1 ms',
  pacedP99: '<= 2x',
  rssPerClientKB: '<= 1.5x',
  heapPerMessage: 'flat',
};

const num = (x: number, digits: number) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width));

/** The report as text. */
export function renderText(r: Printable): string {
  const { bare, ours } = r.summary;
  const lines: string[] = [];
  const m = r.machine;
  lines.push('');
  lines.push(
    `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}; load average ${m.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
      `${m.loadAfter.map((l) => l.toFixed(2)).join(' ')} after; cores busy ${m.busyBefore.map((b) => `${b.toFixed(0)}%`).join(' ')} in the second before the run`,
  );
  lines.push(r.pinning ? `pinning: targets on core ${r.pinning.target}, load generator on core ${r.pinning.load} (${r.pinning.tool})` : 'pinning: none (no taskset or one core): the figures share cores');
  lines.push(`server under test: ${r.server.describe ?? '?'}`);
  lines.push(`  limits in force: ${Object.entries(r.server.limits ?? {}).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  lines.push(`  raised for one loopback IP: ${r.server.raisedForOneIp?.length ? r.server.raisedForOneIp.join('; ') : 'none (this server has no per-IP or total connection limit)'}`);
  lines.push(`baseline: ${r.baseline.describe ?? '?'}`);
  lines.push(`clients keep under the server's per-connection rate (${r.clientRate.perSecond}/s, burst ${r.clientRate.burst}) against both targets`);
  lines.push(`heap figures: ${r.heapFigures}`);
  lines.push('');
  lines.push(`medians of ${r.args.rounds} rounds, ${r.args.clients} clients, paced at ${r.args.rate} setups/s:`);
  const w = [38, 12, 18, 9, 10];
  lines.push(`${pad('', w[0]!)}${pad('bare relay', w[1]!, true)}${pad('headless-calling', w[2]!, true)}${pad('ratio', w[3]!, true)}${pad('goal', w[4]!, true)}`);
  for (const f of FIGURES) {
    const ratio = r.ratios[f.key];
    const ratioText = ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`;
    lines.push(
      `${pad(f.label, w[0]!)}${pad(num(bare[f.key], f.digits), w[1]!, true)}${pad(num(ours[f.key], f.digits), w[2]!, true)}${pad(ratioText, w[3]!, true)}${pad(GOALS[f.key] ?? '', w[4]!, true)}`,
    );
  }
  const per = r.setupRatioPerRound;
  lines.push(`setups/s ratio per round: ${per.map((x) => `${x.toFixed(2)}x`).join(', ')}${per.length ? ` (range ${Math.min(...per).toFixed(2)}-${Math.max(...per).toFixed(2)}x)` : ''}`);
  if (r.ratios.heapPerMessage === null) {
    const server = Math.abs(ours.heapPerMessage) < FLAT_HEAP_BYTES ? 'the server is flat too' : `the server grows ${num(ours.heapPerMessage, 1)} B/message`;
    lines.push(`heap: the baseline is flat (${num(bare.heapPerMessage, 1)} B/message, under ${FLAT_HEAP_BYTES} is GC noise), so no ratio; ${server}`);
  }
  lines.push('');
  lines.push('what explains them (medians):');
  lines.push(`  opening and logging in ${r.args.clients} clients: bare ${num(bare.connectMs, 0)} ms, server ${num(ours.connectMs, 0)} ms`);
  lines.push(
    `  RSS per client includes V8's young generation growing meanwhile (a bounded buffer, not the clients' memory): ` +
      `bare ${num(bare.youngPerClientKB, 1)} KB, server ${num(ours.youngPerClientKB, 1)} KB of it; the rest: bare ${num(bare.rssPerClientKB - bare.youngPerClientKB, 1)}, server ${num(ours.rssPerClientKB - ours.youngPerClientKB, 1)} KB`,
  );
  lines.push(`  frames through the target per setup: bare ${num(bare.framesPerSetup, 1)}, server ${num(ours.framesPerSetup, 1)}`);
  lines.push(`  paced rate reached: bare ${num(bare.pacedAchieved, 0)}, server ${num(ours.pacedAchieved, 0)} setups/s`);
  lines.push(`  target CPU in the closed loop: bare ${num(bare.targetCpuClosed, 0)}%, server ${num(ours.targetCpuClosed, 0)}% of its core`);
  lines.push(
    `  target CPU per setup, closed loop: bare ${num(bare.cpuPerSetupUs, 0)} µs, server ${num(ours.cpuPerSetupUs, 0)} µs: ` +
      `the setups/s ratio a core of its own would give ${num(bare.cpuPerSetupUs / ours.cpuPerSetupUs, 2)}x`,
  );
  lines.push(
    `  load generator: closed loop ${num(bare.generatorCpuClosed, 0)}% / ${num(ours.generatorCpuClosed, 0)}% CPU (event loop ${num(bare.generatorEluClosed * 100, 0)}% / ${num(ours.generatorEluClosed * 100, 0)}% busy), ` +
      `paced ${num(bare.generatorCpuPaced, 0)}% / ${num(ours.generatorCpuPaced, 0)}% (bare / server)`,
  );
  const [bp, op] = [bare.stallsPaced, ours.stallsPaced];
  lines.push(
    `  what held the target's event loop, paced (bare / server): loop delay p99 ${num(bp.loopP99, 1)} / ${num(op.loopP99, 1)} ms, longest ${num(bp.loopMax, 0)} / ${num(op.loopMax, 0)} ms; ` +
      `stalls over 2 ms a second: collections ${num(bp.gcLongPerSec, 1)} / ${num(op.gcLongPerSec, 1)} (the old generation's longest pause ${num(bp.oldMaxMs, 1)} / ${num(op.oldMaxMs, 1)} ms), ` +
      `store commits ${num(op.commitLongPerSec, 1)} (longest ${num(op.commitMaxMs, 1)} ms)`,
  );
  const [bc, oc] = [bare.stallsClosed, ours.stallsClosed];
  lines.push(
    `  time in collections' pauses: closed loop ${num(bc.gcShare, 0)}% / ${num(oc.gcShare, 0)}%, paced ${num(bp.gcShare, 0)}% / ${num(op.gcShare, 0)}%; ` +
      `in store commits (server): closed loop ${num(oc.commitShare, 0)}%, paced ${num(op.commitShare, 0)}%`,
  );
  lines.push(`  ${r.seconds.toFixed(0)} s in all`);
  if (r.warnings.length > 0) {
    lines.push('');
    lines.push('warnings:');
    for (const warning of r.warnings) lines.push(`  - ${warning}`);
  } else {
    lines.push('  the load generator never saturated its core; no other load worth noting on the pinned cores');
  }
  const errors = Object.entries(r.errors.counts);
  lines.push('');
  lines.push(errors.length === 0 ? 'errors: none (every setup completed, every frame as expected)' : `ERRORS: ${errors.map(([k, n]) => `${k} x${n}`).join(', ')}`);
  for (const sample of r.errors.samples) lines.push(`  ${sample}`);
  return lines.join('\n');
}

/** Cluster mode: one node against N nodes on Redis. */
export interface ClusterPrintable extends Omit<Printable, 'summary'> {
  readonly summary: { single: Summary; cluster: Summary };
  readonly redisCommandsPerSetup: number;
}

/** The cluster report as text: the single node and the cluster side by side. */
export function renderCluster(r: ClusterPrintable): string {
  const { single, cluster } = r.summary;
  const lines: string[] = [''];
  const m = r.machine;
  lines.push(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}; load average ${m.loadBefore.map((l) => l.toFixed(2)).join(' ')} before`);
  lines.push(r.pinning ? `pinning: every server process on core ${r.pinning.target}, load generator on core ${r.pinning.load}; Redis unpinned` : 'pinning: none');
  lines.push(`single node: ${r.server.describe ?? '?'}`);
  lines.push(`cluster: ${r.baseline.describe ?? '?'}`);
  lines.push('');
  lines.push(`medians of ${r.args.rounds} rounds, ${r.args.clients} clients, paced at ${r.args.rate} setups/s:`);
  const w = [38, 14, 16, 9];
  lines.push(`${pad('', w[0]!)}${pad('single node', w[1]!, true)}${pad(`${r.args.nodes} nodes`, w[2]!, true)}${pad('ratio', w[3]!, true)}`);
  for (const f of FIGURES) {
    const ratio = r.ratios[f.key];
    lines.push(`${pad(f.label, w[0]!)}${pad(num(single[f.key], f.digits), w[1]!, true)}${pad(num(cluster[f.key], f.digits), w[2]!, true)}${pad(ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`, w[3]!, true)}`);
  }
  lines.push(`${pad('Redis commands per setup', w[0]!)}${pad('-', w[1]!, true)}${pad(num(r.redisCommandsPerSetup, 1), w[2]!, true)}`);
  lines.push(`${pad('server CPU in the closed loop (%)', w[0]!)}${pad(num(single.targetCpuClosed, 0), w[1]!, true)}${pad(num(cluster.targetCpuClosed, 0), w[2]!, true)}`);
  lines.push(`${pad('opening and logging in (ms)', w[0]!)}${pad(num(single.connectMs, 0), w[1]!, true)}${pad(num(cluster.connectMs, 0), w[2]!, true)}`);
  lines.push('');
  lines.push('a setup is invite, accept and hangup (three C2C messages); in the cluster each crosses nodes through Redis');
  lines.push('on one machine the nodes share one core (and Redis another): this measures what the cluster costs per call, not how it scales out');
  if (r.warnings.length > 0) {
    lines.push('warnings:');
    for (const warning of r.warnings) lines.push(`  - ${warning}`);
  }
  const errors = Object.entries(r.errors.counts);
  lines.push(errors.length === 0 ? 'errors: none (every setup completed, every frame as expected)' : `ERRORS: ${errors.map(([k, n]) => `${k} x${n}`).join(', ')}`);
  for (const sample of r.errors.samples) lines.push(`  ${sample}`);
  lines.push(`${r.seconds.toFixed(0)} s in all`);
  return lines.join('\n');
}
