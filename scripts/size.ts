/**
 * `npm run size`: what the minimal app (TRTCCalling + webrtcBackend) costs a browser, from the
 * built package (dist, after `npm run build`) and from the sources, by part; `--files` lists
 * every input file. The budget is checked by test/package/bundleSize.test.ts.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BundleFrom, type Part, kb, measureMinimalApp } from './bundleSize';

const root = resolve(import.meta.dirname, '..');
const parts: Part[] = ['headless-calling', 'xstate', 'valibot', 'other'];
const sources: BundleFrom[] = existsSync(join(root, 'dist/embedded.js')) ? ['dist', 'src'] : ['src'];

for (const from of sources) {
  const size = await measureMinimalApp(root, from);
  console.log(`minimal app (TRTCCalling + webrtcBackend) from ${from === 'dist' ? 'the built package' : 'the sources'}: ${kb(size.minified)} minified, ${kb(size.gzipped)} gzipped`);
  for (const part of parts) {
    if (size.minifiedBy[part] === 0) continue;
    const gz = part === 'headless-calling' ? 'gzipped alone' : 'gzipped (what the bundle loses without it)';
    console.log(`  ${part.padEnd(17)} ${kb(size.minifiedBy[part]).padStart(8)} minified ${kb(size.gzippedBy[part]).padStart(8)} ${gz}`);
  }
  if (from === 'src' && process.argv.includes('--files')) {
    for (const [path, bytes] of Object.entries(size.inputs).sort((a, b) => b[1] - a[1])) console.log(`    ${String(bytes).padStart(6)} ${path}`);
  }
}
if (sources.length === 1) console.log('(npm run build first to measure the built package)');
