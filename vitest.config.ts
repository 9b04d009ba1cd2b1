import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.e2e.test.ts', 'node_modules/**'],
    environment: 'node',
    testTimeout: 20_000,
    // Graph exploration in beforeAll (test/machines/coverage.test.ts) takes seconds; on a loaded
    // 2-core machine the default 10 s hook timeout was hit while the work itself was fine.
    hookTimeout: 60_000,
  },
});
