/**
 * The one wait for real I/O of the tests (sockets, server processes, a server's own timers): it ends on
 * the condition itself, never after a fixed time. `test/security/support.ts` hands it on to the attacks.
 */
import { drain } from '../../src/testing';

/** How long a wait for real I/O may take before the test fails (a stall, not a speed claim). */
export const WAIT_MS = 10_000;

/**
 * For this long a wait checks at every turn of the event loop (most end within a few: a socket's next event,
 * and the clock of `hostileNet.ts` waits for quiet before each step), then every {@link POLL_MS}, so that a long
 * one (a server's own timeout, a process starting) does not spin a core of a shared machine meanwhile.
 */
const EAGER_MS = 50;
const POLL_MS = 10;
/** The host's `setTimeout` as this module loaded (a test that fakes timers later does not stop the wait). */
const loadedTimeout = setTimeout;

/**
 * Resolves once `done()` holds; throws after `waitMs` ({@link WAIT_MS} by default) of real waiting. A caller for
 * whom the time running out is an outcome too catches that (and says why).
 */
export async function until(what: string, done: () => boolean, waitMs = WAIT_MS): Promise<void> {
  const start = Date.now();
  while (!done()) {
    const waited = Date.now() - start;
    if (waited > waitMs) throw new Error(`waited ${waitMs} ms (real I/O) for ${what}`);
    if (waited < EAGER_MS) await drain();
    else await new Promise((resolve) => loadedTimeout(resolve, POLL_MS));
  }
}
