/** The tier's one Chromium (or one of the file's own, for flags of its own), a fresh server and fresh pages per test. */
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { type RunningBrowser, attachChromium, launchChromium } from './browser';
import { type DemoServer, demoServer } from './demoServer';
import type { ServerOptions } from '../../../server/index';
import type { BrowserContext, Page } from 'playwright-core';
import { DESKTOP, DemoUser } from './demoPage';

/**
 * The Chromium of a test file: with no flags of its own, the tier's shared one (`sharedChromium.ts`, when the
 * run has it), else one launched for the file. Either way `close()` after the file.
 */
export async function testChromium(flags: readonly string[] = []): Promise<RunningBrowser> {
  const shared = flags.length === 0 ? inject('chromiumCdp') : undefined;
  return shared ? attachChromium(shared) : launchChromium(flags);
}

/** Opens demo pages for the current test; everything is closed after it. */
export interface E2e {
  open(userID: string, options?: Parameters<typeof DemoUser.open>[3]): Promise<DemoUser>;
  /**
   * A page in a browser context of its own, at desktop size, on nothing yet and signed in as nobody (the server is
   * started): for what the page does before anyone signs in, without the cost of a sign-in the test does not look at.
   */
  blank(): Promise<Page>;
  readonly server: DemoServer;
}

/** One suite per test file: `flags` are extra Chromium flags, `server` options of its servers (or what makes them, read as each test's server starts). */
export function e2eSuite(suite: { readonly flags?: readonly string[]; readonly server?: Partial<ServerOptions> | (() => Partial<ServerOptions>) } = {}): E2e {
  let chromium: RunningBrowser | undefined;
  let server: DemoServer | undefined;
  const users: DemoUser[] = [];
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    chromium = await testChromium(suite.flags);
  });
  afterAll(async () => {
    await chromium?.close();
  });
  afterEach(async () => {
    for (const user of users.splice(0)) await user.close();
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await server?.dispose();
    server = undefined;
  });
  const started = async (): Promise<[RunningBrowser, DemoServer]> => {
    if (!chromium) throw new Error('Chromium is not running');
    server ??= await demoServer(typeof suite.server === 'function' ? suite.server() : suite.server);
    return [chromium, server];
  };
  return {
    async open(userID, options) {
      const [browser, running] = await started();
      const user = await DemoUser.open(browser.browser, running.handle.httpUrl, userID, options);
      users.push(user);
      return user;
    },
    async blank() {
      const [browser] = await started();
      const context = await browser.browser.newContext({ viewport: DESKTOP });
      contexts.push(context);
      return context.newPage();
    },
    get server() {
      if (!server) throw new Error('no server yet: open a page first');
      return server;
    },
  };
}
