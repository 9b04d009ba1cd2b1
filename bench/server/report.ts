/**
 * The figures of `bench:server`: per-round results, their medians per target, the ratios of our
 * server to the bare relay, and the text or JSON that prints them.
 */
import type { PhaseStats } from './loadGen';
import type { StallCount, StallFigures } from './stalls';

/** The targets: the bare relay baseline, our server, and (cluster mode) our server as N nodes on Redis. */
export type Target = 'bare' | 'ours' | 'cluster';

/** One target in one round. */
export interface RoundResult {
  readonly target: Target;
  readonly round: number;
  readonly connectMs: number;
  /** RSS after login minus RSS idle, per client (both after full GCs), in bytes. */
  readonly rssPerClient: number;
  /** Live heap after login minus idle, per client (both after full GCs), in bytes: what the clients hold, whatever V8's heap sizing did. */
  readonly heapPerClient: number;
  /**
   * Of {@link RoundResult.rssPerClient}, what V8's young generation grew meanwhile (bytes per
   * client): a bounded buffer (at most 2 x 16 MB on 64-bit Node) that grows in doubling steps
   * with what survives its collections, not a client's own memory.
   */
  readonly youngPerClient: number;
  readonly rssIdle: number;
  readonly rssLoggedIn: number;
  /** Live heap (after full GCs) after the closed loop minus before, per message relayed by the target meanwhile, in bytes. */
  readonly heapPerMessage: number;
  readonly heapGrowth: number;
  readonly relayedMeanwhile: number;
  readonly closed: PhaseStats;
  readonly paced: PhaseStats;
  /** The target's CPU over each phase, % of one core. */
  readonly targetCpuClosed: number;
  readonly targetCpuPaced: number;
  /** What held the target's event loop in each phase (a cluster's first node; null if it could not say). */
  readonly stallsClosed: StallFigures | null;
  readonly stallsPaced: StallFigures | null;
  /** Busy % of each pinned core during the closed loop not explained by our processes (others' load), or null unpinned. */
  readonly otherLoad: { readonly targetCore: number; readonly loadCore: number } | null;
  readonly metrics: unknown;
  /** Cluster mode: Redis commands processed per setup over the closed loop (all clients of Redis). */
  readonly redisCommandsPerSetup?: number;
  /** Cluster mode: the same by command name (`INFO commandstats`: script calls as `evalsha`, their inner commands by name). */
  readonly redisCommandsByName?: Readonly<Record<string, number>>;
  /** Cluster mode: Redis commands per client while the clients opened and logged in, by name. */
  readonly redisCommandsPerLogin?: Readonly<Record<string, number>>;
  /** Cluster mode: Redis's CPU per setup over the closed loop, µs (`INFO cpu`; what every client of the Redis cost it). */
  readonly redisCpuPerSetup?: number;
}

/** The figures compared, in print order: key, label, which way is better. */
export const FIGURES = [
  { key: 'setupsPerSec', label: 'setups/s, closed loop', better: 'higher', digits: 0 },
  { key: 'messagesPerSec', label: 'relayed messages/s, closed loop', better: 'higher', digits: 0 },
  { key: 'closedP50', label: 'invite latency p50, closed loop (ms)', better: 'lower', digits: 2 },
  { key: 'closedP99', label: 'invite latency p99, closed loop (ms)', better: 'lower', digits: 2 },
  { key: 'pacedP50', label: 'invite latency p50, paced (ms)', better: 'lower', digits: 2 },
  { key: 'pacedP99', label: 'invite latency p99, paced (ms)', better: 'lower', digits: 2 },
  { key: 'rssPerClientKB', label: 'RSS per logged-in client (KB)', better: 'lower', digits: 1 },
  { key: 'heapPerClientKB', label: 'live heap per logged-in client (KB)', better: 'lower', digits: 2 },
  { key: 'heapPerMessage', label: 'live heap growth per message (B)', better: 'lower', digits: 1 },
] as const;

/** A figure's key. */
export type FigureKey = (typeof FIGURES)[number]['key'];

/** Medians over the rounds of one target, plus what explains them. */
export type Summary = Record<FigureKey, number> & {
  readonly pacedAchieved: number;
  readonly framesPerSetup: number;
  readonly targetCpuClosed: number;
  /**
   * The target's CPU time per setup in the closed loop (µs): what a setup costs it, whatever
   * share of its core other processes left it (the figure to compare on a shared machine).
   */
  readonly cpuPerSetupUs: number;
  readonly generatorCpuClosed: number;
  readonly generatorEluClosed: number;
  readonly generatorCpuPaced: number;
  readonly connectMs: number;
  readonly youngPerClientKB: number;
  readonly stallsClosed: StallSummary;
  readonly stallsPaced: StallSummary;
};

/** What held a target's event loop in one phase, as the report prints it (medians over the rounds). */
export interface StallSummary {
  /** The loop's delay: 99th percentile and longest (ms). */
  readonly loopP99: number;
  readonly loopMax: number;
  /** Share of the phase's wall time in collections' pauses, and in store commits (NaN without a store), %. */
  readonly gcShare: number;
  readonly commitShare: number;
  /** Stalls longer than 2 ms, per second: collections (young, old, incremental steps) and store commits. */
  readonly gcLongPerSec: number;
  readonly commitLongPerSec: number;
  /** The longest old-generation pause and store commit (ms). */
  readonly oldMaxMs: number;
  readonly commitMaxMs: number;
}

const GC_KINDS = ['young', 'old', 'incremental'] as const;

/** The {@link StallSummary} of one phase of one round (all NaN when the target could not say). */
function stallSummary(f: StallFigures | null): StallSummary {
  const wallMs = (f?.seconds ?? Number.NaN) * 1000;
  const gc = (pick: (c: StallCount) => number) => (f ? GC_KINDS.reduce((sum, kind) => sum + pick(f[kind]), 0) : Number.NaN);
  const commits = f?.commits ?? null;
  return {
    loopP99: f?.loopP99 ?? Number.NaN,
    loopMax: f?.loopMax ?? Number.NaN,
    gcShare: (gc((c) => c.ms) / wallMs) * 100,
    commitShare: commits ? (commits.ms / wallMs) * 100 : Number.NaN,
    gcLongPerSec: gc((c) => c.long) / (wallMs / 1000),
    commitLongPerSec: commits ? commits.long / (wallMs / 1000) : Number.NaN,
    oldMaxMs: f?.old.maxMs ?? Number.NaN,
    commitMaxMs: commits?.maxMs ?? Number.NaN,
  };
}

/** Medians of each field over the rounds. */
function medianStalls(all: readonly StallSummary[]): StallSummary {
  const keys = Object.keys(stallSummary(null)) as (keyof StallSummary)[];
  return Object.fromEntries(keys.map((key) => [key, median(all.map((s) => s[key]))])) as unknown as StallSummary;
}

export const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const perRound = (r: RoundResult): Record<FigureKey, number> => ({
  setupsPerSec: r.closed.setups / r.closed.seconds,
  messagesPerSec: r.closed.messages / r.closed.seconds,
  closedP50: r.closed.latency.p50,
  closedP99: r.closed.latency.p99,
  pacedP50: r.paced.latency.p50,
  pacedP99: r.paced.latency.p99,
  rssPerClientKB: r.rssPerClient / 1024,
  heapPerClientKB: r.heapPerClient / 1024,
  heapPerMessage: r.heapPerMessage,
});

/** Medians over the rounds of `target`. */
export function summarize(results: readonly RoundResult[], target: Target): Summary {
  const mine = results.filter((r) => r.target === target);
  const fig = (key: FigureKey) => median(mine.map((r) => perRound(r)[key]));
  const m = (f: (r: RoundResult) => number) => median(mine.map(f));
  return {
    ...(Object.fromEntries(FIGURES.map((f) => [f.key, fig(f.key)])) as Record<FigureKey, number>),
    pacedAchieved: m((r) => r.paced.started / r.paced.seconds),
    framesPerSetup: m((r) => (r.closed.framesIn + r.closed.framesOut) / Math.max(1, r.closed.setups)),
    targetCpuClosed: m((r) => r.targetCpuClosed),
    cpuPerSetupUs: m((r) => (r.targetCpuClosed / 100) * 1e6 / Math.max(1e-9, r.closed.setups / r.closed.seconds)),
    generatorCpuClosed: m((r) => r.closed.cpuPercent),
    generatorEluClosed: m((r) => r.closed.elu),
    generatorCpuPaced: m((r) => r.paced.cpuPercent),
    connectMs: m((r) => r.connectMs),
    youngPerClientKB: m((r) => r.youngPerClient / 1024),
    stallsClosed: medianStalls(mine.map((r) => stallSummary(r.stallsClosed))),
    stallsPaced: medianStalls(mine.map((r) => stallSummary(r.stallsPaced))),
  };
}

/**
 * Below this many bytes per message, heap growth is GC noise (the bare relay measures -5 to +30
 * here): "flat". A ratio to a flat baseline means nothing.
 */
export const FLAT_HEAP_BYTES = 32;

/** Ours over bare for each figure; null where the baseline is flat or not positive and a ratio means nothing. */
export function ratios(bare: Summary, ours: Summary): Record<FigureKey, number | null> {
  return Object.fromEntries(
    FIGURES.map((f) => {
      const b = bare[f.key];
      const meaningless = f.key === 'heapPerMessage' ? Math.abs(b) < FLAT_HEAP_BYTES : !(b > 0);
      return [f.key, meaningless ? null : ours[f.key] / b];
    }),
  ) as Record<FigureKey, number | null>;
}

/** The setups/s ratio of each round (ours over the bare relay of the same round). */
export function roundRatios(results: readonly RoundResult[]): number[] {
  const rounds = [...new Set(results.map((r) => r.round))];
  return rounds.flatMap((round) => {
    const b = results.find((r) => r.round === round && r.target === 'bare');
    const o = results.find((r) => r.round === round && r.target === 'ours');
    return b && o ? [perRound(o).setupsPerSec / perRound(b).setupsPerSec] : [];
  });
}

/** Things the reader must know before trusting the figures. */
export function warnings(results: readonly RoundResult[], rate: number): string[] {
  const out: string[] = [];
  for (const r of results) {
    const name = `round ${r.round + 1} ${r.target === 'ours' ? 'server' : r.target === 'cluster' ? 'cluster' : 'bare relay'}`;
    const cpu = r.closed.cpuPercent.toFixed(0);
    const elu = (r.closed.elu * 100).toFixed(0);
    if (r.closed.cpuPercent >= 90) {
      out.push(`${name}: the load generator saturated its core in the closed loop (${cpu}% CPU, event loop ${elu}% busy): that round measures the generator, not the target`);
    } else if (r.closed.elu >= 0.9) {
      out.push(`${name}: the load generator was near its limit in the closed loop (event loop ${elu}% busy, ${cpu}% CPU): the target's figure may be capped by the load`);
    }
    if (r.paced.started / r.paced.seconds < rate * 0.95) {
      out.push(`${name}: the paced phase reached ${(r.paced.started / r.paced.seconds).toFixed(0)} of ${rate} setups/s (${r.paced.missedStarts} starts missed: no free pair or no rate token)`);
    }
    if (r.otherLoad && (r.otherLoad.targetCore > 10 || r.otherLoad.loadCore > 10)) {
      out.push(`${name}: other processes used ${r.otherLoad.targetCore.toFixed(0)}% of the target's core and ${r.otherLoad.loadCore.toFixed(0)}% of the load's core in the closed loop`);
    }
    if (r.closed.rateWaits > 0) out.push(`${name}: ${r.closed.rateWaits} closed-loop setups waited for the per-connection rate limit (too few clients to load the target)`);
  }
  return out;
}

/** Every error the clients saw, by kind, over all rounds and phases. */
export function errorsOf(results: readonly RoundResult[]): { counts: Record<string, number>; samples: string[] } {
  const counts: Record<string, number> = {};
  const samples: string[] = [];
  for (const r of results) {
    for (const phase of [r.closed, r.paced]) {
      for (const [kind, n] of Object.entries(phase.errors)) counts[`${r.target}: ${kind}`] = (counts[`${r.target}: ${kind}`] ?? 0) + n;
      samples.push(...phase.errorSamples.map((s) => `${r.target}: ${s}`));
    }
  }
  return { counts, samples: samples.slice(0, 10) };
}
