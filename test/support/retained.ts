/**
 * The bytes a process keeps, as a heap snapshot counts them (it collects garbage first), without V8's compiled
 * code and its own internals. `memoryInUse()` (`test/security/support.ts`) counts those too, and they grow as
 * functions tier up: over a batch of 500 calls of the memory world, 50-250 KiB of code and deoptimization data
 * swung the heap past what a leak of 80 bytes a call adds (40 KiB). The snapshot is read by another process: read
 * here, its own reading (JSON.parse of 30 MB, the loop's feedback) left tens of KiB behind for the next measure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';

/**
 * Sums the self sizes of a snapshot's nodes but those of the types V8 keeps for itself (code, hidden, synthetic). It
 * reads the nodes' numbers straight from the file's bytes: `JSON.parse` of the whole snapshot (its edges and strings
 * too, 30-70 MB) took 3.8 s of a 73 MB one at load 8, this 0.8 s for the same sum (2026-12-07).
 */
const SUM = `
const data = require('node:fs').readFileSync(process.argv[1]);
const at = data.indexOf('"nodes":[');
const head = data.toString('utf8', 0, at);
const { meta } = JSON.parse(head.slice(0, head.lastIndexOf(',')) + '}').snapshot;
const fields = meta.node_fields, width = fields.length, type = fields.indexOf('type'), size = fields.indexOf('self_size');
if (at < 0 || !(type >= 0 && type < size)) throw new Error('not a heap snapshot of the known layout: ' + fields);
const skip = meta.node_types[0].map((t) => t === 'code' || t === 'hidden' || t === 'synthetic');
let bytes = 0, field = 0, n = 0, kind = 0;
for (let i = at + 9; i < data.length; i++) {
  const c = data[i];
  if (c >= 48 && c <= 57) n = n * 10 + c - 48;
  else if (c === 44 || c === 93) {
    if (field === type) kind = n;
    else if (field === size && !skip[kind]) bytes += n;
    n = 0;
    field = field + 1 === width ? 0 : field + 1;
    if (c === 93) break;
  }
}
process.stdout.write(String(bytes));
`;

/** Bytes of the program's own objects, strings and arrays alive now (after a full collection). */
export function retainedData(): number {
  const dir = mkdtempSync(join(tmpdir(), 'hc-heap-'));
  try {
    const file = v8.writeHeapSnapshot(join(dir, 'now.heapsnapshot'));
    return Number(execFileSync(process.execPath, ['--max-old-space-size=2048', '-e', SUM, file], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
