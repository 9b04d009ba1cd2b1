/**
 * The README against the code, for what can be checked mechanically: the server's flag tables
 * against the flags `server/cli.ts` takes, the links and anchors, the `npm run` scripts, the
 * files it names, the entry points, the event, method and refusal tables, and the options of
 * `startServer()`. Each check also runs on a copy drifted on purpose, so that none of them passes
 * by finding nothing to check.
 * (`test/readme.test.ts` runs the Quick start; `test/diagrams.test.ts` checks the diagrams.)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromServer, UNKNOWN } from '../adapters/ws/errors';
import { ERROR_CODES } from '../adapters/ws/protocol';
import { ENV } from '../server/cli';
import { resolveOptions } from '../server/options';
import { EVENT } from '../src/events';
import { TRTCCalling } from '../src/TRTCCalling';
import { anchors, brokenLinks, documentedFlags, missingPaths, missingTestFiles, npmRunScripts, npmTestNeeds, programsTestsStart, tableRows } from './support/readmeFacts';

const ROOT = resolve(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const PACKAGE = JSON.parse(read('package.json')) as { scripts: Record<string, string>; exports: Record<string, unknown> };
/** The Markdown files whose links are checked (the CHANGELOGs quote history, not links to follow). */
const DOCS = ['README.md', 'server/README.md', 'docs/figures.md'];
const TOP_FOLDERS = ['src', 'machines', 'adapters', 'server', 'test', 'scripts', 'demo', 'examples', 'bench', 'docs'];

/** The README's flag tables against the CLI's flags (and the variable each reads), both ways. */
function flagDrift(readme: string): string[] {
  const documented = documentedFlags(readme);
  const out: string[] = [];
  for (const [flag, env] of documented) {
    if (!(flag in ENV)) out.push(`--${flag}: in the README's tables, not a flag of server/cli.ts`);
    else if (ENV[flag] !== env) out.push(`--${flag}: the README pairs it with ${env ?? 'no variable'}, the CLI with ${ENV[flag]}`);
  }
  for (const flag of Object.keys(ENV)) if (!documented.has(flag)) out.push(`--${flag}: a flag of server/cli.ts missing from the README's tables`);
  return out;
}

/** What the tests start by name that the Commands section's `npm test` line does not say it needs. */
const needsDrift = (readme: string) => programsTestsStart(ROOT).filter((program) => !npmTestNeeds(readme).includes(program)).map((program) => `${program}: the tests start it, npm test's line in Commands does not name it`);

const scriptDrift = (readme: string) => npmRunScripts(readme).filter((name) => !(name in PACKAGE.scripts)).map((name) => `npm run ${name}: no such script`);

/** `headless-calling/x` named in the README against package.json's `exports`, both ways. */
function entryPointDrift(readme: string): string[] {
  const named = new Set([...readme.matchAll(/\bheadless-calling\/([a-z]+)\b/g)].map((m) => `./${m[1]}`));
  const exported = Object.keys(PACKAGE.exports).filter((key) => key !== '.' && key !== './package.json');
  return [...[...named].filter((p) => !exported.includes(p)).map((p) => `headless-calling${p.slice(1)}: not in package.json exports`), ...exported.filter((p) => !named.has(p)).map((p) => `headless-calling${p.slice(1)}: exported, never named in the README`)];
}

/** The Events table against `EVENT`: every key with its value, both ways. */
function eventDrift(readme: string): string[] {
  const out: string[] = [];
  const documented = new Set<string>();
  for (const row of tableRows(readme, ['event', 'value'])) {
    const keys = [...(row.event ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] ?? '');
    const values = [...(row.value ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '');
    keys.forEach((key, k) => {
      documented.add(key);
      const value = values[k] ?? values[0]; // `CALL_END` = `CALLING_END`: one value for both
      if ((EVENT as Record<string, string>)[key] !== value) out.push(`${key}: the README says ${value}, EVENT says ${(EVENT as Record<string, string>)[key]}`);
    });
  }
  for (const key of Object.keys(EVENT)) if (!documented.has(key)) out.push(`${key}: in EVENT, not in the README's table`);
  return out;
}

/** The API table's methods against `TRTCCalling`, both ways (the `clock` getter is no method). */
function methodDrift(readme: string): string[] {
  const members = Object.getOwnPropertyNames(TRTCCalling.prototype).filter((name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(TRTCCalling.prototype, name)?.value === 'function');
  const documented = new Set(tableRows(readme, ['method', 'what it does']).flatMap((row) => [...(row.method ?? '').matchAll(/`(?:new )?(\w+)\(/g)].map((m) => m[1] ?? '')));
  documented.delete('TRTCCalling');
  return [...[...documented].filter((name) => !members.includes(name)).map((name) => `${name}(): in the API table, not a method of TRTCCalling`), ...members.filter((name) => !documented.has(name)).map((name) => `${name}(): a method of TRTCCalling missing from the API table`)];
}

/** The `startServer({ ... })` example against the server's options: it names each of them. */
function serverOptionDrift(readme: string): string[] {
  const example = /^const server = await startServer\(\{$([\s\S]*?)^\}\);$/m.exec(readme)?.[1] ?? '';
  const options = Object.keys(resolveOptions({ dbPath: ':memory:', sdkAppId: 1, secretKey: 'k' }));
  // Named as an option is listed, `name,` `name:` `name (`, not a word in a comment (`the group commit's turn)`).
  return options.filter((name) => !new RegExp(`\\b${name}(?=[,.:]| \\(|$)`, 'm').test(example)).map((name) => `${name}: an option of startServer() missing from the README's example`);
}

/**
 * The table of the server's refusals against the client's mapping (`fromServer`): each code with
 * the number it rejects with (`a`, `b` / `c` | `1` / `2`: the groups in order), and every code
 * that maps to a number of its own (not 65535) in the table.
 */
function refusalDrift(readme: string): string[] {
  const out: string[] = [];
  const documented = new Set<string>();
  for (const row of tableRows(readme, ['server code', '`ImPortError.code`'])) {
    const groups = (row['server code'] ?? '').split(' / ');
    const numbers = (row['`ImPortError.code`'] ?? '').split(' / ').map(Number);
    groups.forEach((group, k) => {
      for (const code of [...group.matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '')) {
        documented.add(code);
        if (!(ERROR_CODES as readonly string[]).includes(code)) out.push(`${code}: not a refusal of the protocol`);
        else if (fromServer(code as (typeof ERROR_CODES)[number], '').code !== numbers[k]) out.push(`${code}: the README says ${numbers[k]}, the client rejects with ${fromServer(code as (typeof ERROR_CODES)[number], '').code}`);
      }
    });
  }
  for (const code of ERROR_CODES) if (fromServer(code, '').code !== UNKNOWN && !documented.has(code)) out.push(`${code}: rejects with ${fromServer(code, '').code}, missing from the README's table`);
  return out;
}

/** `read`, with README.md replaced by `readme`. */
const readWith = (readme: string) => (path: string) => (path === 'README.md' ? readme : read(path));
const linkDrift = (readme: string) => DOCS.flatMap((file) => brokenLinks(ROOT, file, readWith(readme)));

describe('the README against the code', () => {
  it('documents every flag of server/cli.ts in its flag tables, with its variable, and no other', () => {
    expect(Object.keys(ENV).length).toBeGreaterThan(60);
    expect(flagDrift(README)).toEqual([]);
    expect(README).toContain('--help');
    expect(README).toContain('--version');
  });

  it('links only to files that exist and headings that exist', () => {
    expect(anchors(README).size).toBeGreaterThan(30);
    expect(linkDrift(README)).toEqual([]);
  });

  it('names only npm scripts that package.json has', () => {
    expect(npmRunScripts(README).length).toBeGreaterThan(10);
    expect(scriptDrift(README)).toEqual([]);
    expect(Object.keys(PACKAGE.scripts)).toEqual(expect.arrayContaining(['start', 'test', 'server']));
  });

  it("says what npm test needs installed: every program the tests start by name (Chromium, coturn's turnserver)", () => {
    expect(programsTestsStart(ROOT)).toEqual(expect.arrayContaining(['/usr/bin/chromium', 'turnserver']));
    expect(needsDrift(README)).toEqual([]);
  });

  it('names only repository files that exist', () => {
    expect(DOCS.flatMap((file) => missingPaths(ROOT, read(file), TOP_FOLDERS).map((path) => `${file}: ${path}`))).toEqual([]);
    expect(missingTestFiles(ROOT, README)).toEqual([]);
  });

  it('names exactly the entry points package.json exports', () => {
    expect(entryPointDrift(README)).toEqual([]);
  });

  it('lists every event with its value, every method of TRTCCalling, every option of startServer(), the codes of refusals', () => {
    expect(eventDrift(README)).toEqual([]);
    expect(refusalDrift(README)).toEqual([]);
    expect(methodDrift(README)).toEqual([]);
    expect(serverOptionDrift(README)).toEqual([]);
  });
});

describe('each check fails on a README drifted on purpose', () => {
  const drift = (from: string, to: string) => {
    expect(README).toContain(from);
    return README.replace(from, to);
  };

  it('a flag renamed, dropped, or paired with another variable', () => {
    expect(flagDrift(drift('| `--room-grace-ms` |', '| `--room-grace` |'))).toEqual([
      '--room-grace: in the README\'s tables, not a flag of server/cli.ts',
      '--room-grace-ms: a flag of server/cli.ts missing from the README\'s tables',
    ]);
    expect(flagDrift(drift('| `--max-stored` | `HC_MAX_STORED` |', '| `--max-stored` | `HC_MAX_STORE` |'))).toEqual(['--max-stored: the README pairs it with HC_MAX_STORE, the CLI with HC_MAX_STORED']);
  });

  it('a link to a file that is gone, and an anchor whose heading was renamed', () => {
    expect(linkDrift(drift('](docs/figures.md)', '](docs/figure.md)'))).toEqual(['README.md: docs/figure.md (no such file)']);
    expect(linkDrift(drift('\n### Security model\n', '\n### Threat model\n'))).toEqual(expect.arrayContaining(['README.md: #security-model (no such heading in README.md)', 'docs/figures.md: ../README.md#security-model (no such heading in README.md)']));
  });

  it("a program the tests start left out of npm test's needs", () => {
    expect(needsDrift(drift('`turnserver`', '`coturn`'))).toEqual(["turnserver: the tests start it, npm test's line in Commands does not name it"]);
  });

  it('a script that package.json does not have, a file that is not there', () => {
    expect(scriptDrift(drift('npm run test:stalls', 'npm run test:stall'))).toEqual(['npm run test:stall: no such script']);
    expect(missingPaths(ROOT, drift('`server/nodeFlags.ts`', '`server/nodeflags.ts`'), TOP_FOLDERS)).toEqual(['server/nodeflags.ts']);
    expect(missingPaths(ROOT, '`test/e2e/*.e2e.test.ts` `test/e2e/*.spec.ts`', TOP_FOLDERS)).toEqual(['test/e2e/*.spec.ts']);
    expect(missingTestFiles(ROOT, drift('`demoWords.e2e.test.ts`', '`demoWording.e2e.test.ts`'))).toEqual(['demoWording.e2e.test.ts']);
  });

  it('what it tells a newcomer outside the repository holds: no server API, the CommonJS class, HC_URL', async () => {
    // "the published headless-calling-server is the command only: its package exports no API"
    expect(README).toContain('its package exports no API');
    const server = JSON.parse(read('server/package.json')) as { exports: Record<string, unknown>; bin: Record<string, string> };
    expect({ exports: Object.keys(server.exports), bin: Object.keys(server.bin) }).toEqual({ exports: ['./package.json'], bin: ['headless-calling-server'] });
    // "require() returns the module's exports, where the class is both TRTCCalling and default"
    expect(README).toContain("const { TRTCCalling } = require('headless-calling')");
    const index = await import('../src/index');
    expect(index.default).toBe(index.TRTCCalling);
    // The server quick start says how to reach a server on another port.
    expect(read('examples/quickstart-server.mjs')).toContain('HC_URL=http://127.0.0.1:9000 node quickstart-server.mjs');
  });

  it('an entry point, an event value, a method, a refusal\'s code or a server option misnamed or left out', () => {
    expect(entryPointDrift(README.replaceAll('headless-calling/inspect', 'headless-calling/inspector'))).toEqual(['headless-calling/inspector: not in package.json exports', 'headless-calling/inspect: exported, never named in the README']);
    expect(eventDrift(drift('| `REJECT` | `onReject` |', '| `REJECT` | `onRejected` |'))).toEqual(['REJECT: the README says onRejected, EVENT says onReject']);
    expect(methodDrift(drift('| `setMicMute(isMute)` |', '| `setMicMuted(isMute)` |'))).toEqual(['setMicMuted(): in the API table, not a method of TRTCCalling', 'setMicMute(): a method of TRTCCalling missing from the API table']);
    expect(refusalDrift(drift('| `userSigWrongApp` | 70014 |', '| `userSigWrongApp` | 70013 |'))).toEqual(['userSigWrongApp: the README says 70013, the client rejects with 70014']);
    expect(refusalDrift(drift('  | `deviceInRoom` | -1402 |', '  | `deviceInRooms` | -1402 |'))).toEqual(['deviceInRooms: not a refusal of the protocol', 'deviceInRoom: rejects with -1402, missing from the README\'s table']);
    expect(serverOptionDrift(drift(' roomGraceMs, rate (', ' rate ('))).toEqual(['roomGraceMs: an option of startServer() missing from the README\'s example']);
  });
});
