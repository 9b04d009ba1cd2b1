/**
 * One user of the demo page in its own browser context, driven through the page's buttons
 * like a person would, and read through what the page shows: its event log (`hcDemo.events`),
 * its tiles and their `<video>` elements.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** An event as the demo logged it. */
export interface LoggedEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

interface DemoWindow {
  hcDemo: { events: Array<{ name: string; payload: Record<string, unknown> }>; marks: Record<string, number> };
}

const WAIT_MS = 15_000;

export class DemoUser {
  private taken = 0;

  private constructor(
    readonly userID: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** Opens the demo as `userID` and signs in through the form. `init` runs in the page before its scripts. */
  static async open(browser: Browser, baseUrl: string, userID: string, options: { init?: () => void; query?: string } = {}): Promise<DemoUser> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    if (options.init) await page.addInitScript(options.init);
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

  /** Video frames of `userID`'s tile decoded within `ms` (requestVideoFrameCallback), and the video size. */
  async framesFrom(userID: string, ms = 1000): Promise<{ frames: number; width: number; height: number }> {
    await this.page.waitForSelector(`#view-${userID} video`, { timeout: WAIT_MS });
    return this.page.evaluate(
      ([id, span]) =>
        new Promise<{ frames: number; width: number; height: number }>((resolve) => {
          const video = document.querySelector(`#view-${id} video`) as HTMLVideoElement;
          let frames = 0;
          const tick = () => {
            frames += 1;
            video.requestVideoFrameCallback(tick);
          };
          video.requestVideoFrameCallback(tick);
          setTimeout(() => resolve({ frames, width: video.videoWidth, height: video.videoHeight }), span);
        }),
      [userID, ms] as const,
    );
  }

  /** The user IDs of the remote tiles shown. */
  async remoteTiles(): Promise<string[]> {
    return this.page.$$eval('#tiles .tile:not(.local)', (tiles) => tiles.map((t) => (t as HTMLElement).dataset.userId ?? '').sort());
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}

/** An expected event: its name and the payload fields that matter (compare with {@link shape}). */
export const e = (name: string, payload: Record<string, unknown> = {}): LoggedEvent => ({ name, payload });

/** Reduces logged events to their names and the listed payload fields, for `toEqual` against `e(...)`. */
export function shape(events: readonly LoggedEvent[], fields: readonly string[] = ['userID', 'reason', 'isVideoAvailable', 'isAudioAvailable', 'sponsor']): LoggedEvent[] {
  return events.map(({ name, payload }) => ({
    name,
    payload: Object.fromEntries(Object.entries(payload).filter(([k]) => fields.includes(k))),
  }));
}
