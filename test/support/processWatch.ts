/**
 * What reaches the process while it is watched: an uncaught exception or an unhandled rejection. Either ends a
 * Node process (a server's, an app's) when nothing else listens, so the crash-audit tests expect none.
 */
import { afterEach, beforeEach } from 'vitest';

/** Watches from now until `stop()`; what reaches the process goes into `reached`. */
export function watchProcess(reached: unknown[] = []): { readonly reached: unknown[]; stop(): void } {
  const onReached = (error: unknown) => void reached.push(error);
  process.on('uncaughtException', onReached);
  process.on('unhandledRejection', onReached);
  return {
    reached,
    stop() {
      process.off('uncaughtException', onReached);
      process.off('unhandledRejection', onReached);
    },
  };
}

/**
 * Watches each test of the calling `describe`, emptied before each. Called before the describe's own hooks, the
 * watch ends after their clean-up (after-hooks run last registered first).
 */
export function watchEachTest(): unknown[] {
  const reached: unknown[] = [];
  let stop: (() => void) | null = null;
  beforeEach(() => {
    reached.length = 0;
    stop = watchProcess(reached).stop;
  });
  afterEach(() => stop?.());
  return reached;
}
