/**
 * Loads Tencent's successor web calling client, unmodified: `tuicall-engine-webrtc@3.1.7` (the npm
 * file `tuicall-engine-webrtc.js`), into one fake browser page, the way officialBundle.ts loads
 * trtc-calling-js: compiled as a CommonJS function whose `require` hands out our fakes and whose
 * browser globals are the page's (browser.ts), so each TUICallEngine party has its own page, its
 * own module state (the engine is a singleton per page: `createInstance` returns the page's one)
 * and its own virtual-time timers.
 *
 * Its UMD header, under CommonJS, does `require("trtc-cloud-js-sdk")` and
 * `require("@tencentcloud/chat")` and nothing else (axios, its loggers and its reports are
 * bundled): fakeTrtcCloudSdk.ts and fakeChat.ts. Its own network use goes to the page's fakes:
 * logs and reports by axios over `XMLHttpRequest` (to Tencent's log endpoints), a network probe
 * by `fetch`, `navigator.sendBeacon` when the page is hidden; its package check and call records
 * go through the Chat SDK (fakeChat.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type { Browser } from './browser';

const nodeRequire = createRequire(import.meta.url);
const ENGINE_FILE = nodeRequire.resolve('tuicall-engine-webrtc/tuicall-engine-webrtc.js');
let engineSource: string | undefined;

/** TUICallEngine 3.1.7's API as the tests drive it (index.d.ts). */
export interface TUICallEngineInstance {
  login(params: { userID: string; userSig: string }): Promise<unknown>;
  logout(): Promise<unknown>;
  call(params: { userID: string; type: 1 | 2; timeout?: number; roomID?: number; userData?: string }): Promise<unknown>;
  groupCall(params: { userIDList: string[]; type: 1 | 2; groupID: string; timeout?: number; roomID?: number; userData?: string }): Promise<unknown>;
  accept(): Promise<unknown>;
  reject(): Promise<unknown>;
  hangup(): Promise<unknown>;
  openCamera(videoViewDomID: string): Promise<unknown>;
  closeCamera(): Promise<unknown>;
  openMicrophone(): Promise<unknown>;
  closeMicrophone(): Promise<unknown>;
  startRemoteView(params: { userID: string; videoViewDomID: string }): Promise<unknown>;
  getCallStatus(): 'idle' | 'calling' | 'connected';
  setLogLevel(level: number): void;
  on(event: string, fn: (payload: unknown) => void, ctx?: unknown): void;
  off(event: string, fn: (payload: unknown) => void, ctx?: unknown): void;
  destroyInstance(): Promise<void>;
}

export interface TUICallEngineExports {
  readonly TUICallEngine: { createInstance(options: { SDKAppID: number; tim?: unknown }): TUICallEngineInstance };
  readonly TUICallEvent: Readonly<Record<string, string>>;
  readonly TUICallType: Readonly<Record<string, number | string>>;
}

/** The engine's exports, loaded into `browser`'s page over the given fake SDK modules. */
export function loadTUICallEngine(browser: Browser, page: Record<string, unknown>, sdks: { chat: unknown; trtcCloud: unknown }): TUICallEngineExports {
  engineSource ??= readFileSync(ENGINE_FILE, 'utf8');
  const names = Object.keys(page);
  const fn = compileFunction(engineSource, ['module', 'exports', 'require', ...names], { filename: ENGINE_FILE });
  const module = { exports: {} as Record<string, unknown> };
  const deps: Record<string, unknown> = { 'trtc-cloud-js-sdk': sdks.trtcCloud, '@tencentcloud/chat': sdks.chat };
  const require = (id: string) => {
    if (id in deps) return deps[id];
    throw new Error(`tuicall-engine-webrtc required "${id}", which the interop page does not provide`);
  };
  fn.call(module.exports, module, module.exports, require, ...names.map((n) => page[n]));
  void browser;
  const exported = module.exports as { default?: TUICallEngineExports } & Partial<TUICallEngineExports>;
  return (exported.TUICallEngine ? exported : exported.default) as TUICallEngineExports;
}
