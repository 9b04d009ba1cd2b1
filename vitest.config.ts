import { availableParallelism } from 'node:os';
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
    // One test file per core. Vitest's default leaves a core to its main process (cores - 1 workers): on a
    // 2-core machine that ran the 321 files one at a time, while most of a file's time is spent waiting (on
    // Redis, sockets, child processes, a fork starting and its imports: the run took 509 s for 288 s of
    // tests). Two workers on 2 cores: 513 s -> 320 s, every test passing (2026-12-06, same machine).
    maxWorkers: availableParallelism(),
  },
});
