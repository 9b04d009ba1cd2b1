/**
 * Helpers of the package tests: `npm pack` of the client (the root) or the server workspace,
 * reusing what `npm run build` built (no lifecycle script runs), and what a tarball holds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** One file of a tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** What `npm pack --json` says of a tarball. */
export interface Packed {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
  /** Absolute path of the tarball. */
  readonly tarball: string;
}

/** A package.json, as far as these tests read it. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly bin?: Record<string, string>;
  readonly scripts?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
}

/** npm, quiet, with the caller's environment (so its cache and registry settings hold). */
export function npm(args: readonly string[], cwd: string): string {
  return execFileSync('npm', [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' },
  });
}

/** The files a built package must have before it is packed. */
const BUILT = { client: ['dist/index.js', 'dist/embedded.cjs'], server: ['server/dist/bin.js'] } as const;

/** Packs the client (`client`) or the server workspace (`server`) into `dest`. */
export function pack(which: 'client' | 'server', dest: string): Packed {
  const missing = BUILT[which].filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first (npm test does)`);
  mkdirSync(dest, { recursive: true });
  const workspace = which === 'server' ? ['--workspace', 'server'] : [];
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dest, ...workspace], ROOT)) as Omit<Packed, 'tarball'>[];
  if (!packed) throw new Error('npm pack printed no package');
  return { ...packed, tarball: join(dest, packed.filename) };
}

/** Unpacks a tarball into `dir` (emptied first); its files land in `dir/package`. */
export function unpack(tarball: string, dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}

/** Reads a JSON file. */
export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/**
 * A tarball's file list with build hashes replaced by `[hash]` (`dist/chunk-[hash].js`), each once:
 * the list stays the same while the code changes, and changes when a file comes or goes.
 */
export function fileList(files: readonly PackedFile[]): string[] {
  const names = files.map(({ path }) =>
    path.replace(/^dist\/chunk-[A-Z0-9]+\.(c?js)$/, 'dist/chunk-[hash].$1').replace(/^(dist\/\w+)-[\w-]{8}(\.d\.c?ts)$/, '$1-[hash]$2'),
  );
  return [...new Set(names)].sort();
}

/** The version of a changelog's newest entry (`## 0.1.0 ...`). */
export function newestChangelogVersion(text: string): string | undefined {
  return /^## (\d+\.\d+\.\d+\S*)/m.exec(text)?.[1];
}

/** Lifecycle scripts npm runs when a package is installed from a registry or a tarball. */
export const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;
