/**
 * What the durable store costs per message, alone: `npx tsx bench/server/storeCost.ts [--fsync]
 * [--batch n] [--messages n]`. Stores C2C messages (a 600-character payload, one recipient) the
 * way the group commit does (server/commit.ts: `--batch` messages per transaction, default 20),
 * then removes each copy as its receipt would, in transactions of the same size, on a fresh
 * SQLite file; prints the wall time per message of each half and the process's CPU time per
 * operation (user and system: the WAL's writes are system time). `--fsync` opens the store as
 * `--fsync` does (`synchronous=FULL`). Then a cluster node's move of a copy to a stream
 * (server/cluster/mailbox.ts), `--messages` times: one copy stored for one of 1,000 users, its page
 * read (`Store.pendingFor`, 64 at most), the copy removed; prints the wall time per page read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../../server/store';

const { values } = parseArgs({ options: { fsync: { type: 'boolean' }, batch: { type: 'string' }, messages: { type: 'string' } } });
const BATCH = Number(values.batch ?? 20);
const N = Math.ceil(Number(values.messages ?? 20_000) / BATCH) * BATCH;
const dir = mkdtempSync(join(tmpdir(), 'hc-store-cost-'));
const store = new Store(join(dir, 'calling.db'), { fsync: values.fsync === true });
const payload = 'x'.repeat(600);
const copies: [number, number][] = [];

const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let b = 0; b < N / BATCH; b++) {
  const writes: (() => void)[] = [];
  for (let i = 0; i < BATCH; i++) {
    const id = store.bodyID();
    const delivery = store.deliveryID();
    copies.push([id, delivery]);
    writes.push(() => {
      store.insertBody({ id, msgID: `m-${id}`, from: 'alice', groupID: null, payload, sentAt: 1, expiresAt: 9e12, call: null });
      store.insertDelivery(delivery, 'bob', id);
    });
  }
  store.transact(writes);
}
const t1 = performance.now();
for (let b = 0; b < N / BATCH; b++) {
  const writes = copies.slice(b * BATCH, (b + 1) * BATCH).map(([id, delivery]) => () => void store.removeCopy(delivery, 'bob', id));
  store.transact(writes);
}
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
let reading = 0;
for (let i = 0; i < N; i++) {
  const id = store.bodyID();
  const delivery = store.deliveryID();
  const to = `u${i % 1000}`;
  store.transact([() => store.insertBody({ id, msgID: `m-${id}`, from: 'alice', groupID: null, payload, sentAt: 1, expiresAt: 9e12, call: null }), () => store.insertDelivery(delivery, to, id)]);
  const r0 = performance.now();
  if (store.pendingFor(to, 0, 2, 64).length !== 1) throw new Error(`the page of ${to} is not its one copy`);
  reading += performance.now() - r0;
  store.transact([() => void store.removeCopy(delivery, to, id)]);
}
store.close();
rmSync(dir, { recursive: true, force: true });
const us = (ms: number) => ((ms * 1000) / N).toFixed(1);
console.log(
  `${N} messages, ${BATCH} per transaction, synchronous=${values.fsync ? 'FULL' : 'NORMAL'}: ` +
    `store ${us(t1 - t0)} µs/message, remove ${us(t2 - t1)} µs/message (wall); ` +
    `CPU per operation: user ${(cpu.user / N / 2).toFixed(1)} µs, system ${(cpu.system / N / 2).toFixed(1)} µs; ` +
    `a page of one copy read ${us(reading)} µs (wall)`,
);
