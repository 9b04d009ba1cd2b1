/**
 * Headless Chromium for the browser tests and the benchmark, launched the way
 * shared/design/toolchain.md says: Debian's chromium spawned with exact flags (fake camera and
 * microphone, loopback ICE), a fresh profile, the DevTools URL read from stderr, and
 * playwright-core attached over CDP. `close()` ends the child by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is (`CHROMIUM` overrides). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
  '--autoplay-policy=no-user-gesture-required',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--allow-loopback-in-peer-connection',
  // Background pages must keep decoding video and running timers on a busy 2-core machine.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** A running Chromium. */
export interface RunningBrowser {
  readonly browser: Browser;
  /** Its DevTools WebSocket URL (another process may attach to it: {@link attachChromium}). */
  readonly cdpUrl: string;
  close(): Promise<void>;
}

/** Starts Chromium and attaches to it (fails after 20 s without a DevTools URL). */
export async function launchChromium(extraFlags: readonly string[] = []): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'hc-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, ...extraFlags, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so that stopping it stops its helper processes too.
    detached: true,
  });
  const url = await devtoolsUrl(child);
  const browser = await chromium.connectOverCDP(url);
  return {
    browser,
    cdpUrl: url,
    async close() {
      await browser.close().catch(() => undefined); // over CDP this only disconnects
      await stop(child);
      await removeProfile(profile);
    },
  };
}

/** Attaches to a Chromium another process launched (the shared one, `sharedChromium.ts`); `close()` only detaches. */
export async function attachChromium(cdpUrl: string): Promise<RunningBrowser> {
  const browser = await chromium.connectOverCDP(cdpUrl);
  return {
    browser,
    cdpUrl,
    async close() {
      await browser.close().catch(() => undefined); // over CDP this only disconnects (and closes this connection's contexts)
    },
  };
}

function devtoolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`no DevTools URL from ${CHROMIUM} in 20 s:\n${text}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (error) => fail(new Error(`cannot start ${CHROMIUM}: ${error.message}`)));
    const early = (code: number | null) => fail(new Error(`${CHROMIUM} exited (${code}) before DevTools listened:\n${text}`));
    child.once('exit', early);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', early);
      child.stderr?.off('data', onData);
      child.stderr?.resume(); // keep draining what Chromium still logs
      resolve(match[1]);
    };
    child.stderr?.on('data', onData);
  });
}

/** Ends the child's process group (the child and its helpers) by its pid: SIGTERM, then SIGKILL after 3 s. */
async function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // the group is gone already
    }
  };
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Helpers may still write into the profile for a moment after the main process ended. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(profile, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
