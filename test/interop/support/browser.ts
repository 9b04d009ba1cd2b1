/**
 * A browser, as far as Tencent's official bundles (trtc-calling-js 1.0.6, tsignaling 1.0.8) touch
 * one: `window`, a small DOM, `navigator` (user agent, `getUserMedia`), `location`,
 * `sessionStorage`, and the time and randomness they read. One per official party, so two
 * official clients never share a page.
 *
 * Everything runs on the world's {@link SimulatedClock}: `setTimeout` / `setInterval` are its
 * timers and `Date` reads its time, so TSignaling's 1 s ticks and 30 s timeouts run in virtual
 * time. `Math.random` and `crypto.getRandomValues` come from a seeded generator, so the official
 * client's invite IDs and room IDs are the same on every run.
 *
 * The official bundle also reaches for the network on its own: telemetry (`axios` over
 * `XMLHttpRequest` to webim.tim.qq.com) and a network probe (`fetch`). Both are fakes here that
 * answer at once and record what was asked ({@link Browser.requests}); nothing leaves the process
 * (test/interop/support/noRealNetwork.ts fails a test that tries).
 */
import type { SimulatedClock } from '../../../src/testing';
import { FakeElement, FakeStorage, ProbeTrack } from './dom';

/** One request the official bundle made to the fake `XMLHttpRequest` / `fetch`. */
export interface InterceptedRequest {
  readonly api: 'XMLHttpRequest' | 'fetch' | 'sendBeacon';
  readonly method: string;
  readonly url: string;
}

/** A seeded PRNG (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the user's devices allow, read at each `getUserMedia` (the fake TRTC's device knobs). */
export type DeviceCheck = (constraints: { audio?: boolean; video?: boolean }) => Error | null;

export interface BrowserOptions {
  readonly clock: SimulatedClock;
  readonly seed: number;
  readonly devices: DeviceCheck;
  /** Where the bundles' console output goes (kept for a failing test's diagnosis). */
  readonly log: string[];
}

const PAGE = 'https://calling.example.test/';

/** The globals of one page, passed to the bundles as the free names they read. */
export class Browser {
  readonly requests: InterceptedRequest[] = [];
  readonly document: { body: FakeElement; cookie: string; getElementById(id: string): FakeElement | null; createElement(tag: string): FakeElement };
  readonly navigator: object;
  readonly location = new URL(PAGE);
  readonly sessionStorage = new FakeStorage();
  readonly localStorage = new FakeStorage();
  readonly random: () => number;
  readonly #clock: SimulatedClock;
  readonly #timers = new Map<number, unknown>();
  #nextTimer = 1;

  constructor(private readonly options: BrowserOptions) {
    this.#clock = options.clock;
    this.random = seededRandom(options.seed);
    const body = new FakeElement('body', PAGE);
    this.document = {
      body,
      cookie: '',
      getElementById: (id) => body.find(id),
      createElement: (tag) => new FakeElement(tag, PAGE),
    };
    this.navigator = {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      product: 'Gecko',
      // TUICallEngine's logger beacons its last logs when the page is hidden (recorded, never sent).
      sendBeacon: (url: string) => {
        this.requests.push({ api: 'sendBeacon', method: 'POST', url: String(url) });
        return true;
      },
      mediaDevices: {
        getUserMedia: async (constraints: { audio?: boolean; video?: boolean }) => {
          const refused = options.devices(constraints);
          if (refused) throw refused;
          const tracks = [...(constraints.audio ? [new ProbeTrack('audio')] : []), ...(constraints.video ? [new ProbeTrack('video')] : [])];
          return { getTracks: () => tracks };
        },
      },
    };
  }

  /** The free names the bundles read, as the values they get. `window` holds them all as well. */
  globals(): Record<string, unknown> {
    const clock = this.#clock;
    const random = this.random;
    const RealDate = Date;
    class PageDate extends RealDate {
      constructor(...args: ConstructorParameters<DateConstructor> | []) {
        if (args.length === 0) super(clock.now());
        else super(...(args as ConstructorParameters<DateConstructor>));
      }
      static override now(): number {
        return clock.now();
      }
    }
    const PageMath = Object.create(Math, { random: { value: random } }) as Math;
    const crypto = {
      getRandomValues<T extends Uint32Array | Uint8Array>(array: T): T {
        for (let i = 0; i < array.length; i++) array[i] = Math.floor(random() * (array instanceof Uint8Array ? 256 : 4294967296));
        return array;
      },
    };
    const log = this.options.log;
    const console = Object.fromEntries(
      ['log', 'info', 'warn', 'error', 'debug', 'trace', 'time', 'timeEnd'].map((level) => [level, (...args: unknown[]) => log.push(`[${level}] ${args.map(String).join(' ')}`.slice(0, 400))]),
    );
    const page: Record<string, unknown> = {
      document: this.document,
      navigator: this.navigator,
      location: this.location,
      sessionStorage: this.sessionStorage,
      localStorage: this.localStorage,
      setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.#setTimeout(() => fn(...args), ms ?? 0),
      clearTimeout: (id: number) => this.#clear(id),
      setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.#setInterval(() => fn(...args), ms ?? 0),
      clearInterval: (id: number) => this.#clear(id),
      Date: PageDate,
      Math: PageMath,
      crypto,
      console,
      XMLHttpRequest: this.#xhrClass(),
      fetch: async (url: string, init?: { method?: string }) => {
        this.requests.push({ api: 'fetch', method: init?.method ?? 'GET', url: String(url) });
        return { ok: true, status: 200, text: async () => '', json: async () => ({}) };
      },
      MediaStreamTrack: ProbeTrack,
    };
    const window = { ...page };
    (window as Record<string, unknown>).window = window;
    (window as Record<string, unknown>).self = window;
    // `process`, `global` and `module.exports`-sniffing stay what the loader passes: no Node here.
    return { ...page, window, self: window, process: undefined, global: undefined };
  }

  /** Stops every timer the page started (the party is gone). */
  close(): void {
    for (const id of this.#timers.values()) this.#clock.clearTimeout(id);
    this.#timers.clear();
  }

  #setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextTimer++;
    this.#timers.set(id, this.#clock.setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms));
    return id;
  }

  #setInterval(fn: () => void, ms: number): number {
    const id = this.#nextTimer++;
    const every = Math.max(1, ms);
    const tick = () => {
      this.#timers.set(id, this.#clock.setTimeout(tick, every));
      fn();
    };
    this.#timers.set(id, this.#clock.setTimeout(tick, every));
    return id;
  }

  #clear(id: number): void {
    const timer = this.#timers.get(id);
    if (timer === undefined) return;
    this.#clock.clearTimeout(timer);
    this.#timers.delete(id);
  }

  /** `XMLHttpRequest` that records the request and answers 200 `{}` on the next microtask. */
  #xhrClass() {
    const requests = this.requests;
    return class FakeXMLHttpRequest {
      readyState = 0;
      status = 0;
      statusText = '';
      responseText = '';
      responseURL = '';
      timeout = 0;
      withCredentials = false;
      onreadystatechange: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      ontimeout: (() => void) | null = null;
      #method = 'GET';
      #url = '';
      open(method: string, url: string): void {
        this.#method = method;
        this.#url = url;
        this.readyState = 1;
      }
      setRequestHeader(): void {}
      getAllResponseHeaders(): string {
        return 'content-type: application/json';
      }
      addEventListener(): void {}
      abort(): void {}
      send(): void {
        requests.push({ api: 'XMLHttpRequest', method: this.#method, url: this.#url });
        queueMicrotask(() => {
          this.readyState = 4;
          this.status = 200;
          this.statusText = 'OK';
          this.responseText = '{}';
          this.responseURL = this.#url;
          this.onreadystatechange?.();
        });
      }
    };
  }
}
