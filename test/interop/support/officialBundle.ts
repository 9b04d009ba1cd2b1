/**
 * Loads Tencent's official web calling client, unmodified: `trtc-calling-js@1.0.6` (the npm
 * file `trtc-calling-js.js`) on `tsignaling@1.0.8` (`tsignaling-js.js`), into one fake browser page.
 *
 * How the bundles get their SDKs (read from their UMD headers): both are webpack UMD builds that,
 * under CommonJS, `require("trtc-js-sdk")`, `require("tim-js-sdk")` and `require("tsignaling")`
 * (tsignaling only `require("tim-js-sdk")`); nothing is bundled or taken from a global in that
 * branch. TRTCCalling creates its TIM instance with `TIM.create(options)` and passes it to
 * `new TSignaling({ tim, ...options })`; its TRTC client comes from `TRTC.createClient`.
 *
 * Why a loader and not `vi.mock` or an alias: vitest leaves `node_modules` CommonJS to Node,
 * so its module mocks never reach a `require` made inside these files, and aliases would need
 * the bundles inlined through Vite with browser globals set on the one shared `globalThis`. Here
 * each file is compiled as a CommonJS function (`vm.compileFunction`, in this realm, so values
 * cross freely) whose `require` hands out our fakes, and whose browser globals (`window`,
 * `document`, `setTimeout`, `Date`, `Math` ...) are parameters that shadow Node's: every official
 * party gets its own page, its own module state and its own virtual-time timers, and nothing of
 * it leaks into `globalThis`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type { Browser } from './browser';

const nodeRequire = createRequire(import.meta.url);

/** The two official files, read once. */
const SOURCES = {
  tsignaling: nodeRequire.resolve('tsignaling/tsignaling-js.js'),
  'trtc-calling-js': nodeRequire.resolve('trtc-calling-js/trtc-calling-js.js'),
} as const;
const text = new Map<string, string>();
function source(name: keyof typeof SOURCES): { code: string; filename: string } {
  const filename = SOURCES[name];
  if (!text.has(filename)) text.set(filename, readFileSync(filename, 'utf8'));
  return { code: text.get(filename) ?? '', filename };
}

/** Evaluates one CommonJS file in `page`, with `deps` as the only modules it may require. */
function evaluate(name: keyof typeof SOURCES, page: Record<string, unknown>, deps: Record<string, unknown>): unknown {
  const { code, filename } = source(name);
  const names = Object.keys(page);
  const fn = compileFunction(code, ['module', 'exports', 'require', ...names], { filename });
  const module = { exports: {} as unknown };
  const require = (id: string) => {
    if (id in deps) return deps[id];
    throw new Error(`${name} required "${id}", which the interop page does not provide`);
  };
  fn.call(module.exports, module, module.exports, require, ...names.map((n) => page[n]));
  return module.exports;
}

/** The parts of trtc-calling-js 1.0.6's TRTCCalling the tests drive (its own API, untyped upstream). */
export interface OfficialTRTCCalling {
  login(params: { userID: string; userSig: string }): Promise<unknown>;
  logout(): Promise<unknown>;
  call(params: { userID: string; type: 1 | 2 }): Promise<unknown>;
  groupCall(params: { userIDList: string[]; type: 1 | 2; groupID?: string }): Promise<unknown>;
  accept(): Promise<unknown>;
  reject(): Promise<unknown>;
  hangup(): Promise<unknown>;
  openCamera(): Promise<unknown>;
  closeCamera(): Promise<unknown>;
  setMicMute(isMute: boolean): Promise<unknown>;
  switchToAudioCall(): Promise<unknown>;
  switchToVideoCall(): void;
  getCallStatus(): 'idle' | 'calling' | 'connected';
  on(eventName: string, callback: (payload: unknown) => void, context?: unknown): void;
  off(eventName: string, callback: (payload: unknown) => void, context?: unknown): void;
}

export interface OfficialTRTCCallingClass {
  new (options: { SDKAppID: number; tim?: unknown }): OfficialTRTCCalling;
  readonly EVENT: Readonly<Record<string, string>>;
  readonly CALL_TYPE: Readonly<Record<string, number | string>>;
}

/**
 * The official `TRTCCalling` class, loaded into `browser`'s page over the given fake SDK modules
 * (what `require("tim-js-sdk")` and `require("trtc-js-sdk")` return there).
 */
export function loadOfficialTRTCCalling(browser: Browser, sdks: { tim: unknown; trtc: unknown }): OfficialTRTCCallingClass {
  const page = browser.globals();
  const TSignaling = evaluate('tsignaling', page, { 'tim-js-sdk': sdks.tim });
  const exported = evaluate('trtc-calling-js', page, { 'tim-js-sdk': sdks.tim, 'trtc-js-sdk': sdks.trtc, tsignaling: TSignaling });
  return exported as OfficialTRTCCallingClass;
}
