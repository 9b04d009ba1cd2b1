import { defineConfig } from 'vitest/config';

/** Browser tests: headless Chromium driving the demo page (npm run test:e2e). Two files at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // Two files at a time, each in a worker of its own. A file alone keeps about 1.2 cores busy (2026-12-07, each
    // process's CPU read from /proc, Chromium's renderers, GPU and utility processes included: call.e2e 40 CPU s in
    // 34 s, cluster.e2e 64 in 52), so two files side by side ask for more than a 2-core machine has and the tier's
    // time follows its CPU: a page opened and signed in costs about 1.6 CPU s (a renderer process, the load,
    // playwright's setup, the login), a 1v1 video call about 1 CPU s a second (0.4 in Chromium's GPU process, 0.4 in
    // the two renderers, 0.1 in its audio service). Timing the vitest command, as was done before, counts less than half of it (0.33-0.39
    // of a core then; call.e2e under /usr/bin/time: 15.0 CPU s in 32.9 s, against 36.9 read from /proc in the same
    // run): most of Chromium's processes are not children it reaps. Every file starts its own servers on free ports,
    // its pages in browser contexts of their own, its own Redis prefix and coturn port, so two files share nothing but
    // the Chromium process. Vitest starts the largest file first (cluster.e2e.test.ts, the longest by far); the others
    // fill the other worker.
    maxWorkers: 2,
    // A worker runs its files one after another in one process: a fork per file started Node, vitest and
    // playwright-core and the server's modules again each time (about 2 CPU s a file). Nothing a file leaves in those
    // modules is read by another (each test starts its own server, Chromium context and pages).
    isolate: false,
    // One Chromium for every file that needs no flags of its own (test/e2e/support/sharedChromium.ts).
    globalSetup: ['test/e2e/support/sharedChromium.ts'],
    // Generous: on a shared 2-core machine a three-page call can take a minute of waiting for frames.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
