/** A wait for real I/O that ends on the condition itself, never after a fixed time. */
import { drain } from '../../src/testing';

/** How long a wait for real I/O may take before the test fails (a stall, not a speed claim). */
export const WAIT_MS = 10_000;

/** Resolves once `done()` holds, checked at each turn of the event loop; throws after {@link WAIT_MS} of real waiting. */
export async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS} ms (real I/O) for ${what}`);
    await drain();
  }
}
