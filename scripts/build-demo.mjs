#!/usr/bin/env node
/**
 * Builds the demo page into demo/dist (served at `/` by `npm start`): esbuild bundles
 * demo/main.ts with the package's public entry points resolved to src/, and the static files
 * are copied next to it. Usage: node scripts/build-demo.mjs [--outdir dir]
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--outdir');
const outdir = resolve(root, i > 0 ? process.argv[i + 1] : 'demo/dist');

/** The public entry points, resolved to the sources (the demo is built with the package, not from dist). */
export const PUBLIC_ALIASES = {
  'headless-calling/embedded': join(root, 'src/embedded.ts'),
  'headless-calling/inspect': join(root, 'src/inspect.ts'),
  'headless-calling': join(root, 'src/index.ts'),
};

mkdirSync(outdir, { recursive: true });
const started = Date.now();
await build({
  entryPoints: [join(root, 'demo/main.ts')],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  alias: PUBLIC_ALIASES,
  // The Stately inspector is an optional peer, loaded only by statelyInspector(), which the demo never calls.
  external: ['@statelyai/inspect'],
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'favicon.svg']) copyFileSync(join(root, 'demo', file), join(outdir, file));
console.log(`demo built into ${outdir} in ${Date.now() - started} ms`);
