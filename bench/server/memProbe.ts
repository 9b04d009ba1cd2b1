/**
 * What one logged-in client costs each target, without the load: RSS and live heap after full
 * GCs, before and after N clients log in (the figures `bench:server` reads, minus the phases),
 * the young generation's share of the RSS, and, with `--snapshots <dir>`, a heap snapshot of each
 * target idle and with every client logged in (to count what each session object holds).
 *
 * `npx tsx bench/server/memProbe.ts [--clients 2000] [--target bare,ours] [--snapshots <dir>] [--json]`
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVER_NODE_FLAGS } from '../../server/nodeFlags';
import { liveHeap, type MemFigures, type Ready, startChild } from './ipc';

const SDKAPPID = 1400000042;
const HERE = import.meta.dirname;

/** Per logged-in client, in KB. */
export interface ClientCost {
  readonly rss: number;
  readonly heap: number;
  /** Of `rss`, V8's young generation growing meanwhile. */
  readonly young: number;
}

const young = (m: MemFigures) => (m.spaces.new_space ?? 0) + (m.spaces.new_large_object_space ?? 0);

const { values } = parseArgs({
  options: { clients: { type: 'string' }, snapshots: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } },
});
const clients = Number(values.clients ?? 2000);
const secretKey = randomBytes(32).toString('hex');
const generator = startChild('load generator', resolve(HERE, 'loadGen.ts'));
const out: Record<string, ClientCost> = {};
try {
  await generator.first;
  for (const target of (values.target ?? 'bare,ours').split(',')) {
    const dir = mkdtempSync(join(tmpdir(), 'hc-mem-probe-'));
    const child =
      target === 'bare'
        ? startChild('bare relay', resolve(HERE, 'bareRelay.ts'))
        : startChild('server', resolve(HERE, 'serverUnderTest.ts'), [String(clients), join(dir, 'calling.db'), String(SDKAPPID)], { HC_SECRET_KEY: secretKey }, SERVER_NODE_FLAGS);
    try {
      const ready = (await child.first) as Ready;
      const mem = () => child.ask<MemFigures>({ cmd: 'mem' });
      const snapshot = async (name: string) => {
        if (values.snapshots) await child.ask({ cmd: 'snapshot', path: join(values.snapshots, `${target}-${name}.heapsnapshot`) });
      };
      const idle = await mem();
      await snapshot('idle');
      await generator.ask({ cmd: 'connect', dialect: target, url: ready.url, clients, rate: { perSecond: 50, burst: 200 }, sdkAppId: SDKAPPID, secretKey });
      const loggedIn = await mem();
      await snapshot('loggedin');
      const kb = (n: number) => n / 1024 / clients;
      out[target] = { rss: kb(loggedIn.rss - idle.rss), heap: kb(liveHeap(loggedIn) - liveHeap(idle)), young: kb(young(loggedIn) - young(idle)) };
      await generator.ask({ cmd: 'disconnect' });
    } finally {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await generator.stop();
}
if (values.json) console.log(JSON.stringify({ clients, perClientKB: out }));
else {
  for (const [target, c] of Object.entries(out)) {
    console.log(`${target.padEnd(5)} per logged-in client: RSS ${c.rss.toFixed(2)} KB (young generation ${c.young.toFixed(2)} of it), live heap ${c.heap.toFixed(2)} KB`);
  }
}
