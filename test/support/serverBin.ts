/**
 * How tests start the server as a process of its own: the bin `npm run build` made (`server/dist/bin.js`, what
 * `headless-calling-server` runs) when it is newer than every source it bundles, else the source through tsx's
 * loader. `npm test` builds first, so its runs take the build: tsx's loader and transform cost each start
 * 0.6-1 s of CPU (0.75 against 1.3-1.8 s to listening, 2026-12-06), and the cluster tiers start dozens of nodes.
 * A single file run after an edit, without a build, still runs the edited source.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'server/dist/bin.js');

/** The newest modification time of the .ts files under `dir` (build output and dependencies left out). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

let chosen: readonly string[] | null = null;

/** The arguments for `node` (run in the repository's root) that start the server's command line. */
export function serverBinArgs(): readonly string[] {
  if (chosen) return chosen;
  // The bin bundles server/ and, of the client's folders, adapters/ (the wire protocol, the answer ledger).
  const fresh = existsSync(BUILT) && statSync(BUILT).mtimeMs >= Math.max(newest(join(ROOT, 'server')), newest(join(ROOT, 'adapters')));
  chosen = fresh ? [BUILT] : ['--import', 'tsx', 'server/bin.ts'];
  return chosen;
}
