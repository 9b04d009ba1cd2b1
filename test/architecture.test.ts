/**
 * The one rule of dependency (shared/design/architecture.md), enforced: each folder imports
 * only what its row of the table allows, and machines stay pure.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sources(folder: string): string[] {
  const dir = join(ROOT, folder);
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '');
}

/** What an import resolves to: `pkg:<name>` for packages, else the repo-relative path. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return `pkg:${specifier.startsWith('node:') ? 'node' : specifier.split('/')[0]}`;
  return relative(ROOT, resolve(dirname(file), specifier)).replace(/\.(js|ts)$/, '');
}

interface Rule {
  readonly packages: readonly string[];
  /** Repo paths (folders end with `/`) this folder may import. */
  readonly paths: readonly string[];
}

/** Folders (most specific first) and what they may import. Backend SDKs stay in their folder. */
const RULES: Record<string, Rule> = {
  machines: { packages: ['xstate'], paths: ['machines/'] },
  'adapters/tencent': {
    packages: ['xstate', 'valibot', 'trtc-js-sdk', 'tim-js-sdk'],
    paths: ['adapters/', 'machines/types', 'machines/events'],
  },
  adapters: { packages: ['xstate', 'valibot'], paths: ['adapters/', 'machines/types', 'machines/events'] },
  // The protocol, and the many-devices answer rule the server shares with the memory network.
  server: { packages: ['node', 'ws', 'better-sqlite3', 'valibot', 'ioredis'], paths: ['server/', 'adapters/ws/protocol', 'adapters/ws/answerLedger'] },
  src: { packages: ['xstate', 'valibot', '@statelyai'], paths: ['src/', 'machines/', 'adapters/'] },
  // The demo is an integration example: the public entry points only (checked exactly below).
  demo: { packages: ['headless-calling'], paths: ['demo/'] },
};

/** Build configurations inside a package's folder: not part of what it runs (checked on their own below). */
const BUILD_CONFIGS = ['server/tsup.config.ts'];

/** The package specifiers the demo may use. */
const DEMO_ENTRY_POINTS = ['headless-calling', 'headless-calling/embedded', 'headless-calling/inspect'];

/** A file belongs to the most specific folder of RULES that contains it. */
const owner = (file: string) =>
  Object.keys(RULES)
    .filter((folder) => relative(ROOT, file).startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length)[0];

const allowed = (rule: Rule, to: string) =>
  to.startsWith('pkg:') ? rule.packages.includes(to.slice(4)) : rule.paths.some((p) => (p.endsWith('/') ? to.startsWith(p) : to === p));

describe('architecture', () => {
  for (const [folder, rule] of Object.entries(RULES)) {
    it(`${folder}/ imports only ${[...rule.packages, ...rule.paths].join(', ')}`, () => {
      const files = existsSync(join(ROOT, folder))
        ? sources(folder).filter((file) => owner(file) === folder && !BUILD_CONFIGS.includes(relative(ROOT, file)))
        : [];
      const violations = files.flatMap((file) =>
        importsOf(file)
          .map((spec) => ({ spec, to: target(file, spec) }))
          .filter(({ to }) => !allowed(rule, to))
          .map(({ spec }) => `${relative(ROOT, file)} imports '${spec}'`),
      );
      expect(violations).toEqual([]);
    });
  }

  it('machines/ never read the clock, schedule real timers, roll dice or touch the DOM', () => {
    const impure = /\b(setTimeout|setInterval|Date\.now|new Date\(|Math\.random|performance\.now|window\.|document\.|crypto\.)/;
    const offenders = sources('machines').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: line.replace(/\/\/.*$|^\s*\*.*$/, ''), i }))
        .filter(({ line }) => impure.test(line))
        .map(({ i }) => `${relative(ROOT, file)}:${i + 1}`),
    );
    expect(offenders).toEqual([]);
  });

  it(`demo/ imports only ${DEMO_ENTRY_POINTS.join(', ')} and itself`, () => {
    const files = sources('demo').filter((file) => !relative(ROOT, file).startsWith('demo/dist/'));
    expect(files.length).toBeGreaterThan(0);
    const outside = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => !spec.startsWith('.') && !DEMO_ENTRY_POINTS.includes(spec))
        .map((spec) => `${relative(ROOT, file)} imports '${spec}'`),
    );
    expect(outside).toEqual([]);
  });

  it('a Redis script name is defined once in the server: ioredis lets a later defineCommand replace an earlier one on the same connection', () => {
    // 2026-12-06: the replica's `hcForget` (a refused claim's history) replaced the rooms' `hcForget` (a dead node's
    // member), and a node gone for good left its members in the rooms in Redis for ever.
    const names = sources('server').flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/defineCommand\(\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('build configurations import only tsup and node', () => {
    const imported = BUILD_CONFIGS.flatMap((file) => importsOf(join(ROOT, file)).map((spec) => target(join(ROOT, file), spec)));
    expect([...new Set(imported)].sort()).toEqual(['pkg:node', 'pkg:tsup']);
  });

  it('each package declares exactly what its code imports: the client xstate and valibot (SDKs as optional peers), the server ws, better-sqlite3, valibot and ioredis (cluster mode)', () => {
    const packagesOf = (folders: string[]) =>
      [
        ...new Set(
          folders.flatMap((folder) =>
            sources(folder)
              .filter((file) => !BUILD_CONFIGS.includes(relative(ROOT, file)))
              .flatMap((file) => importsOf(file).map((spec) => target(file, spec))),
          ),
        ),
      ]
        .filter((to) => to.startsWith('pkg:') && to !== 'pkg:node')
        .map((to) => to.slice(4))
        .sort();
    const manifest = (path: string) =>
      JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { dependencies?: object; peerDependencies?: object; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    const root = manifest('package.json');
    const server = manifest('server/package.json');
    expect(Object.keys(root.dependencies ?? {}).sort()).toEqual(['valibot', 'xstate']);
    expect(Object.keys(server.dependencies ?? {}).sort()).toEqual(['better-sqlite3', 'ioredis', 'valibot', 'ws']);
    const peers = Object.keys(root.peerDependencies ?? {});
    expect(peers.filter((name) => !root.peerDependenciesMeta?.[name]?.optional)).toEqual([]);
    // `@statelyai` is how the import scanner names `@statelyai/inspect` (the first path segment).
    const declaredByRoot = [...Object.keys(root.dependencies ?? {}), ...peers.map((name) => name.split('/')[0])];
    expect(packagesOf(['src', 'machines', 'adapters']).filter((name) => !declaredByRoot.includes(name))).toEqual([]);
    expect(packagesOf(['server'])).toEqual(Object.keys(server.dependencies ?? {}).sort());
  });

  it('the import scanner sees imports (a guard against a regex that matches nothing)', () => {
    const seen = importsOf(join(ROOT, 'machines/callMachine.ts'));
    expect(seen).toContain('xstate');
    expect(seen).toContain('./callModel');
  });
});
