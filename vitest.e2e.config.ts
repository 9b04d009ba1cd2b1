import { defineConfig } from 'vitest/config';

/** Browser tests: headless Chromium driving the demo page (npm run test:e2e). One file at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
