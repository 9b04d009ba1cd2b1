/**
 * One user of the demo page in its own browser context, driven through the page's buttons
 * like a person would, and read through what the page shows: its event log (`hcDemo.events`),
 * its tiles and their `<video>` elements.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** An event as the demo logged it. */
export interface LoggedEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

interface DemoWindow {
  hcDemo: { events: Array<{ name: string; payload: Record<string, unknown> }>; marks: Record<string, number> };
}

const WAIT_MS = 15_000;

/** The viewports the browser tests use. */
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Options of {@link DemoUser.open}. */
export interface OpenOptions {
  /** Init scripts, run in the page before its own (each a self-contained function). */
  readonly init?: (() => void) | ReadonlyArray<() => void>;
  readonly query?: string;
  readonly phone?: boolean;
  /** Open as someone who never went through the device check, so that it opens after sign-in (default: as one who did). */
  readonly deviceCheck?: boolean;
}

export class DemoUser {
  private taken = 0;

  private constructor(
    readonly userID: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /**
   * Opens the demo as `userID` and signs in through the form. `init` runs in the page before its
   * scripts; `phone` opens it at 390x844 as a phone; `host` replaces 127.0.0.1 in the URL.
   */
  static async open(browser: Browser, baseUrl: string, userID: string, options: OpenOptions = {}): Promise<DemoUser> {
    const context = await browser.newContext(options.phone ? { viewport: PHONE, isMobile: true, hasTouch: true } : { viewport: DESKTOP });
    const page = await context.newPage();
    // As for a person who went through the device check before: it does not open again (and its
    // capture spares the CPU). Tests of the check itself ask for it.
    if (!options.deviceCheck) await page.addInitScript(() => localStorage.setItem('headless-calling-demo.devices', '{"checked":true}'));
    for (const init of [options.init ?? []].flat()) await page.addInitScript(init);
    await page.goto(`${baseUrl}/${options.query ?? ''}`);
    await page.fill('#login-user', userID);
    await page.click('#login-btn');
    await page.waitForSelector(`#whoami:has-text("${userID}")`, { timeout: WAIT_MS });
    const user = new DemoUser(userID, context, page);
    await user.waitEvent('sdkReady');
    return user;
  }

  /** Every event logged so far. */
  async events(): Promise<LoggedEvent[]> {
    return this.page.evaluate(() =>
      (globalThis as unknown as DemoWindow).hcDemo.events.map(({ name, payload }) => ({ name, payload: JSON.parse(JSON.stringify(payload ?? {})) })),
    );
  }

  /** The events logged since the last `take()` (the whole log is asserted in slices). */
  async take(): Promise<LoggedEvent[]> {
    const all = await this.events();
    const slice = all.slice(this.taken);
    this.taken = all.length;
    return slice;
  }

  /** Waits until an event `name` whose payload has `match`'s fields is logged. */
  async waitEvent(name: string, match: Record<string, unknown> = {}, timeout = WAIT_MS): Promise<void> {
    await this.page.waitForFunction(
      ([n, m]) =>
        (globalThis as unknown as DemoWindow).hcDemo.events.some(
          (e) => e.name === n && Object.entries(m).every(([k, v]) => JSON.stringify(e.payload?.[k]) === JSON.stringify(v)),
        ),
      [name, match] as const,
      { timeout, polling: 50 },
    );
  }

  /** Dials through the form: one user ID, or several (a group call). */
  async call(userIDs: string | readonly string[], options: { type?: 1 | 2; timeout?: number } = {}): Promise<void> {
    await this.page.fill('#callee', typeof userIDs === 'string' ? userIDs : userIDs.join(','));
    await this.page.selectOption('#call-type', String(options.type ?? 2));
    await this.page.fill('#timeout', String(options.timeout ?? 30));
    await this.page.click('#call-btn');
  }

  /** Waits for the ringing dialog and answers it. */
  async answer(how: 'accept' | 'reject', from: string): Promise<void> {
    await this.page.waitForSelector(`#incoming[open] #incoming-from:has-text("${from}")`, { timeout: WAIT_MS });
    await this.page.click(how === 'accept' ? '#accept-btn' : '#reject-btn');
  }

  async ringing(from: string): Promise<void> {
    await this.page.waitForSelector(`#incoming[open] #incoming-from:has-text("${from}")`, { timeout: WAIT_MS });
  }

  async click(button: 'hangup' | 'camera' | 'mic'): Promise<void> {
    await this.page.click(`#${button}-btn`);
  }

  /**
   * Waits until `count` new video frames of `userID`'s tile were decoded (a condition, not a
   * time window, so a loaded machine only makes it slower); resolves with the video size.
   */
  async waitFrames(userID: string, count = 5): Promise<{ width: number; height: number }> {
    await this.page.waitForSelector(`#view-${userID} video`, { timeout: WAIT_MS });
    return this.page.evaluate(
      ([id, want, timeout]) =>
        new Promise<{ width: number; height: number }>((resolve, reject) => {
          const video = document.querySelector(`#view-${id} video`) as HTMLVideoElement;
          let frames = 0;
          const timer = setTimeout(() => reject(new Error(`${frames} of ${want} frames of ${id} in ${timeout} ms`)), timeout);
          const tick = () => {
            frames += 1;
            if (frames >= want) {
              clearTimeout(timer);
              resolve({ width: video.videoWidth, height: video.videoHeight });
            } else video.requestVideoFrameCallback(tick);
          };
          video.requestVideoFrameCallback(tick);
        }),
      [userID, count, WAIT_MS] as const,
    );
  }

  /** The user IDs of the remote tiles shown. */
  async remoteTiles(): Promise<string[]> {
    return this.page.$$eval('#tiles .tile', (tiles) => tiles.map((t) => (t as HTMLElement).dataset.userId ?? '').sort());
  }

  /** Videos of the call on the page (remote tiles and the self-view; not the device check's preview). */
  async callVideos(): Promise<number> {
    return this.page.locator('#tiles video, #self-view video').count();
  }

  /** Waits until the page shows this view (`signedOut`, `home`, `dialing`, `call`). */
  async view(name: 'signedOut' | 'home' | 'dialing' | 'call'): Promise<void> {
    await this.page.waitForSelector(`body[data-view="${name}"]`, { timeout: WAIT_MS });
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

/** Init script: every RTCPeerConnection the page makes is kept in `window.peerConnections`. */
export function keepPeerConnections(): void {
  const Native = globalThis.RTCPeerConnection;
  const made: RTCPeerConnection[] = [];
  (globalThis as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections = made;
  globalThis.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this);
    }
  };
}

/** The page's globals with {@link keepPeerConnections}. */
export type Connections = { peerConnections: RTCPeerConnection[] };

/** An expected event: its name and the payload fields that matter (compare with {@link shape}). */
export const e = (name: string, payload: Record<string, unknown> = {}): LoggedEvent => ({ name, payload });

/** Reduces logged events to their names and the listed payload fields, for `toEqual` against `e(...)`. */
export function shape(events: readonly LoggedEvent[], fields: readonly string[] = ['userID', 'reason', 'isVideoAvailable', 'isAudioAvailable', 'sponsor']): LoggedEvent[] {
  return events.map(({ name, payload }) => ({
    name,
    payload: Object.fromEntries(Object.entries(payload).filter(([k]) => fields.includes(k))),
  }));
}

/** A remote user entering a video call, as the demo logs it: USER_ENTER, then its audio and video. */
export const entered = (userID: string): LoggedEvent[] => [
  e('onUserEnter', { userID }),
  e('onUserAudioAvailable', { userID, isAudioAvailable: true }),
  e('onUserVideoAvailable', { userID, isVideoAvailable: true }),
];

/** The start of a caller's log in an answered 1v1 video call with `callee`. */
export const callerStart = (callee: string): LoggedEvent[] => [e('sdkReady'), e('onUserAccept', { userID: callee }), ...entered(callee)];

/** The start of a callee's log in an answered 1v1 video call from `caller`. */
export const calleeStart = (caller: string): LoggedEvent[] => [e('sdkReady'), e('onInvited', { sponsor: caller }), ...entered(caller)];

/**
 * Run in a page: from now on each getUserMedia waits for `releaseCapture()` (a camera slow to
 * start); `captureAsked` counts those held.
 */
export function slowCapture(): void {
  const devices = navigator.mediaDevices;
  const native = devices.getUserMedia.bind(devices);
  const page = globalThis as unknown as { releaseCapture(): void; captureAsked: number };
  const gate = new Promise<void>((resolve) => (page.releaseCapture = resolve));
  page.captureAsked = 0;
  devices.getUserMedia = async (constraints) => {
    page.captureAsked += 1;
    await gate;
    return native(constraints);
  };
}

/**
 * Alice's group call of Bob and Carol, in which Carol hung up first and then Alice: each page's log (`shape`d with
 * `userIDList`), and what each heard about each other user, which is not a race (who arrives first is).
 */
export async function groupCallLogs(alice: DemoUser, bob: DemoUser, carol: DemoUser): Promise<LoggedEvent[][]> {
  const logs = await Promise.all([alice, bob, carol].map(async (u) => shape(await u.events(), ['userID', 'userIDList', 'reason'])));
  const [atAlice, atBob, atCarol] = logs as [LoggedEvent[], LoggedEvent[], LoggedEvent[]];
  const about = (log: LoggedEvent[], userID: string) => log.filter((x) => x.payload.userID === userID && x.name !== 'onCallEnd').map((x) => x.name);
  const joined = ['onUserEnter', 'onUserAudioAvailable', 'onUserVideoAvailable'];
  const heard = {
    'alice of bob': about(atAlice, 'bob'),
    'alice of carol': about(atAlice, 'carol'),
    'bob of carol': about(atBob, 'carol'),
    'bob of alice': about(atBob, 'alice'),
    'carol of bob': about(atCarol, 'bob'),
  };
  expect(heard).toEqual({
    'alice of bob': ['onUserAccept', ...joined],
    'alice of carol': ['onUserAccept', ...joined, 'onUserLeave'],
    'bob of carol': [...joined, 'onUserLeave'],
    'bob of alice': [...joined, 'onUserLeave'],
    'carol of bob': joined,
  });
  return logs;
}
