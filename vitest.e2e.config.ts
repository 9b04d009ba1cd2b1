import { defineConfig } from 'vitest/config';

/** Browser tests: headless Chromium driving the demo page (npm run test:e2e). Two files at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // Two files at a time, each in a worker of its own. A browser file spends most of its time waiting (pages loading
    // and signing in, ICE, frames, a server or a cluster node starting, a grace run out), not working: one file at a
    // time the tier used 0.33-0.39 of a core (its CPU time, Chromium's included, over its wall time, 3 runs). Every
    // file starts its own servers on free ports, its pages in browser contexts of their own, its own Redis prefix and
    // coturn port, so two files share nothing but the Chromium process. Vitest starts the largest file first
    // (cluster.e2e.test.ts, the longest by far); the others fill the other worker.
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
