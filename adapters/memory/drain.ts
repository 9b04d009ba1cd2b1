/**
 * Lets every pending microtask chain run to completion.
 *
 * This is not a sleep: it waits for no amount of time, only for the event loop to reach its
 * next macrotask. The host drains the whole microtask queue before any macrotask runs, so a
 * promise chain started by a port (`await port.enter()` → bridge actor → machine event, each
 * link a microtask) has finished by the time `drain()` resolves. `SimulatedClock` calls it after
 * every timer so that simulated time never moves while such a chain is still in flight.
 */

/** The `setImmediate` and `setTimeout` there were when this module loaded (the host's, unless a test had faked them already). */
const loadedImmediate = typeof setImmediate === 'function' ? setImmediate : undefined;
const loadedTimeout = setTimeout;

/** A test framework's fake timer (@sinonjs/fake-timers, behind vitest's and jest's, marks each with its `clock`): never run unless the test ticks it. */
const isFake = (fn: unknown): boolean => typeof fn === 'function' && 'clock' in fn;

/**
 * Resolves on the next macrotask: the host's `setImmediate` (the one there at load, else the one there now, whichever is
 * not a fake timer's: a test's own stub, `vi.stubGlobal('setImmediate', vi.fn())`, is never the one there at load), else
 * a `MessageChannel` message (no fake-timers library fakes it), else `setTimeout(0)`. Waiting on a faked `setImmediate`
 * hung every `advance()` of a test that fakes the timers (`vi.useFakeTimers()`).
 */
export function drain(): Promise<void> {
  return new Promise<void>((resolve) => {
    const current = typeof setImmediate === 'function' ? setImmediate : undefined;
    const immediate = loadedImmediate && !isFake(loadedImmediate) ? loadedImmediate : current && !isFake(current) ? current : undefined;
    if (immediate) return void immediate(resolve);
    if (typeof MessageChannel === 'function') {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
      return;
    }
    loadedTimeout(resolve, 0);
  });
}
