/**
 * The interop world: Tencent's official web client (trtc-calling-js 1.0.6 on tsignaling 1.0.8)
 * and headless-calling on `tencentBackend` as users of one fake Tencent cloud, on one simulated
 * clock. One fake IM service ({@link FakeTimCloud}: C2C and group custom messages, offline
 * storage read back by TSignaling's replay on login, and by the Chat SDK's, a second login
 * kicking the first) and one fake TRTC ({@link FakeTrtcCloud}: rooms, publish / subscribe, mute
 * events, trtc-js-sdk's parameter checks) carry both kinds of party.
 *
 * Both kinds are driven through the same methods (the API is the same: that is the point) and
 * every event each party gets is recorded, in order. Every message on the wire is recorded too
 * ({@link WireRecorder}).
 */
import { vi } from 'vitest';
import { TRTCCalling } from '../../../src/index';
import { tencentBackend, type TencentBackend } from '../../../src/tencent';
import { captureEvents, SimulatedClock } from '../../../src/testing';
import { FakeTimCloud, type FakeTim } from '../../tencent/fakes/fakeTim';
import { FakeTrtcCloud, type FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';
import { Browser, seededRandom, type DeviceCheck, type InterceptedRequest } from './browser';
import { fakeTimModule, fakeTrtcModule } from './fakeSdks';
import { loadOfficialTRTCCalling, type OfficialTRTCCalling, type OfficialTRTCCallingClass } from './officialBundle';
import { callEngineParty, type CallEngineParty } from './callEngineParty';
import { tuiParty, type TuiParty } from './tuiParty';
import { WireRecorder } from './wire';
import { recordEvents } from './eventLog';

export const SDK_APP_ID = 1400000001;
/** The clock's start: the official bundles read it as `Date.now()`, TIM stamps messages with it. */
export const EPOCH = Date.parse('2025-01-01T00:00:00.000Z');

export type Kind = 'ours' | 'official';
export type Ev = { readonly name: string; readonly payload: unknown };

/** What a user does, the same for both kinds. */
export interface Phone {
  login(): Promise<unknown>;
  logout(): Promise<unknown>;
  call(userID: string, type: 1 | 2): Promise<unknown>;
  groupCall(userIDList: string[], type: 1 | 2, groupID?: string): Promise<unknown>;
  accept(): Promise<unknown>;
  reject(): Promise<unknown>;
  hangup(): Promise<unknown>;
  openCamera(): Promise<unknown>;
  closeCamera(): Promise<unknown>;
  setMicMute(muted: boolean): Promise<unknown>;
  getCallStatus(): string;
}

/** Either client as a {@link Phone} drives it: both speak trtc-calling-js's API. */
type PhoneClient = Pick<
  OfficialTRTCCalling,
  'login' | 'logout' | 'call' | 'groupCall' | 'accept' | 'reject' | 'hangup' | 'openCamera' | 'closeCamera' | 'setMicMute' | 'getCallStatus'
>;

function phoneOf(calling: PhoneClient, userID: string): Phone {
  return {
    login: () => calling.login({ userID, userSig: `sig-${userID}` }),
    logout: () => calling.logout(),
    call: (to, type) => calling.call({ userID: to, type }),
    groupCall: (userIDList, type, groupID) => calling.groupCall({ userIDList, type, ...(groupID ? { groupID } : {}) }),
    accept: () => calling.accept(),
    reject: () => calling.reject(),
    hangup: () => calling.hangup(),
    openCamera: () => calling.openCamera(),
    closeCamera: () => calling.closeCamera(),
    setMicMute: (muted) => calling.setMicMute(muted),
    getCallStatus: () => calling.getCallStatus(),
  };
}

interface PartyBase extends Phone {
  readonly id: string;
  /** The events since the last `take()`, in order. */
  take(): Ev[];
}
export interface OursParty extends PartyBase {
  readonly kind: 'ours';
  readonly calling: TRTCCalling;
  readonly backend: TencentBackend;
  readonly tim: FakeTim;
  /** What its `onDropped` was told: `reason: detail` of each IM payload the codec refused. */
  readonly dropped: string[];
}
export interface OfficialParty extends PartyBase {
  readonly kind: 'official';
  readonly calling: OfficialTRTCCalling;
  readonly TRTCCalling: OfficialTRTCCallingClass;
  readonly browser: Browser;
  /** Its page's trtc-js-sdk (its TRTC clients). */
  readonly trtc: FakeTrtcModule;
  /** The bundles' console output. */
  readonly console: string[];
}
export type Party = OursParty | OfficialParty;

/** Our invite IDs: v4 UUIDs from a counter, so a failing test reads them easily. */
const oursInviteID = (n: number) => `0000${n.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;
/** Ours that sort after any of Tencent's (random v4 UUIDs), where a race is settled by the order. */
const highInviteID = (n: number) => `ffff${n.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;

export interface PartyOptions {
  /** Logged in (its SDK_READY taken) unless false. */
  readonly login?: boolean;
  /** Ours: room IDs from this generator instead of the default one. */
  readonly roomIdGen?: () => number;
  /** Ours: inviteIDs that sort before Tencent's ('low', the default) or after them ('high'). */
  readonly inviteIDs?: 'low' | 'high';
  /** Ours: opted in to many devices (`tencentBackend({ multiDevice: true })`), for a world with `multiTerminal`. */
  readonly multiDevice?: boolean;
}

export interface InteropWorld {
  readonly clock: SimulatedClock;
  readonly im: FakeTimCloud;
  readonly rtc: FakeTrtcCloud;
  readonly wire: WireRecorder;
  /** Errors our backends reported (listener exceptions, playback failures). */
  readonly errors: unknown[];
  /**
   * Promise rejections nobody handled (Tencent's client leaves some unhandled, e.g. a hangup it
   * cannot send once kicked out), oldest first. A test that expects one takes it from here.
   */
  readonly unhandled: unknown[];
  /** Every request the official pages made to their fake `XMLHttpRequest` / `fetch`. */
  intercepted(): InterceptedRequest[];
  /**
   * A new party of that kind; logged in (its SDK_READY taken) unless `login: false`. Ours draw
   * room IDs with the default generator unless given `roomIdGen`.
   */
  party(kind: Kind, userID: string, options?: PartyOptions): Promise<Party>;
  /** A TUICallEngine 3.1.7 party (tuiParty.ts), logged in (its SDK_READY taken) unless `login: false`. */
  tui(userID: string, options?: { readonly login?: boolean }): Promise<TuiParty>;
  /** A call-engine-js 3.3.4 party (callEngineParty.ts), logged in (its SDK_READY taken) unless `login: false`. */
  callEngine(userID: string, options?: { readonly login?: boolean }): Promise<CallEngineParty>;
  advance(ms: number): Promise<void>;
  /**
   * Lets `ms` pass (default 1 s) while `action` runs, then returns its result (or throws its
   * error). The official client's methods resolve only after IM and TRTC answered, so they must
   * be awaited with the clock running.
   */
  act<T>(action: Promise<T>, ms?: number): Promise<T>;
  /** Like `act`, for an action expected to fail: its error. */
  actFails(action: Promise<unknown>, ms?: number): Promise<unknown>;
  dispose(): Promise<void>;
}

/** @param options.multiTerminal TIM's multi-terminal login (fakeTim.ts): a user's devices all get their messages. */
export function interopWorld(options: { readonly multiTerminal?: boolean } = {}): InteropWorld {
  const clock = new SimulatedClock(EPOCH);
  const im = new FakeTimCloud(clock, 20, false, options.multiTerminal ?? false);
  const rtc = new FakeTrtcCloud(clock, 20);
  const wire = new WireRecorder(im.log);
  const errors: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const parties: Party[] = [];
  const tuis: (TuiParty | CallEngineParty)[] = [];
  // Our default room generator draws from crypto.getRandomValues: seeded here (and Math.random,
  // for anything else), so runs repeat exactly.
  const random = vi.spyOn(Math, 'random').mockImplementation(seededRandom(7));
  const draw = seededRandom(8);
  const words = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    if (array instanceof Uint32Array) for (let i = 0; i < array.length; i++) array[i] = Math.floor(draw() * 4294967296);
    return array;
  });
  let invites = 0;

  const devicesOf = (label: string): DeviceCheck => (constraints) => {
    const d = rtc.devices(label);
    const fail = (name: string, message: string) => Object.assign(new Error(message), { name });
    if (d.permission === 'denied') return fail('NotAllowedError', 'Permission denied');
    if (constraints.audio && d.microphone === false) return fail('NotFoundError', 'Requested device not found');
    if (constraints.video && d.camera === false) return fail('NotFoundError', 'Requested device not found');
    return null;
  };

  const ours = (userID: string, { roomIdGen, inviteIDs = 'low', multiDevice = false }: PartyOptions): OursParty => {
    const tim = im.create();
    const backend = tencentBackend({ SDKAppID: SDK_APP_ID, tim, TRTC: rtc.module(userID), clock, multiDevice, onError: (e) => errors.push(e) });
    const minted = inviteIDs === 'low' ? oursInviteID : highInviteID;
    const ids = { inviteIdGen: () => minted(++invites), ...(roomIdGen ? { roomIdGen } : {}) };
    const dropped: string[] = [];
    const calling = new TRTCCalling({ SDKAppID: SDK_APP_ID, backend: { ...backend, ...ids }, onDropped: (reason, detail) => dropped.push(`${reason}: ${detail}`) });
    const events = captureEvents(calling);
    return {
      kind: 'ours',
      id: userID,
      calling,
      backend,
      tim,
      dropped,
      take: () => events.take().map(({ name, payload }) => ({ name, payload })),
      ...phoneOf(calling, userID),
    };
  };

  const official = (userID: string): OfficialParty => {
    const log: string[] = [];
    const browser = new Browser({ clock, seed: parties.length + 1, devices: devicesOf(userID), log });
    const trtc = fakeTrtcModule(rtc, userID);
    const Official = loadOfficialTRTCCalling(browser, { tim: fakeTimModule(im), trtc });
    const calling = new Official({ SDKAppID: SDK_APP_ID });
    // Its volume reports (every second from the first peer-join, whoever listens) stay out, as ours do.
    const take = recordEvents((name, fn) => calling.on(name, fn), Object.values(Official.EVENT).filter((name) => name !== Official.EVENT.USER_VOICE_VOLUME));
    return {
      kind: 'official',
      id: userID,
      calling,
      TRTCCalling: Official,
      browser,
      trtc,
      console: log,
      take,
      ...phoneOf(calling, userID),
    };
  };

  /** A TUICallEngine or call-engine-js party kept with the others, logged in (its SDK_READY taken) unless `login: false`. */
  const engineParty = async <P extends TuiParty | CallEngineParty>(p: P, options: { login?: boolean }): Promise<P> => {
    tuis.push(p);
    if (options.login !== false) {
      const login = p.engine.login({ userID: p.id, userSig: `sig-${p.id}` });
      await clock.advance(100);
      await login;
      p.take();
    }
    return p;
  };

  return {
    clock,
    im,
    rtc,
    wire,
    errors,
    unhandled,
    intercepted: () => [...parties.flatMap((p) => (p.kind === 'official' ? p.browser.requests : [])), ...tuis.flatMap((p) => p.browser.requests)],
    tui: (userID, options = {}) => engineParty(tuiParty(userID, { clock, im, rtc }, 100 + tuis.length, devicesOf(userID)), options),
    async callEngine(userID, options = {}) {
      return engineParty(await callEngineParty(userID, { clock, im, rtc }, 200 + tuis.length, devicesOf(userID)), options);
    },
    async party(kind, userID, options = {}) {
      const p = kind === 'ours' ? ours(userID, options) : official(userID);
      parties.push(p);
      if (options.login !== false) {
        const login = p.login();
        await clock.advance(100);
        await login;
        p.take();
      }
      return p;
    },
    advance: (ms) => clock.advance(ms),
    async act(action, ms = 1000) {
      const settled = action.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
      await clock.advance(ms);
      const result = await settled;
      if (!result.ok) throw result.error;
      return result.value;
    },
    async actFails(action, ms = 1000) {
      const settled = action.then(() => undefined, (error: unknown) => ({ error }));
      await clock.advance(ms);
      const result = await settled;
      if (!result) throw new Error('expected the action to fail; it succeeded');
      return result.error;
    },
    async dispose() {
      // Official pages close: their timers stop and their TRTC clients hear nothing more.
      for (const p of parties) {
        if (p.kind === 'ours') p.calling.destroy();
        else {
          p.browser.close();
          for (const client of p.trtc.clients) client.destroy();
        }
      }
      for (const p of tuis) p.close();
      const ourBackends = parties.flatMap((p) => (p.kind === 'ours' ? [p.backend.dispose()] : []));
      await Promise.all([...ourBackends, clock.runUntilIdle(60_000)]);
      random.mockRestore();
      words.mockRestore();
      process.off('unhandledRejection', onUnhandled);
    },
  };
}
