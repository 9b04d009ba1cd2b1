/**
 * One Chromium for the whole browser tier (vitest.e2e.config.ts `globalSetup`): launched once with the default
 * flags, its DevTools URL handed to every test file (`inject('chromiumCdp')`), closed after the last file.
 * A file whose suite needs flags of its own (three fake cameras, a WAV for the microphone, a host rule) still
 * launches its own. Each page lives in a browser context of its own (`DemoUser.open`), so no cookie, storage
 * or permission of one file reaches another; what a file shares is the browser process, which a file launched
 * and closed again for itself before (2026-12-06: 1-3 s a file on the AMD machine, 13 of the 16 launches).
 */
import type { TestProject } from 'vitest/node';
import { launchChromium } from './browser';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's DevTools WebSocket URL. */
    chromiumCdp: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromium = await launchChromium();
  project.provide('chromiumCdp', chromium.cdpUrl);
  return () => chromium.close();
}
