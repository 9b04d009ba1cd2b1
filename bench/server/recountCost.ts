/**
 * What one recount of the store costs the server's only thread: `npx tsx bench/server/recountCost.ts
 * [--copies n] [--senders n] [--recipients n] [--payload n]`. Fills a fresh SQLite file (a temp dir) with `--copies`
 * C2C copies (default 1,000,000: the store's default bound, `maxStored`) from `--senders` senders (default 100: 10,000
 * each, their default quota) to `--recipients` recipients (default 1,000: 1,000 each, their default backlog) of
 * `--payload` characters (default 100), reopens it (a cold page cache of the process), then reads every count the
 * way `Mailer.recount` did until 2026-12-07 (`Store.backlogs`, `storedBytes`, `senderBacklogs`, `senderBodies`, one
 * synchronous pass) while a 100 ms interval timer, standing for the cluster's 1 s heartbeat, measures how late the
 * event loop let it run. Prints the pass's wall time, its cost per copy, and the timer's worst lateness against the
 * heartbeat key's lifetime (`ALIVE_MS`, 3.5 s, `server/cluster/node.ts`). Then counts it again as the server does since
 * then (`server/recount.ts`: steps of `SLICE_COPIES` copies on the clock's timers) and prints the same, with its steps
 * and the longest one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Backlogs } from '../../server/backlogs';
import { TurnCommit } from '../../server/commit';
import { type ServerClock, systemClock } from '../../server/options';
import { Recount, SLICE_COPIES } from '../../server/recount';
import { SenderQuotas } from '../../server/senders';
import { Store } from '../../server/store';
import { StoreCounts } from '../../server/storeCounts';

/** The heartbeat key's lifetime (`ALIVE_MS`, server/cluster/node.ts): a loop stalled longer lets it lapse. */
const ALIVE_MS = 3500;

const { values } = parseArgs({ options: { copies: { type: 'string' }, senders: { type: 'string' }, recipients: { type: 'string' }, payload: { type: 'string' } } });
const COPIES = Number(values.copies ?? 1_000_000);
const SENDERS = Number(values.senders ?? 100);
const RECIPIENTS = Number(values.recipients ?? 1000);
const payload = 'x'.repeat(Number(values.payload ?? 100));

/** Fills `path` with the copies, in transactions of 10,000 (the build is not what is measured). */
function fill(path: string): void {
  const store = new Store(path);
  const batch = 10_000;
  for (let start = 0; start < COPIES; start += batch) {
    store.transact([
      () => {
        for (let i = start; i < Math.min(COPIES, start + batch); i++) {
          const id = store.bodyID();
          store.insertBody({ id, msgID: `m${i}`, from: `s${i % SENDERS}`, groupID: null, payload, sentAt: 0, expiresAt: 9e12, call: null });
          store.insertDelivery(store.deliveryID(), `r${Math.floor(i / SENDERS) % RECIPIENTS}`, id);
        }
      },
    ]);
  }
  store.close();
}

/** How late, at most, a 100 ms interval's ticks came while `work` ran (until `done`, if it runs over turns), after it yields once. */
async function stallDuring(work: () => void, done = () => true): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 100);
    last = now;
  }, 100);
  await new Promise((resolve) => setTimeout(resolve, 250));
  work();
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 250));
  clearInterval(timer);
  return longest;
}

/** User and system CPU time, in ms. */
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'hc-recount-cost-'));
try {
  const path = join(dir, 'calling.db');
  const t0 = performance.now();
  fill(path);
  const built = performance.now() - t0;
  const store = new Store(path);
  let copies = 0;
  let ms = 0;
  const cpu0 = process.cpuUsage();
  const stall = await stallDuring(() => {
    const start = performance.now();
    const backlogs = store.backlogs();
    store.storedBytes();
    store.senderBacklogs();
    store.senderBodies();
    ms = performance.now() - start;
    for (const b of backlogs.values()) copies += b.count;
  });
  const cpu = cpuMs(process.cpuUsage(cpu0));
  // As the server does since 2026-12-07: the counts loaded (as at a start, one pass: not measured), then a recount.
  const commit = new TurnCommit((writes) => store.transact(writes), (fn) => void setImmediate(fn), () => undefined);
  const [backlogs, senders] = [new Backlogs(store), new SenderQuotas({ maxSenderStored: 1e9, maxSenderStoredBytes: 1e15, maxBacklogPerSender: 1e9, maxBacklogBytesPerSender: 1e15 }, store)];
  const counts = new StoreCounts(store.db, { sizes: store.sizesIndexed, senders: store.sendersIndexed });
  const stepMs: number[] = [];
  // The server's clock, each timer timed: a step's reads and what it replaced.
  const timed = (fn: () => void) => () => {
    const t = performance.now();
    fn();
    stepMs.push(performance.now() - t);
  };
  const clock: ServerClock = { ...systemClock, setTimeout: (fn, ms) => systemClock.setTimeout(timed(fn), ms) };
  const recount = new Recount({ counts, backlogs, senders, held: () => [], commit, clock, lost: (error) => console.error(error) });
  let sliced = { ms: 0, copies: 0 };
  const start = performance.now();
  const cpu1 = process.cpuUsage();
  const slicedStall = await stallDuring(
    () => recount.request(({ copies }) => (sliced = { ms: performance.now() - start, copies })),
    () => sliced.copies > 0,
  );
  const slicedCpu = cpuMs(process.cpuUsage(cpu1));
  store.close();
  const longest = Math.max(...stepMs);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`store: ${COPIES} copies (${SENDERS} senders, ${RECIPIENTS} recipients, ${payload.length}-byte payloads), built in ${(built / 1000).toFixed(1)} s`);
  console.log(`one recount, one synchronous pass: counted ${copies} copies in ${ms.toFixed(0)} ms, ${((ms * 1000) / copies).toFixed(2)} µs a copy (the process's CPU meanwhile: ${cpu.toFixed(0)} ms)`);
  console.log(`a 100 ms interval timer's ticks came up to ${stall.toFixed(0)} ms late (${stall > ALIVE_MS ? 'PAST' : 'within'} the heartbeat key's lifetime, ${ALIVE_MS} ms)`);
  console.log(`one recount in slices of ${SLICE_COPIES} copies: counted ${sliced.copies} copies in ${stepMs.length} steps, ${sliced.ms.toFixed(0)} ms in all, ${((sliced.ms * 1000) / sliced.copies).toFixed(2)} µs a copy (CPU ${slicedCpu.toFixed(0)} ms); the longest step ${longest.toFixed(0)} ms`);
  console.log(`a 100 ms interval timer's ticks came up to ${slicedStall.toFixed(0)} ms late (${slicedStall > ALIVE_MS ? 'PAST' : 'within'} the heartbeat key's lifetime, ${ALIVE_MS} ms)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
