/**
 * What a message in flight keeps alive in the server, measured without the load (issue 14: the server's young
 * collections cost what survives them, and what survives is what a message keeps for the 60-250 ms it is in flight).
 *
 * `npx tsx bench/server/inflightProbe.ts [--pairs 1000] [--rows 14] [--snapshots <dir>] [--json]`
 *
 * A child process (bundled as the bench bundles its server, with the bin's Node flags and `--expose-gc`) starts the real
 * server in-process (`startServer`, the bench's raised per-IP flags read from `--help`, write-behind at its default
 * window) on a simulated clock that never moves, so that nothing is written or expired by time: what is held stays held
 * until a receipt. `--pairs` callers and callees log in over real WebSockets (the bench's raw client) and take one 1v1
 * setup, frame by frame as `bench:server`'s pairs send them, stopping at each of these states for every pair at once:
 *
 * - `invite`: the caller's invite sent and handed to the callee, unconfirmed (held, the caller's ack waits for it);
 * - `accept`: the callee's accept sent with the invite's receipt folded in (the invite settled and acked, its reply
 *   remembered; the accept held, handed to the caller);
 * - `hangup`: the caller's hangup sent with the accept's receipt folded in (the accept acked; the hangup held);
 * - `settled`: the callee's receipt of the hangup (every message confirmed, never written; the three acks remembered
 *   until each client's next request says it has them).
 *
 * At each, after two full GCs: the live heap beyond the logged-in baseline, per pair. With `--rows`, a heap snapshot of
 * each state (and of the baseline) is read and its objects counted by constructor (strings by kind), and the largest
 * differences per pair are printed. The figures do not depend on the machine's load: run it before and after a change.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { USAGE, parseCli } from '../../server/cli';
import { silentLogger, startServer } from '../../server/index';
import { SERVER_NODE_FLAGS } from '../../server/nodeFlags';
import { signUserSig } from '../../server/userSig';
import { liveHeap, memAfterGc, serve, startChild } from './ipc';
import { callerID, calleeID, callFrames, type CallFrames, loginFrame, receiptFrame } from './payloads';
import { RawWebSocket } from './rawWs';
import { raisedFlags } from './serverFlags';

const SDKAPPID = 1400000042;
const STATES = ['invite', 'accept', 'hangup', 'settled'] as const;
type State = (typeof STATES)[number];
/** Pairs that take a setup before the baseline (see {@link child}). */
const WARM_PAIRS = 100;

/** Objects of one kind in a heap snapshot: how many, and their own bytes. */
type Census = Map<string, [count: number, bytes: number]>;

/** What the child answers: the live heap of each state, and the snapshot files when asked. */
interface Measured {
  readonly heap: Record<'baseline' | State, number>;
  readonly snapshots: Partial<Record<'baseline' | State, string>>;
}

/** One client: its socket, the last `seq` it got, and a waiter for the next frame of a type. */
class Peer {
  seq = 0;
  private readonly waiting = new Map<string, () => void>();
  constructor(
    readonly user: string,
    readonly ws: RawWebSocket,
  ) {
    ws.onText = (text) => {
      const frame = JSON.parse(text) as { type: string; seq?: number; code?: string; message?: string };
      if (frame.type === 'error') throw new Error(`${user} was refused: ${frame.code} ${frame.message}`);
      if (frame.seq !== undefined) this.seq = frame.seq;
      const done = this.waiting.get(frame.type);
      this.waiting.delete(frame.type);
      done?.();
    };
  }

  /** Resolves on the next frame of `type` (`ack`, `message`, `loggedIn`). */
  next(type: string): Promise<void> {
    return new Promise((done) => this.waiting.set(type, done));
  }
}

/** A pair's clients and the texts of its requests, without their `rid` and `}` (the receipt folded in first, when one is). */
interface Pair {
  readonly caller: Peer;
  readonly callee: Peer;
  readonly invite: string;
  readonly accept: string;
  readonly hangup: string;
}

/**
 * The texts a pair sends, made before the baseline: a slice of a prefix flattens it in place (its rope becomes a flat
 * copy that the rope object still holds), and done during the setup, the probe's own strings counted as the server's.
 */
function texts(call: CallFrames): Pick<Pair, 'invite' | 'accept' | 'hangup'> {
  return { invite: call.invitePrefix, accept: call.acceptPrefix.slice(1), hangup: call.hangupPrefix.slice(1) };
}

/** Every pair takes one setup, frame by frame as `bench:server`'s pairs send them, `at` each state for all of them at once. */
async function setup(pairs: readonly Pair[], at: (state: State) => void): Promise<void> {
  const all = async (waits: Promise<unknown>[]) => {
    await Promise.all(waits);
    // The turn's commit and what it writes are done (a commit is one `setImmediate` away).
    await new Promise((done) => setImmediate(done));
    await new Promise((done) => setImmediate(done));
  };
  // The caller's invite (rid 2), handed to the callee, unconfirmed.
  await all(pairs.map(({ caller, callee, invite }) => {
    const got = callee.next('message');
    caller.ws.send(`${invite}2}`);
    return got;
  }));
  at('invite');
  // The callee's accept (rid 2) with the invite's receipt: the caller gets its ack and the accept.
  await all(pairs.map(({ caller, callee, accept }) => {
    const got = Promise.all([caller.next('ack'), caller.next('message')]);
    callee.ws.send(`{"received":${callee.seq},${accept}2}`);
    return got;
  }));
  at('accept');
  // The caller's hangup (rid 3) with the accept's receipt: the callee gets the accept's ack and the hangup.
  await all(pairs.map(({ caller, callee, hangup }) => {
    const got = Promise.all([callee.next('ack'), callee.next('message')]);
    caller.ws.send(`{"received":${caller.seq},${hangup}3}`);
    return got;
  }));
  at('hangup');
  // The callee confirms the hangup alone: the caller gets the hangup's ack.
  await all(pairs.map(({ caller, callee }) => {
    const got = caller.next('ack');
    callee.ws.send(receiptFrame(callee.seq));
    return got;
  }));
  at('settled');
}

/** The child: the server and its clients in one process, measured at each state. */
async function child(pairs: number, snapshots: string | undefined): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'hc-inflight-'));
  const secretKey = randomBytes(32).toString('hex');
  const argv = ['--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'calling.db'), '--sdkappid', String(SDKAPPID)];
  for (const r of raisedFlags(USAGE, (pairs + WARM_PAIRS) * 2)) argv.push(`--${r.flag}`, String(r.value));
  const parsed = parseCli(argv, { HC_SECRET_KEY: secretKey });
  if (!parsed.ok) throw new Error(parsed.text);
  const now = Date.now();
  const server = await startServer({ ...parsed.options, clock: new SimulatedClock(now), logger: silentLogger });
  const heap = {} as Record<'baseline' | State, number>;
  const files: Partial<Record<'baseline' | State, string>> = {};
  const measure = (state: 'baseline' | State) => {
    heap[state] = liveHeap(memAfterGc());
    if (snapshots) files[state] = writeHeapSnapshot(join(snapshots, `inflight-${state}.heapsnapshot`));
  };
  try {
    const login = async (user: string) => {
      const peer = new Peer(user, await RawWebSocket.open(server.url));
      const loggedIn = peer.next('loggedIn');
      peer.ws.send(loginFrame(1, user, signUserSig({ sdkAppID: SDKAPPID, secretKey }, user, 86_400, now)));
      await loggedIn;
      return peer;
    };
    const pairsOf = async (first: number, n: number) => {
      const out: Pair[] = [];
      for (let i = first; i < first + n; i++) out.push({ caller: await login(callerID(i)), callee: await login(calleeID(i)), ...texts(callFrames(callerID(i), calleeID(i))) });
      return out;
    };
    // Pairs of their own take a setup first, so that what the server compiles and caches on its first messages is in the baseline.
    const warm = await pairsOf(pairs, WARM_PAIRS);
    await setup(warm, () => undefined);
    const measured = await pairsOf(0, pairs);
    measure('baseline');
    await setup(measured, measure);
    for (const { caller, callee } of [...warm, ...measured]) {
      caller.ws.terminate();
      callee.ws.terminate();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { heap, snapshots: files };
}

/**
 * Counts a snapshot's objects by kind: a plain object by its property names, any other by its constructor (strings by
 * their kind), each with what first holds it (`<- Holder.edge`, weak edges left out): a Map's table, a closure's context.
 */
function census(path: string): Census {
  type Snapshot = { snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } }; nodes: number[]; edges: number[]; strings: string[] };
  const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const { node_fields: nf, node_types: [types], edge_fields: ef, edge_types: [edgeTypes] } = s.snapshot.meta;
  const [ti, ni, si, ci] = [nf.indexOf('type'), nf.indexOf('name'), nf.indexOf('self_size'), nf.indexOf('edge_count')];
  const [eti, eni, eto] = [ef.indexOf('type'), ef.indexOf('name_or_index'), ef.indexOf('to_node')];
  const label = (node: number): string => {
    const type = types[s.nodes[node + ti] as number] as string;
    const name = s.strings[s.nodes[node + ni] as number] as string;
    if (type === 'string' || type.endsWith(' string') || type === 'number') return `(${type})`;
    if (type === 'closure') return `closure ${name || '(anonymous)'}`;
    return type === 'object' ? name : `${type} ${name}`;
  };
  const props = new Map<number, string[]>();
  const holder = new Map<number, string>();
  for (let node = 0, edge = 0; node < s.nodes.length; node += nf.length) {
    const count = s.nodes[node + ci] as number;
    const own: string[] = [];
    for (let k = 0; k < count; k++, edge += ef.length) {
      const type = edgeTypes[s.edges[edge + eti] as number] as string;
      if (type === 'weak') continue;
      const to = s.edges[edge + eto] as number;
      const edgeName = type === 'element' || type === 'hidden' ? `[${type}]` : String(s.strings[s.edges[edge + eni] as number]);
      if (type === 'property') own.push(edgeName);
      if (!holder.has(to)) holder.set(to, `${label(node)}.${edgeName}`);
    }
    if (own.length > 0 && label(node) === 'Object') props.set(node, own);
  }
  const out: Census = new Map();
  for (let node = 0; node < s.nodes.length; node += nf.length) {
    const own = props.get(node);
    const key = `${own ? `{${own.join(',')}}` : label(node)} <- ${holder.get(node) ?? '?'}`;
    const row = out.get(key) ?? [0, 0];
    row[0]++;
    row[1] += s.nodes[node + si] as number;
    out.set(key, row);
  }
  return out;
}

if (process.env.HC_INFLIGHT_CHILD === '1') {
  serve(async (request) => ({ ...(await child(Number(request.pairs), request.snapshots as string | undefined)) }));
} else {
  const { values } = parseArgs({ options: { pairs: { type: 'string' }, rows: { type: 'string' }, snapshots: { type: 'string' }, json: { type: 'boolean' } } });
  const pairs = Number(values.pairs ?? 1000);
  const rows = Number(values.rows ?? 14);
  const scratch = rows > 0 && values.snapshots === undefined ? mkdtempSync(join(tmpdir(), 'hc-inflight-snap-')) : undefined;
  const snapshots = values.snapshots ?? scratch;
  const proc = startChild('inflight probe', resolve(import.meta.dirname, 'inflightProbe.ts'), [], { HC_INFLIGHT_CHILD: '1' }, SERVER_NODE_FLAGS);
  try {
    const measured = await proc.ask<Measured>({ cmd: 'run', pairs, ...(snapshots === undefined ? {} : { snapshots }) });
    const perPair = Object.fromEntries(STATES.map((s) => [s, Math.round((measured.heap[s] - measured.heap.baseline) / pairs)]));
    const base = measured.snapshots.baseline ? census(measured.snapshots.baseline) : null;
    const kinds: Record<string, [string, number, number][]> = {};
    for (const state of STATES) {
      const file = measured.snapshots[state];
      if (!base || !file) continue;
      const diff: [string, number, number][] = [];
      for (const [key, [count, bytes]] of census(file)) {
        const [c0, b0] = base.get(key) ?? [0, 0];
        if (bytes - b0 !== 0) diff.push([key, (count - c0) / pairs, (bytes - b0) / pairs]);
      }
      kinds[state] = diff.sort((x, y) => y[2] - x[2]).slice(0, rows);
    }
    if (values.json) console.log(JSON.stringify({ pairs, perPairBytes: perPair, kinds }));
    else {
      console.log(`${pairs} pairs, one setup each stopped at every state; live heap beyond the logged-in baseline, per pair (after full GCs):`);
      for (const state of STATES) {
        console.log(`  ${state.padEnd(8)} ${String(perPair[state]).padStart(6)} B`);
        for (const [key, count, bytes] of kinds[state] ?? []) console.log(`      ${bytes.toFixed(0).padStart(6)} B ${count.toFixed(2).padStart(6)} x ${key.slice(0, 140)}`);
      }
    }
  } finally {
    await proc.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
