/**
 * Every TypeScript sample of README.md and server/README.md type-checks as a user pastes it, against the
 * built package's own declarations (`headless-calling` resolved by its name to `dist/`, as an app resolves it;
 * run after `npm run build`, as `npm test` does). A sample's free names (`userSig`, `backend`, `url`, ...) are
 * declared for it with the types the text gives them; the `CallingSnapshot` sketch must be the exported type,
 * `readonly` aside. The JavaScript programs of the Quick start run in `test/readme.test.ts`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'test-artifacts/readme-snippets');

/** A fenced `ts` / `tsx` block and the line its code starts on. */
interface Sample {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

export function samples(file: string, markdown: string): Sample[] {
  return [...markdown.matchAll(/^```tsx?\n([\s\S]*?)^```/gm)].map((m) => ({ file, line: markdown.slice(0, m.index).split('\n').length + 1, code: m[1] ?? '' }));
}

/** What a sample may use without declaring it, as the text around it describes it. */
const FREE: ReadonlyArray<readonly [name: string, declaration: string]> = [
  ['TRTCCalling', "import TRTCCalling from 'headless-calling';"],
  ['webrtcBackend', "import { webrtcBackend } from 'headless-calling/embedded';"],
  ['userSig', 'declare let userSig: string;'],
  ['userID', 'declare const userID: string;'],
  ['SDKAppID', 'declare const SDKAppID: number;'],
  ['sdkAppId', 'declare const sdkAppId: number;'],
  ['secretKey', 'declare const secretKey: string;'],
  ['url', 'declare const url: string;'],
  ['backend', "declare const backend: import('headless-calling').Backend;"],
  ['calling', "declare const calling: import('headless-calling').TRTCCalling;"],
  ['render', 'declare function render(state: string, online: readonly string[]): void;'],
  ['fetchFreshUserSig', 'declare function fetchFreshUserSig(): Promise<string>;'],
  // The group sample's `alice` and `bob`: "each user's backend, the embeddedBackend(...) given to their TRTCCalling".
  ['alice', "declare const alice: import('headless-calling/embedded').EmbeddedBackend;"],
  ['bob', "declare const bob: import('headless-calling/embedded').EmbeddedBackend;"],
];

/** The README's `interface CallingSnapshot` must be the exported one, but for its `readonly`s. */
const SAME_SNAPSHOT = `
import type { CallingSnapshot as Exported } from 'headless-calling';
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const sameAsExported: Same<Mutable<Exported>, CallingSnapshot> = true;
`;

/** The sample as a module: its free names declared, `./server/index` (in a clone) pointed at the sources. */
export function asModule(code: string): string {
  const declared = (name: string) => new RegExp(`(?:\\b(?:const|let|function|interface|type|class)\\s+${name}\\b)|(?:import[^;]*\\b${name}\\b[^;]*from)`).test(code);
  const preamble = FREE.filter(([name]) => new RegExp(`(?<![.\\w'])${name}\\b(?!['\\w])`).test(code) && !declared(name)).map(([, d]) => d);
  const body = code.replace("from './server/index'", `from '${relative(DIR, join(ROOT, 'server/index')).replaceAll('\\', '/')}'`);
  return [...preamble, body, /^interface CallingSnapshot\b/m.test(code) ? SAME_SNAPSHOT : '', 'export {};'].join('\n');
}

/** Type-checks the samples as a browser app bundling them does (`Bundler`: the Tencent SDKs need it); the errors, by README line. */
export function typeErrors(all: readonly Sample[], transform: (code: string) => string = (c) => c): string[] {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const where = new Map<string, Sample>();
  all.forEach((sample, k) => {
    const path = join(DIR, `sample-${k}.ts`);
    writeFileSync(path, asModule(transform(sample.code)));
    where.set(path, sample);
  });
  const program = ts.createProgram([...where.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const sample = d.file ? where.get(resolve(d.file.fileName)) : undefined;
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    return sample ? `${sample.file}:${sample.line}: ${text}` : `${d.file?.fileName ?? ''}: ${text}`;
  });
}

describe('the READMEs\' TypeScript samples, against the built package', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const all = [...samples('README.md', readme), ...samples('server/README.md', readFileSync(join(ROOT, 'server/README.md'), 'utf8'))];
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it('each compiles as written (the built declarations; Bundler resolution, as for the Tencent SDKs)', () => {
    expect(existsSync(join(ROOT, 'dist/index.d.ts')), 'dist/ is not built: npm run build').toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(12);
    expect(all.some((s) => s.file === 'server/README.md')).toBe(true);
    expect(typeErrors(all)).toEqual([]);
  }, 60_000);

  it('fails on a sample drifted on purpose: an option misnamed, a snapshot field the type does not have', () => {
    const errors = typeErrors(all, (code) => code.replace('setFaults({ dropRate:', 'setFaults({ dropRatio:').replace('  userID: string | null;', '  userID: string;'));
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:\d+: .*'dropRatio' does not exist/), expect.stringMatching(/^README\.md:\d+: Type 'true' is not assignable to type 'false'/)]));
  }, 60_000);
});
