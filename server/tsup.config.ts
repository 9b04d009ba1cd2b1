import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The `headless-calling-server` package: its command line, one Node ESM file. The wire protocol
 * (`../adapters/ws/protocol.ts`, shared with the client in the root package) is bundled in, so
 * the published server depends on neither the client package nor its folders, and always speaks
 * exactly the protocol it was built with. Its own dependencies stay in node_modules: they are
 * named here rather than read from a package.json, so the build is the same whichever folder
 * runs it (`npm run build` in server/, or a test building from the root).
 */
export default defineConfig({
  entry: { bin: here('./bin.ts') },
  outDir: here('./dist'),
  external: ['ws', 'better-sqlite3', 'valibot', 'ioredis'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  dts: false,
  // No source maps: the bundle is unminified, readable JS close to the TypeScript it comes from.
  sourcemap: false,
  // `env -S` splits the line, so the bin runs with the server's Node flags: those of
  // server/nodeFlags.ts (written out here, as a build configuration imports only tsup and node;
  // test/package/pack.test.ts holds the two together).
  banner: { js: '#!/usr/bin/env -S node --max-semi-space-size=4 --single-threaded-gc --no-allocation-site-pretenuring' },
});
