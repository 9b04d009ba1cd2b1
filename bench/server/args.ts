/** The command line of `npm run bench:server`. Pure: no I/O, so the smoke test can check it. */
import { parseArgs } from 'node:util';

/** What one invocation measures. */
export interface BenchArgs {
  /** Clients, in clients/2 caller-callee pairs. */
  readonly clients: number;
  /** Setups per second started in the paced phase. */
  readonly rate: number;
  /** Length of each measured phase (closed loop, then paced), in seconds. */
  readonly seconds: number;
  /** Rounds per target; the targets alternate within and across rounds. */
  readonly rounds: number;
  /** Print one JSON document instead of the table. */
  readonly json: boolean;
  /** Cluster mode: server nodes on one Redis, measured beside a single node (1: no cluster). */
  readonly nodes: number;
  /** Cluster mode: the Redis URL (null: no cluster, the server against the bare relay). */
  readonly redis: string | null;
}

/** The parse: arguments, or the text to print and the exit code. */
export type ArgsResult = { readonly ok: true; readonly args: BenchArgs } | { readonly ok: false; readonly message: string; readonly code: number };

/** The `--help` text. */
export const USAGE = `Usage: npm run bench:server -- [options]

  --clients <n>   WebSocket clients, in n/2 caller-callee pairs (default 2000; even, >= 2)
  --rate <n>      setups per second in the paced phase (default 2500)
  --seconds <s>   length of each measured phase: closed loop, then paced (default 8)
  --rounds <n>    rounds per target, bare relay and our server alternating (default 3)
  --json          one JSON document on stdout instead of the table
  --nodes <n>     cluster mode: n server nodes on one Redis (needs --redis); the cluster is
                  measured beside a single node instead of the bare relay, every call
                  crossing nodes (caller on one node, callee on the next)
  --redis <url>   cluster mode: the Redis the nodes share (e.g. redis://127.0.0.1:6379)
  --help          this text

Environment:
  BENCH_CPU_PROF=<dir>             a V8 CPU profile of every child process, written there
  BENCH_HEAP_PROF=<prefix>         a sampling heap profile of the server under test of what young
                                   collections did not take (promoted, or alive at the end):
                                   <prefix>.<pid>.heapprofile (BENCH_HEAP_PROF_MINOR=1: all of it)
  BENCH_NODE_FLAGS="<flags>"       more Node flags for every child (e.g. --trace-gc, printed here)
  BENCH_SERVER_NODE_FLAGS="<flags>"  the server's Node flags instead of its bin's
`;

/** Defaults: 2 x 3 rounds of (1 s warm-up, 1 + 8 s closed loop, 0.5 + 8 s paced, ~2 s start and login): about 135 s on 2 cores. */
export const DEFAULTS: BenchArgs = { clients: 2000, rate: 2500, seconds: 8, rounds: 3, json: false, nodes: 1, redis: null };

function positive(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** Reads the flags of one invocation. */
export function parseBenchArgs(argv: readonly string[]): ArgsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        clients: { type: 'string' },
        rate: { type: 'string' },
        seconds: { type: 'string' },
        rounds: { type: 'string' },
        json: { type: 'boolean' },
        nodes: { type: 'string' },
        redis: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, code: 2 };
  }
  if (values.help) return { ok: false, message: USAGE, code: 0 };
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const redis = str('redis') ?? null;
  if (redis !== null && !/^rediss?:\/\/./.test(redis)) return { ok: false, message: `--redis must be a redis:// URL, got ${JSON.stringify(redis)}\n\n${USAGE}`, code: 2 };
  try {
    const clients = positive('clients', str('clients'), DEFAULTS.clients, true);
    if (clients < 2 || clients % 2 !== 0) throw new Error(`--clients must be even and >= 2 (caller-callee pairs), got ${clients}`);
    return {
      ok: true,
      args: {
        clients,
        rate: positive('rate', str('rate'), DEFAULTS.rate, false),
        seconds: positive('seconds', str('seconds'), DEFAULTS.seconds, false),
        rounds: positive('rounds', str('rounds'), DEFAULTS.rounds, true),
        json: values.json === true,
        nodes: (() => {
          const nodes = positive('nodes', str('nodes'), DEFAULTS.nodes, true);
          if (nodes > 1 && redis === null) throw new Error('--nodes needs --redis: the nodes of a cluster share one Redis');
          return nodes;
        })(),
        redis,
      },
    };
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, code: 2 };
  }
}
