/**
 * A party of Tencent's current web calling engine, `@tencentcloud/call-engine-js@3.3.4`, loaded
 * unmodified (its npm file `index.cjs.js`) into a fake browser page of its own, as tuiEngine.ts
 * loads TUICallEngine 3.1.7: compiled as a CommonJS function whose `require` hands out fakes and
 * whose browser globals are the page's (browser.ts), on the world's virtual clock.
 *
 * Inside it is a C++ engine compiled to WebAssembly (its `.wasm` inlined as a data URI, instantiated
 * by Node's own `WebAssembly`), which calls back into the bundle's JavaScript for the Chat SDK
 * (`invite`, `accept`, `reject`, `cancel`, `modifyInvitation`, `callExperimentalAPI`) and for
 * TRTCCloud. Its `require`s: `@tencentcloud/chat` (fakeChat.ts: the Chat SDK's own signaling
 * module over the shared fake IM), `trtc-cloud-js-sdk` (fakeTrtcCloudSdk.ts; the engine makes its
 * call's cloud with `createSubCloud()`), `rtc-detect` (a stand-in naming the page's browser and OS).
 *
 * Its page's `window` (and `globalThis`, `self`) is an object of its own that inherits the
 * JavaScript built-ins: the bundle's core-js polyfills look for a global object whose `Math` is
 * the page's `Math`, and would otherwise stop at `window` and find no `Number` there. What it
 * writes on its global stays in its page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type { SimulatedClock } from '../../../src/testing';
import type { FakeTimCloud } from '../../tencent/fakes/fakeTim';
import type { FakeTrtcCloud, FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';
import { Browser, type DeviceCheck } from './browser';
import { fakeChatModule, type FakeChatModule } from './fakeChat';
import { fakeTrtcCloudSdk } from './fakeTrtcCloudSdk';
import type { Ev } from './interopWorld';
import { recordEvents } from './eventLog';

const nodeRequire = createRequire(import.meta.url);
const ENGINE_FILE = nodeRequire.resolve('@tencentcloud/call-engine-js/index.cjs.js');
let engineSource: string | undefined;

/** The engine's API as the tests drive it (its index.d.ts). */
export interface CallEngineInstance {
  login(params: { userID: string; userSig: string }): Promise<void>;
  logout(): Promise<void>;
  call(params: { userID: string; type: 1 | 2; timeout?: number; roomID?: number; strRoomID?: string; userData?: string }): Promise<unknown>;
  groupCall(params: { userIDList: string[]; type: 1 | 2; groupID: string; timeout?: number; roomID?: number; strRoomID?: string; userData?: string }): Promise<unknown>;
  accept(): Promise<unknown>;
  reject(): Promise<unknown>;
  hangup(): Promise<unknown>;
  openCamera(videoViewDomID: string): Promise<void>;
  closeCamera(): Promise<void>;
  openMicrophone(): Promise<void>;
  closeMicrophone(): Promise<void>;
  switchCallMediaType(newMediaType: 1 | 2): Promise<void>;
  inviteUser(params: { userIDList: string[]; timeout?: number }): Promise<void>;
  on(event: string, fn: (payload?: unknown) => void, ctx?: unknown): void;
  off(event: string, fn: (payload?: unknown) => void): void;
}

interface CallEngineExports {
  readonly TUICallEngine: { createInstance(options: { SDKAppID: number }): CallEngineInstance; once(event: 'ready', fn: () => void): void };
  readonly TUICallEvent: Readonly<Record<string, string>>;
}

/** Events left out of a party's log: periodic or informational. */
const UNRECORDED = new Set(['onUserVoiceVolume', 'onUserNetworkQualityChanged', 'onMessageSentByMe', 'onUserVoiceVolumeChanged', 'onStatistics']);

/** `rtc-detect`'s default export, as far as the engine reads it (`getSystem()`). */
class FakeRtcDetect {
  getSystem() {
    return { browser: { name: 'chrome', version: '120' }, OS: 'Linux' };
  }
}

export interface CallEngineParty {
  readonly kind: 'callEngine';
  readonly id: string;
  readonly engine: CallEngineInstance;
  readonly browser: Browser;
  readonly chat: FakeChatModule;
  readonly trtc: FakeTrtcModule;
  /** The page's console (the engine's own log: "[tuikit engine wasm] ..."). */
  readonly console: string[];
  /** The events since the last `take()`, in order. */
  take(): Ev[];
  close(): void;
}

/** The page's globals, with a `window` that inherits the JavaScript built-ins (see above). */
function pageOf(browser: Browser): Record<string, unknown> {
  const base = browser.globals();
  const win = Object.create(globalThis) as Record<string, unknown>;
  for (const [key, value] of Object.entries(base.window as object)) Object.defineProperty(win, key, { value, writable: true, configurable: true, enumerable: true });
  for (const key of ['window', 'self', 'globalThis']) Object.defineProperty(win, key, { value: win, writable: true, configurable: true });
  return { ...base, window: win, self: win, globalThis: win };
}

/** A call-engine-js 3.3.4 party, its WebAssembly ready and (unless `login: false`) logged in. */
export async function callEngineParty(
  userID: string,
  world: { clock: SimulatedClock; im: FakeTimCloud; rtc: FakeTrtcCloud },
  seed: number,
  devices: DeviceCheck,
): Promise<CallEngineParty> {
  const log: string[] = [];
  const browser = new Browser({ clock: world.clock, seed, devices, log });
  const page = pageOf(browser);
  const trtc = world.rtc.module(userID);
  const chat = fakeChatModule(world.im, page);
  engineSource ??= readFileSync(ENGINE_FILE, 'utf8');
  const names = Object.keys(page);
  const fn = compileFunction(engineSource, ['module', 'exports', 'require', ...names], { filename: ENGINE_FILE });
  const module = { exports: {} as Record<string, unknown> };
  const deps: Record<string, unknown> = { '@tencentcloud/chat': chat, 'trtc-cloud-js-sdk': fakeTrtcCloudSdk(trtc, world.clock), 'rtc-detect': FakeRtcDetect };
  const require = (id: string) => {
    if (id in deps) return deps[id];
    throw new Error(`call-engine-js required "${id}", which the interop page does not provide`);
  };
  fn.call(module.exports, module, module.exports, require, ...names.map((n) => page[n]));
  const exports = module.exports as unknown as CallEngineExports;
  // The WebAssembly is instantiated asynchronously at load; the engine cannot be made before.
  const ready = new Promise<void>((resolve) => exports.TUICallEngine.once('ready', resolve));
  await world.clock.advance(10);
  await ready;
  const engine = exports.TUICallEngine.createInstance({ SDKAppID: 1400000001 });
  const take = recordEvents((name, fn) => engine.on(name, fn), Object.values(exports.TUICallEvent).filter((name) => !UNRECORDED.has(name)));
  return {
    kind: 'callEngine',
    id: userID,
    engine,
    browser,
    chat,
    trtc,
    console: log,
    take,
    close: () => {
      browser.close();
      for (const client of trtc.clients) client.destroy();
    },
  };
}
