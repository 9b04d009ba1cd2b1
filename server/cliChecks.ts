/**
 * What the command line checks before and while it starts the server, so that every
 * misconfiguration ends in one plain line (exit code 2) instead of a stack trace, and the URLs
 * it prints are ones a person can open.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeIdTaken } from './cluster/nodeId';
import { LimitsError } from './limits';
import type { ServerOptions } from './options';

/** A misconfiguration the user can fix: its message is printed as one line, the exit code is 2. */
export class CliError extends Error {
  override name = 'CliError';
}

const fsReason = (error: unknown): string => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or folder',
  };
  return reasons[code] ?? (error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
};

/** `--static`: the folder must exist. */
export function checkStaticDir(dir: string | undefined): void {
  if (!dir) return;
  if (!existsSync(dir)) throw new CliError(`--static ${dir}: no such folder (npm start builds the demo into demo/dist)`);
  if (!statSync(dir).isDirectory()) throw new CliError(`--static ${dir}: not a folder`);
}

/**
 * `--db`: its folder is created if missing; the file (and its folder, for SQLite's journal)
 * must be readable and writable. Opening it is the final word (see {@link explainStartError}).
 */
export function checkDatabasePath(dbPath: string): void {
  if (dbPath === ':memory:') return;
  // `--db ./data/` would have SQLite create a file named `data` (the slash dropped): say what to write instead.
  if (/[\\/]$/.test(dbPath) || (existsSync(dbPath) && statSync(dbPath).isDirectory())) {
    throw new CliError(`--db ${dbPath}: names a folder, not a file: give a file in it (--db ${join(dbPath, 'calling.db')})`);
  }
  const dir = dirname(dbPath);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new CliError(`--db ${dbPath}: cannot create the folder ${dir}: ${fsReason(error)}`);
  }
  try {
    if (existsSync(dbPath)) accessSync(dbPath, constants.R_OK | constants.W_OK);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new CliError(`--db ${dbPath}: cannot read and write it: ${fsReason(error)}`);
  }
}

/** Turns an error of `startServer` into the one line a person needs, or `null` if it is not a known misconfiguration. */
export function explainStartError(error: unknown, options: Pick<ServerOptions, 'port' | 'host' | 'dbPath'>): string | null {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 8080}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${options.port ?? 8080} is already in use on ${options.host ?? '127.0.0.1'} (another server running?): stop it or pick another with --port`;
    case 'EACCES':
      return `no permission to listen on ${where}: pick a port above 1023 with --port`;
    case 'HC_REDIS_UNREACHABLE':
      return `${message} (is Redis running there? see --redis)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on --host ${options.host}: no such address on this machine (try 127.0.0.1 or 0.0.0.0)`;
  }
  if (error instanceof LimitsError || error instanceof NodeIdTaken) return message;
  // better-sqlite3 reports its errors with SQLITE_* codes; a locked database is another server's (a second `npm start`).
  if (code === 'SQLITE_BUSY') return `--db ${options.dbPath}: another server holds this database (stop it, or give this one its own --db)`;
  if (code.startsWith('SQLITE_')) return `--db ${options.dbPath}: cannot open the database: ${message}`;
  return null;
}

const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address);

/**
 * The HTTP URLs a person can open for a server bound to `host`: for a wildcard (`0.0.0.0`, `::`)
 * this machine's loopback and LAN addresses, else the host itself.
 */
export function openableUrls(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): Array<{ readonly url: string; readonly lan: boolean }> {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '' || host === '[::]';
  if (!wildcard) return [{ url: `http://${bracket(host)}:${port}`, lan: !isLoopback(host) && host !== 'localhost' }];
  const ipv6 = host === '::' || host === '[::]';
  const lan = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (i.family === 'IPv4' || (ipv6 && i.family === 'IPv6' && !i.address.startsWith('fe80:'))))
    .map((i) => ({ url: `http://${bracket(i.address)}:${port}`, lan: true }));
  return [{ url: `http://127.0.0.1:${port}`, lan: false }, ...lan];
}

function isLoopback(host: string): boolean {
  return host === '::1' || /^127\./.test(host);
}

/** What the CLI prints once the server listens. */
export function startBanner(options: { host: string; port: number; hasPage: boolean; version: string }, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const urls = openableUrls(options.host, options.port, interfaces);
  const lines = [`headless-calling server ${options.version} listening on ${bracket(options.host)}:${options.port}`];
  const what = options.hasPage ? 'Open' : 'HTTP';
  urls.forEach(({ url, lan }, i) => {
    const note = lan ? (options.hasPage ? '   (other devices; camera and microphone need https there, or localhost)' : '   (other devices)') : '';
    lines.push(`  ${i === 0 ? `${what}:` : ' '.repeat(what.length + 1)} ${url}${note}`);
  });
  lines.push(`  WebSocket: ${urls[0]?.url.replace(/^http/, 'ws') ?? ''}/ws`);
  return lines.join('\n');
}

/** The version of the package this file belongs to (found by walking up to its package.json). */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name?.startsWith('headless-calling') && pkg.version) return pkg.version;
      } catch {
        // not ours: keep looking
      }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
