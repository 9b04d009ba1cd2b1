import { defineConfig } from 'tsup';

/**
 * The embedded server's command line, `headless-calling-server` (`bin` in package.json):
 * Node only, its dependencies (ws, better-sqlite3, valibot) left to node_modules. Built apart
 * from the library bundle, which never contains server code.
 */
export default defineConfig({
  entry: { 'server/bin': 'server/bin.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: false,
  dts: false,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
});
