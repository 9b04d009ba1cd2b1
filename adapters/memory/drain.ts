/**
 * Lets every pending microtask chain run to completion.
 *
 * This is not a sleep: it waits for no amount of time, only for the event loop to reach its
 * next macrotask. The host drains the whole microtask queue before any macrotask runs, so a
 * promise chain started by a port (`await port.enter()` → bridge actor → machine event, each
 * link a microtask) has finished by the time `drain()` resolves. `SimulatedClock` calls it after
 * every timer so that simulated time never moves while such a chain is still in flight.
 */

/**
 * The host's own next-macrotask function, taken when this module loads: a test framework's fake timers installed
 * later (`vi.useFakeTimers()` fakes `setImmediate`) would never run it, and every `advance()` would hang.
 */
const hostImmediate = typeof setImmediate === 'function' ? setImmediate : undefined;
const hostTimeout = setTimeout;

/** Resolves on the next macrotask (`setImmediate` when the host has it, else `setTimeout(0)`). */
export function drain(): Promise<void> {
  return new Promise<void>((resolve) => (hostImmediate ? hostImmediate(resolve) : hostTimeout(resolve, 0)));
}
