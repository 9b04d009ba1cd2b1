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

/** Sums the self sizes of a snapshot's nodes but those of the types V8 keeps for itself (code, hidden, synthetic). */
const SUM = `
const s = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
const fields = s.snapshot.meta.node_fields, types = s.snapshot.meta.node_types[0];
const type = fields.indexOf('type'), size = fields.indexOf('self_size'), skip = new Set(['code', 'hidden', 'synthetic']);
let bytes = 0;
for (let i = 0; i < s.nodes.length; i += fields.length) if (!skip.has(types[s.nodes[i + type]])) bytes += s.nodes[i + size];
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
