/**
 * A TUICallEngine 3.1.7 party in the interop world: its own fake page (browser.ts), the engine
 * loaded unmodified (tuiEngine.ts) over a fake Chat SDK (fakeChat.ts, whose signaling is the Chat
 * SDK's own module) on the world's IM cloud and a fake TRTCCloud (fakeTrtcCloudSdk.ts) on the
 * world's room server. Every `TUICallEvent` it emits is recorded, in order, as a copy of its
 * payload, except the periodic or informational ones (volume, network quality, the IM messages it
 * sent), which the tests do not assert.
 */
import type { SimulatedClock } from '../../../src/testing';
import type { FakeTimCloud } from '../../tencent/fakes/fakeTim';
import type { FakeTrtcCloud, FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';
import { Browser, type DeviceCheck } from './browser';
import { fakeChatModule, type FakeChatModule } from './fakeChat';
import { fakeTrtcCloudSdk } from './fakeTrtcCloudSdk';
import type { Ev } from './interopWorld';
import { loadTUICallEngine, type TUICallEngineExports, type TUICallEngineInstance } from './tuiEngine';
import { recordEvents } from './eventLog';

/** Events left out of a TUICallEngine party's log. */
const UNRECORDED = new Set(['onUserVoiceVolume', 'onUserNetworkQualityChanged', 'onMessageSentByMe', 'CALL_MESSAGE']);

export interface TuiParty {
  readonly kind: 'tui';
  readonly id: string;
  readonly engine: TUICallEngineInstance;
  readonly exports: TUICallEngineExports;
  readonly browser: Browser;
  readonly chat: FakeChatModule;
  /** Its page's trtc-js-sdk (the TRTC clients under its TRTCCloud). */
  readonly trtc: FakeTrtcModule;
  /** The engine's console output (for a failing test's diagnosis). */
  readonly console: string[];
  /** The events since the last `take()`, in order. */
  take(): Ev[];
  close(): void;
}

export function tuiParty(userID: string, world: { clock: SimulatedClock; im: FakeTimCloud; rtc: FakeTrtcCloud }, seed: number, devices: DeviceCheck): TuiParty {
  const log: string[] = [];
  const browser = new Browser({ clock: world.clock, seed, devices, log });
  const page = browser.globals();
  const trtc = world.rtc.module(userID);
  const chat = fakeChatModule(world.im, page);
  const exports = loadTUICallEngine(browser, page, { chat, trtcCloud: fakeTrtcCloudSdk(trtc, world.clock) });
  const engine = exports.TUICallEngine.createInstance({ SDKAppID: 1400000001 });
  const take = recordEvents((name, fn) => engine.on(name, fn), Object.values(exports.TUICallEvent).filter((name) => !UNRECORDED.has(name)));
  return {
    kind: 'tui',
    id: userID,
    engine,
    exports,
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
