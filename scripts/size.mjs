// Measures what the package costs a browser app: the root entry bundled with its dependencies
// (xstate, valibot), minified, and gzipped. `npm run size`.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const result = await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  write: false,
  metafile: true,
});
const code = result.outputFiles[0].contents;
const byPackage = {};
for (const [path, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
  const name = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'headless-calling';
  byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`headless-calling (root entry, browser): ${kb(code.length)} minified, ${kb(gzipSync(code, { level: 9 }).length)} gzipped`);
for (const [name, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(18)} ${kb(bytes)} minified`);
