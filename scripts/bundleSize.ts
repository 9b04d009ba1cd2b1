/**
 * What the package costs a browser app. The **minimal app** is `TRTCCalling` with the embedded
 * backend's browser media (`webrtcBackend`), bundled by esbuild for the browser, minified and
 * gzipped (level 9), as an app's own build would do it. Used by `npm run size` and by the budget
 * test (`test/package/bundleSize.test.ts`).
 */
import { gzipSync } from 'node:zlib';
import { type Metafile, build } from 'esbuild';

/** The minimal app: one client with browser media, nothing else. */
export const MINIMAL_APP = `import TRTCCalling from 'headless-calling';
import { webrtcBackend } from 'headless-calling/embedded';
export const calling = new TRTCCalling({ SDKAppID: 1400000001, backend: webrtcBackend({ url: 'wss://calls.example.com/ws' }) });
`;

/**
 * Where `headless-calling` comes from: `dist`, the built package through its `exports` (what an
 * app gets; needs `npm run build`), or `src`, the sources (what each module costs, by file).
 */
export type BundleFrom = 'dist' | 'src';

/** The parts a bundle is reported in. */
export type Part = 'headless-calling' | 'xstate' | 'valibot' | 'other';

export interface BundleSize {
  /** Minified bytes. */
  readonly minified: number;
  /** Gzipped bytes (level 9). */
  readonly gzipped: number;
  /** Minified bytes by part (exact, from esbuild's metafile). */
  readonly minifiedBy: Readonly<Record<Part, number>>;
  /**
   * Gzipped bytes by part: for a package, what the bundle loses when it is left out (so the
   * parts do not add up exactly to the whole: gzip shares its dictionary across them); for
   * `headless-calling`, the bundle of our code alone.
   */
  readonly gzippedBy: Readonly<Record<Part, number>>;
  /** Minified bytes by input file (repository paths, or `node_modules/<package>/...`). */
  readonly inputs: Readonly<Record<string, number>>;
}

const PACKAGES = ['xstate', 'valibot'] as const;

/** The part an input of the metafile belongs to. */
export function partOf(input: string): Part {
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
  if (name === undefined) return 'headless-calling';
  return (PACKAGES as readonly string[]).includes(name) ? (name as Part) : 'other';
}

async function bundle(root: string, from: BundleFrom, external: readonly string[]): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: MINIMAL_APP, resolveDir: root, loader: 'js', sourcefile: 'app.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: [...external],
    absWorkingDir: root,
    // `src`: tsconfig.json's `paths` map the package's names to the sources. `dist`: no paths, so
    // the names resolve through package.json `exports` to the build, as in an app.
    ...(from === 'dist' ? { tsconfigRaw: {} } : {}),
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild wrote nothing');
  return { code, metafile: result.metafile };
}

const gzip = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;

/** Bundles the minimal app from the package at `root` and measures it. */
export async function measureMinimalApp(root: string, from: BundleFrom = 'dist'): Promise<BundleSize> {
  const whole = await bundle(root, from, []);
  const gzipped = gzip(whole.code);
  const output = Object.values(whole.metafile.outputs)[0];
  const inputs: Record<string, number> = {};
  const minifiedBy: Record<Part, number> = { 'headless-calling': 0, xstate: 0, valibot: 0, other: 0 };
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    if (path === 'app.js' || bytesInOutput === 0) continue;
    inputs[path] = bytesInOutput;
    minifiedBy[partOf(path)] += bytesInOutput;
  }
  const gzippedBy: Record<Part, number> = { 'headless-calling': 0, xstate: 0, valibot: 0, other: 0 };
  for (const name of PACKAGES) gzippedBy[name] = gzipped - gzip((await bundle(root, from, [name])).code);
  gzippedBy['headless-calling'] = gzip((await bundle(root, from, PACKAGES)).code);
  return { minified: whole.code.length, gzipped, minifiedBy, gzippedBy, inputs };
}

/** `36.5 KB` */
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
