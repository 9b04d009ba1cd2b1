import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files that must each start in a fresh process with fresh modules (vitest's default), the rest share their
 * worker's modules (`isolate: false`): a fork per file started Node and vitest and imported the sources again each
 * time, about half a second of CPU a file, 352 times. Keep a file here when what it tests is the state of a fresh
 * process, or when it leaves state behind that the next file would read:
 */
const ISOLATED = [
  // `vi.mock` of a module the sources import: the mock holds only for modules first imported after it.
  'test/server/tokens.test.ts',
  'test/tencent/noSdkLoad.test.ts',
  // The library imported while the host's timers are faked (a setup file's `vi.useFakeTimers()`): in a shared
  // worker it was imported long before, and the test would pass without testing that.
  'test/adapters/memory/fakeTimersBeforeImport.test.ts',
  'test/adapters/memory/fakeTimersSetupThenReal.test.ts',
  // The README's programs run as written, their modules first loaded under fake timers, as in a fresh program.
  'test/readme.test.ts',
  // Bounds on the heap a process keeps, measured in it (`memoryInUse`, `retainedData`): set against the heap of a
  // process that runs this file alone, not one holding what 300 other files compiled and cached.
  'test/security/chunks.security.test.ts',
  'test/security/fragments.security.test.ts',
  'test/security/floods.security.test.ts',
  'test/security/fuzz.test.ts',
  'test/security/memory.security.test.ts',
  'test/security/staticFiles.security.test.ts',
  'test/security/storedCopies.security.test.ts',
  'test/security/week.security.test.ts',
  'test/scenarios/week.test.ts',
  'test/scenarios/embedded.week.test.ts',
  'test/cluster/week.test.ts',
  // Property runs and benchmarks: small files that run long (the calling property test, 1.5 KB, 11-66 s). Vitest
  // starts the files it has no durations of (a fresh clone, as in CI) largest first, and the isolated project before
  // the shared one: among the shared files that one came last, running alone for its last 8 s (quiet machine) or more.
  'test/property/**/*.test.ts',
  'test/bench/**/*.test.ts',
];

export default defineConfig({
  test: {
    // `include` is each project's own (a project's lists extend the root's, they do not replace them).
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
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
      { extends: true, test: { name: 'shared', isolate: false, include: ['test/**/*.test.ts'], exclude: ISOLATED } },
    ],
  },
});
