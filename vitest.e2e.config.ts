import { defineConfig } from 'vitest/config';

/** Browser tests: headless Chromium driving the demo page (npm run test:e2e). One file at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    // The files run one after another in one worker: a fork per file started Node, vitest and playwright-core and
    // the server's modules again each time (about 2 CPU s a file). Nothing a file leaves in those modules is read by
    // another (each test starts its own server, Chromium context and pages), and Chromium's pages run apart anyway.
    isolate: false,
    // One Chromium for every file that needs no flags of its own (test/e2e/support/sharedChromium.ts).
    globalSetup: ['test/e2e/support/sharedChromium.ts'],
    // Generous: on a shared 2-core machine a three-page call can take a minute of waiting for frames.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
