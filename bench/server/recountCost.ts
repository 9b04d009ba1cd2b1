/**
 * What one recount of the store costs the server's only thread: `npx tsx bench/server/recountCost.ts
 * [--copies n] [--senders n] [--recipients n] [--payload n]`. Fills a fresh SQLite file (a temp dir) with `--copies`
 * C2C copies (default 1,000,000: the store's default bound, `maxStored`) from `--senders` senders (default 100: 10,000
 * each, their default quota) to `--recipients` recipients (default 1,000: 1,000 each, their default backlog) of
 * `--payload` characters (default 100), reopens it (a cold page cache of the process), then reads every count the
 * way `Mailer.recount` did until 2026-12-07 (`Store.backlogs`, `storedBytes`, `senderBacklogs`, `senderBodies`, one
 * synchronous pass) while a 100 ms interval timer, standing for the cluster's 1 s heartbeat, measures how late the
 * event loop let it run. Prints the pass's wall time, its cost per copy, and the loop's longest stall against the
 * heartbeat key's lifetime (`ALIVE_MS`, 3.5 s, `server/cluster/node.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../../server/store';

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

/** The longest gap between the ticks of a 100 ms interval while `work` runs, after it yields once. */
async function stallDuring(work: () => void): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 100);
  await new Promise((resolve) => setTimeout(resolve, 250));
  work();
  await new Promise((resolve) => setTimeout(resolve, 250));
  clearInterval(timer);
  return longest;
}

const dir = mkdtempSync(join(tmpdir(), 'hc-recount-cost-'));
try {
  const path = join(dir, 'calling.db');
  const t0 = performance.now();
  fill(path);
  const built = performance.now() - t0;
  const store = new Store(path);
  let copies = 0;
  let ms = 0;
  const stall = await stallDuring(() => {
    const start = performance.now();
    const backlogs = store.backlogs();
    store.storedBytes();
    store.senderBacklogs();
    store.senderBodies();
    ms = performance.now() - start;
    for (const b of backlogs.values()) copies += b.count;
  });
  store.close();
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`store: ${COPIES} copies (${SENDERS} senders, ${RECIPIENTS} recipients, ${payload.length}-byte payloads), built in ${(built / 1000).toFixed(1)} s`);
  console.log(`one recount, one synchronous pass: counted ${copies} copies in ${ms.toFixed(0)} ms, ${((ms * 1000) / copies).toFixed(2)} µs a copy`);
  console.log(`the event loop's longest stall meanwhile: ${stall.toFixed(0)} ms (${stall > ALIVE_MS ? 'PAST' : 'within'} the heartbeat key's lifetime, ${ALIVE_MS} ms)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
