/**
 * What the server's young collections promoted per setup in `bench:server`'s closed loop, read from its log:
 *
 * `BENCH_NODE_FLAGS="--trace-gc --trace-gc-nvp" npm run bench:server -- --rounds 1 > run.log; npx tsx bench/server/promoted.ts run.log`
 *
 * With those flags every child (load generator, bare relay, server) prints a line per collection (`--trace-gc-nvp`: name=value
 * pairs, a scavenge's `promoted=` bytes among them). The server is the process with the most lines that printed none
 * before the bare relay's round ended; its closed loop lies between the bench's third and fourth heap reading, each two
 * full collections back to back (`memAfterGc`: ipc.ts). Printed: its scavenges there, their mean pause, the share of the
 * window in collections' pauses, and the bytes promoted per second divided by the round's closed-loop setups/s. A
 * scavenge costs what survives it, and what it promotes dies later in the old generation, at a mark-compact's cost.
 * Single rounds only (`--rounds 1`): the setups/s are read from the round's line.
 */
import { readFileSync } from 'node:fs';

interface Collection {
  readonly line: number;
  /** ms since the process started. */
  readonly t: number;
  readonly fields: Readonly<Record<string, string>>;
}

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/server/promoted.ts <log of bench:server with --trace-gc-nvp>');
const text = readFileSync(file, 'utf8');
const lines = text.split('\n');
const bareEnded = lines.findIndex((l) => l.includes('round 1 bare relay:'));
const rate = Number(/round 1 server\s*: (\d+) setups\/s/.exec(text)?.[1]);
if (bareEnded < 0 || !(rate > 0)) throw new Error('no single round of both targets in this log (run with --rounds 1)');
const byPid = new Map<string, Collection[]>();
lines.forEach((l, line) => {
  const m = /^\[(\d+):0x[0-9a-f]+\]\s+(\d+) ms: (pause=.*)$/.exec(l);
  if (!m) return;
  const fields = Object.fromEntries((m[3] as string).split(' ').map((kv) => kv.split('=') as [string, string]));
  const list = byPid.get(m[1] as string) ?? [];
  byPid.set(m[1] as string, list);
  list.push({ line, t: Number(m[2]), fields });
});
const [pid, server] = [...byPid].filter(([, list]) => (list[0]?.line ?? 0) > bareEnded).sort((a, b) => b[1].length - a[1].length)[0] ?? [];
if (!pid || !server) throw new Error('no collections of the server in this log (BENCH_NODE_FLAGS="--trace-gc --trace-gc-nvp")');
// A heap reading: a mark-compact right after another (no scavenge between, little time).
const readings: number[] = [];
for (let k = 1; k < server.length; k++) {
  const [a, b] = [server[k - 1] as Collection, server[k] as Collection];
  if (a.fields.gc === 'mc' && b.fields.gc === 'mc' && Number(b.fields.mutator) < 20 && b.t - a.t < 400) readings.push(k);
}
const [from, to] = [readings[2], readings[3]];
if (from === undefined || to === undefined) throw new Error(`found ${readings.length} heap readings in the server's collections, not the 4 of a round`);
const window = server.slice(from + 1, to - 1);
const seconds = ((server[to - 1] as Collection).t - (server[from] as Collection).t) / 1000;
const scavenges = window.filter((c) => c.fields.gc === 's');
const sum = (list: readonly Collection[], field: string) => list.reduce((n, c) => n + Number(c.fields[field]), 0);
console.log(
  JSON.stringify({
    pid: Number(pid),
    closedLoopSeconds: Number(seconds.toFixed(2)),
    setupsPerSecond: rate,
    scavenges: scavenges.length,
    meanScavengeMs: Number((sum(scavenges, 'pause') / scavenges.length).toFixed(2)),
    markCompacts: window.filter((c) => c.fields.gc === 'mc').length,
    pausesShare: Number((sum(window, 'pause') / (seconds * 1000)).toFixed(3)),
    promotedKBPerSetup: Number((sum(scavenges, 'promoted') / seconds / rate / 1024).toFixed(2)),
  }),
);
