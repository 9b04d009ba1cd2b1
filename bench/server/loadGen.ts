/**
 * The load generator of `bench:server`, in its own process (pinned to the other core): N clients
 * in N/2 pairs on real WebSockets (bench/server/rawWs.ts: a minimal RFC 6455 client, cheaper
 * than `ws`), logged in with valid TLS-sig-api-v2 userSigs signed with the
 * server's key (bench/server/pairs.ts has the wire). Commands over IPC from bench/server/main.ts:
 *
 * - `connect { dialect, url, urls?, clients, rate, sdkAppId, secretKey }`: opens and logs in every
 *   client (`urls`: the nodes of a cluster, each call's two clients on two of them)
 * - `run { mode: 'closed' | 'paced', settle, seconds, rate? }`: a phase; answers {@link PhaseStats}
 * - `disconnect`, `stop`
 *
 * It measures its own CPU and event-loop utilisation over each phase, so the report can say
 * whether the load, rather than the target, was the bottleneck.
 */
import { performance } from 'node:perf_hooks';
import { parseServerFrame } from '../../adapters/ws/protocol';
import { signUserSig } from '../../server/userSig';
import { type Request, serve } from './ipc';
import { callerID, calleeID, callFrames, CALLS_PER_PAIR, checkFrames, loginFrame, pingFrame } from './payloads';
import { Client, Counters, type Dialect, Pair } from './pairs';
import { RawWebSocket } from './rawWs';

/** What one phase measured, from the generator's side. */
export interface PhaseStats {
  readonly seconds: number;
  readonly started: number;
  readonly setups: number;
  /** Setups completed in the whole phase, settling and draining included. */
  readonly completed: number;
  readonly messages: number;
  readonly framesOut: number;
  readonly framesIn: number;
  readonly latency: { readonly n: number; readonly p50: number; readonly p99: number; readonly max: number };
  /** Setups per second the paced phase asked for, and how many starts found no free pair or no rate token. */
  readonly asked: number | null;
  readonly missedStarts: number;
  readonly validated: number;
  readonly rateWaits: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly errorSamples: readonly string[];
  /** The generator's CPU over the phase, % of one core, and its event-loop utilisation (0..1). */
  readonly cpuPercent: number;
  readonly elu: number;
}

/** Sockets being opened at once: the listen backlog of either target is 511. */
const CONNECT_CONCURRENCY = 256;
const CONNECT_TIMEOUT_MS = 60_000;
/** Our client pings every 20 s. */
const PING_EVERY_MS = 20_000;

let counters = new Counters();
let pairs: Pair[] = [];
let sockets: RawWebSocket[] = [];
let pingTimer: NodeJS.Timeout | null = null;
const sigs = new Map<string, string>();
checkFrames();

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Sockets whose server said `foldedReceipts` in its `loggedIn`. */
const folding = new WeakSet<RawWebSocket>();

/** Opens one client: the socket, then (ours) the login, answered by a `loggedIn` that must pass the protocol's schema. */
async function open(dialect: Dialect, url: string, user: string, sig: string): Promise<RawWebSocket> {
  const ws = await RawWebSocket.open(dialect === 'bare' ? `${url}?user=${user}` : url);
  sockets.push(ws);
  if (dialect === 'bare') return ws;
  return new Promise((resolve, reject) => {
    ws.onClose = (code) => reject(new Error(`${user}: closed ${code} before loggedIn`));
    ws.onText = (text) => {
      const read = parseServerFrame(text);
      if (read.ok && read.frame.type === 'loggedIn') {
        if (read.frame.foldedReceipts === true) folding.add(ws);
        resolve(ws);
      }
      else reject(new Error(`${user}: login answered ${text.slice(0, 200)}`));
    };
    ws.send(loginFrame(0, user, sig));
  });
}

async function connect(r: Request): Promise<Record<string, unknown>> {
  const { dialect, url, urls, clients, rate, sdkAppId, secretKey } = r as unknown as {
    dialect: Dialect; url: string; urls?: string[]; clients: number; rate: { perSecond: number; burst: number }; sdkAppId: number; secretKey: string;
  };
  // A cluster: the caller of pair k on node k, its callee on node k + 1, so every call crosses nodes.
  const nodes = urls && urls.length > 0 ? urls : [url];
  const urlOf = (i: number) => nodes[(Math.floor(i / 2) + (i % 2)) % nodes.length] as string;
  const t0 = performance.now();
  const users = Array.from({ length: clients / 2 }, (_, i) => [callerID(i), calleeID(i)]).flat();
  for (const user of users) if (!sigs.has(user)) sigs.set(user, signUserSig({ sdkAppID: sdkAppId, secretKey }, user, 86_400, Date.now()));
  const opened: RawWebSocket[] = new Array<RawWebSocket>(users.length);
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const i = next++;
      const user = users[i] as string;
      opened[i] = await open(dialect, urlOf(i), user, sigs.get(user) ?? '');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${next} of ${users.length} clients connected within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker)), timeout]);
  } catch (error) {
    throw new Error(`connecting ${users.length} clients to the ${dialect === 'ours' ? 'server' : 'bare relay'} failed after ${next}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  const connectMs = performance.now() - t0;
  // A little under the server's limit: its bucket and ours run on different clocks.
  const limit = { perMs: (rate.perSecond * 0.9) / 1000, burst: Math.max(1, Math.floor(rate.burst / 2)) };
  const clientsOf = opened.map((ws, i) => new Client(users[i] as string, ws, () => counters, limit, folding.has(ws)));
  pairs = [];
  for (let i = 0; i < clientsOf.length; i += 2) {
    const calls = Array.from({ length: CALLS_PER_PAIR }, () => callFrames(callerID(i / 2), calleeID(i / 2)));
    pairs.push(new Pair(dialect, clientsOf[i] as Client, clientsOf[i + 1] as Client, calls, () => counters, onDone));
  }
  if (dialect === 'ours') {
    // Every client pings every 20 s, spread evenly: what the real client's keepalive costs.
    let turn = 0;
    const slots = 20;
    pingTimer = setInterval(() => {
      turn = (turn + 1) % slots;
      for (let i = turn; i < clientsOf.length; i += slots) {
        const client = clientsOf[i] as Client;
        if (client.has(1, performance.now())) client.send(pingFrame(++client.rid));
      }
    }, PING_EVERY_MS / slots);
  }
  return { connectMs };
}

// ---------------------------------------------------------------------------------------------
// Phases

let mode: 'closed' | 'paced' | 'idle' = 'idle';
const free: Pair[] = [];
let retryTimer: NodeJS.Timeout | null = null;

function onDone(pair: Pair): void {
  if (mode === 'closed') {
    if (!pair.start(performance.now())) waitForTokens(pair);
  } else if (mode === 'paced') free.push(pair);
}

/** A pair out of rate tokens tries again a little later (the server would refuse it now). */
function waitForTokens(pair: Pair): void {
  counters.rateWaits++;
  setTimeout(() => {
    // A pair started meanwhile (a new phase) is no longer waiting.
    if (mode !== 'closed' || pair.busy || pair.broken) return;
    if (!pair.start(performance.now())) waitForTokens(pair);
  }, 20);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One phase: the load runs `settle` seconds unmeasured (the closed loop fills its pipeline; the
 * paced phase reaches its rate), then `seconds` measured, then stops starting setups and lets
 * the ones under way finish, so that the target is quiet when its heap is read.
 */
async function run(r: Request): Promise<PhaseStats> {
  const { seconds, settle, rate } = r as unknown as { seconds: number; settle: number; rate?: number };
  const paced = r.mode === 'paced';
  counters = new Counters();
  const t0 = performance.now();
  counters.from = t0 + settle * 1000;
  counters.to = counters.from + seconds * 1000;
  let missedStarts = 0;
  if (paced) {
    mode = 'paced';
    free.length = 0;
    free.push(...pairs.filter((p) => !p.busy && !p.broken));
    let startedHere = 0;
    const tick = () => {
      const now = performance.now();
      const due = Math.floor(((rate ?? 0) * (now - t0)) / 1000);
      while (startedHere < due) {
        const pair = free.shift();
        if (!pair || !pair.start(now)) {
          if (pair) free.push(pair);
          if (counters.counting(now)) missedStarts += due - startedHere;
          startedHere = due;
          break;
        }
        startedHere++;
      }
      retryTimer = setTimeout(tick, 1);
    };
    tick();
  } else {
    mode = 'closed';
    for (const pair of pairs) if (!pair.start(t0)) waitForTokens(pair);
  }
  await sleep(counters.from - performance.now());
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  await sleep(counters.to - performance.now());
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  mode = 'idle';
  if (retryTimer) clearTimeout(retryTimer);
  const drainBy = performance.now() + 10_000;
  while (pairs.some((p) => p.busy) && performance.now() < drainBy) await sleep(10);
  const stuck = pairs.filter((p) => p.busy).length;
  if (stuck > 0) counters.error('stuck', `${stuck} setups unfinished 10 s after the phase`);
  const sorted = Array.from(Float64Array.from(counters.latencies).sort());
  const window = (counters.to - counters.from) / 1000;
  return {
    seconds: window,
    started: counters.started,
    setups: counters.setups,
    completed: counters.completed,
    messages: counters.messages,
    framesOut: counters.framesOut,
    framesIn: counters.framesIn,
    latency: { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN },
    asked: paced ? (rate ?? 0) : null,
    missedStarts,
    validated: counters.validated,
    rateWaits: counters.rateWaits,
    errors: Object.fromEntries(counters.errors),
    errorSamples: counters.samples,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (t1 - counters.from)) * 100,
    elu: elu.utilization,
  };
}

async function disconnect(): Promise<Record<string, unknown>> {
  if (pingTimer) clearInterval(pingTimer);
  pingTimer = null;
  // Closes from here on are ours, not the target's: not errors.
  for (const pair of pairs) pair.broken = true;
  const closing = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.closed) return resolve();
        ws.onClose = () => resolve();
        ws.close();
      }),
  );
  const timer = setTimeout(() => sockets.forEach((ws) => ws.terminate()), 3000);
  await Promise.all(closing);
  clearTimeout(timer);
  sockets = [];
  pairs = [];
  return {};
}

serve(async (request) => {
  switch (request.cmd) {
    case 'connect':
      return connect(request);
    case 'run':
      return { ...(await run(request)) };
    case 'disconnect':
      return disconnect();
    case 'stop':
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${request.cmd}`);
  }
});
process.send?.({ type: 'ready' });
