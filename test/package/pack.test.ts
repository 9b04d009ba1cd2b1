/**
 * What `npm pack` ships, for each package: the client (`headless-calling`, the root) and the
 * server (`headless-calling-server`, the `server/` workspace). File lists are pinned (build
 * hashes aside), and so are the facts a user relies on: the license, the changelog, the
 * dependencies, no install script, no source maps. The packed server runs. Run after `npm run build`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../server/nodeFlags';
import { INSTALL_SCRIPTS, type Manifest, type Packed, ROOT, fileList, newestChangelogVersion, pack, readJson, unpack } from './packing';

const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const ROOT_MANIFEST = readJson<Manifest>(join(ROOT, 'package.json'));

let dir = '';
let client: Packed;
let server: Packed;
let clientFiles = '';
let serverFiles = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hc-pack-'));
  client = pack('client', dir);
  server = pack('server', dir);
  clientFiles = unpack(client.tarball, join(dir, 'client'));
  // Inside the repository, so that the unpacked server finds ws, better-sqlite3, valibot and ioredis in its node_modules.
  serverFiles = unpack(server.tarball, join(ROOT, 'test-artifacts/server-pack'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the client package (headless-calling)', () => {
  it('ships its five entry points as ESM and CommonJS with their types, README, LICENSE and CHANGELOG: no source maps, sources or server', () => {
    const entries = ['embedded', 'index', 'inspect', 'tencent', 'testing'].flatMap((name) => ['cjs', 'd.cts', 'd.ts', 'js'].map((ext) => `dist/${name}.${ext}`));
    expect(fileList(client.files)).toEqual(
      [
        'CHANGELOG.md',
        'LICENSE',
        'README.md',
        'package.json',
        'dist/TRTCCalling-[hash].d.cts',
        'dist/TRTCCalling-[hash].d.ts',
        'dist/backend-[hash].d.cts',
        'dist/backend-[hash].d.ts',
        'dist/chunk-[hash].js',
        'dist/chunk-[hash].cjs',
        ...entries,
      ].sort(),
    );
    console.log(`headless-calling: ${client.files.length} files, ${(client.size / 1024).toFixed(0)} KB packed, ${(client.unpackedSize / 1024).toFixed(0)} KB unpacked`);
  });

  it('its manifest: MIT, depends on xstate and valibot only, no bin, no install script', () => {
    const manifest = readJson<Manifest>(join(clientFiles, 'package.json'));
    expect(manifest.name).toBe('headless-calling');
    expect(manifest.license).toBe('MIT');
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(['valibot', 'xstate']);
    expect(manifest.bin).toBeUndefined();
    expect(INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name] !== undefined)).toEqual([]);
  });

  it('its builds import xstate and valibot from node_modules, never carry a copy', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const text = readFileSync(join(clientFiles, file), 'utf8');
      expect(text, file).toMatch(/from ['"]xstate['"]|require\(['"]xstate['"]\)/);
      expect(text, file).not.toMatch(/function createActor\(|class Actor\b/);
    }
  });
});

describe('the server package (headless-calling-server)', () => {
  it('ships one bundled file, its bin, with README, LICENSE and CHANGELOG', () => {
    expect(fileList(server.files)).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/bin.js', 'package.json']);
    console.log(`headless-calling-server: ${server.files.length} files, ${(server.size / 1024).toFixed(0)} KB packed, ${(server.unpackedSize / 1024).toFixed(0)} KB unpacked`);
  });

  it('its manifest: MIT, the bin, ws, better-sqlite3, valibot and ioredis, the client version', () => {
    const manifest = readJson<Manifest>(join(serverFiles, 'package.json'));
    expect(manifest.name).toBe('headless-calling-server');
    expect(manifest.license).toBe('MIT');
    expect(manifest.version).toBe(ROOT_MANIFEST.version);
    expect(manifest.bin).toEqual({ 'headless-calling-server': './dist/bin.js' });
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(['better-sqlite3', 'ioredis', 'valibot', 'ws']);
    expect(INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name] !== undefined)).toEqual([]);
  });

  it('the bin is a Node script with the wire protocol bundled in: it imports Node, ws, better-sqlite3, valibot and ioredis only', () => {
    const text = readFileSync(join(serverFiles, 'dist/bin.js'), 'utf8');
    expect(text.startsWith(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}\n`)).toBe(true);
    const specifiers = new Set([...text.matchAll(/^import\s[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3] ?? ''));
    const packages = [...specifiers].filter((spec) => !builtinModules.includes(spec.replace(/^node:/, '')));
    expect(packages.sort()).toEqual(['better-sqlite3', 'ioredis', 'valibot', 'ws']);
    expect(text).toContain('function parseClientFrame(');
  });

  it('npm start and npm run server run the server with the same Node flags as the bin', () => {
    expect(ROOT_MANIFEST.scripts?.start).toContain(`tsx ${SERVER_NODE_FLAGS.join(' ')} server/bin.ts `);
    // exec: npm's signal then reaches the server, not only a shell (cli.process.test.ts)
    expect(ROOT_MANIFEST.scripts?.server).toBe(`exec tsx ${SERVER_NODE_FLAGS.join(' ')} server/bin.ts`);
  });

  it('the packed bin answers --version and, started by its shebang, runs with the server\'s Node flags and serves /healthz', async () => {
    const bin = join(serverFiles, 'dist/bin.js');
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toBe(`${ROOT_MANIFEST.version}\n`);
    // Through its shebang, as `headless-calling-server` runs once npm has linked it (npm makes a bin executable on install).
    chmodSync(bin, 0o755);
    const child: ChildProcess = spawn(bin, ['--demo-signing', '--db', ':memory:', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((done, fail) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (match) done(Number(match[1]));
        });
        child.on('exit', (code) => fail(new Error(`the server exited (${code}): ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
      // The shebang gave Node the server's flags (server/nodeFlags.ts): what the process was started with.
      const cmdline = `/proc/${child.pid}/cmdline`;
      if (existsSync(cmdline)) expect(readFileSync(cmdline, 'utf8').split('\0')).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS, bin]));
    } finally {
      child.kill();
    }
  }, 30_000);
});

describe('both packages', () => {
  it('carry the same MIT LICENSE, matching their license field', () => {
    expect(LICENSE.startsWith('MIT License\n')).toBe(true);
    for (const files of [clientFiles, serverFiles]) {
      expect(readFileSync(join(files, 'LICENSE'), 'utf8')).toBe(LICENSE);
      expect(readJson<Manifest>(join(files, 'package.json')).license).toBe('MIT');
    }
  });

  it('carry a CHANGELOG whose newest entry is their version', () => {
    for (const files of [clientFiles, serverFiles]) {
      const version = readJson<Manifest>(join(files, 'package.json')).version;
      expect(newestChangelogVersion(readFileSync(join(files, 'CHANGELOG.md'), 'utf8'))).toBe(version);
    }
  });
});
