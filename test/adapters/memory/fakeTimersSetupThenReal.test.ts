/**
 * Timers faked when the library loads (a setup file's `vi.useFakeTimers()`, jest's `enableGlobally`), then real again in
 * a test: the memory network's time still moves. The review of 7d324ea: `drain()` had kept the `setImmediate` it saw
 * at load, the fake one, and every `advance()` hung (it looked the function up at each call before).
 */
import { expect, it, vi } from 'vitest';

const realSetTimeout = globalThis.setTimeout;
vi.useFakeTimers(); // the setup file

it('timers faked when the library loads, real again in the test -> advance() resolves', async () => {
  const { createMemoryNetwork, SimulatedClock } = await import('../../../src/testing');
  const { TRTCCalling } = await import('../../../src/index');
  vi.useRealTimers(); // this test opts out of the fake timers
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const login = alice.login({ userID: 'alice', userSig: 's' });
  const outcome = await Promise.race([
    net.advance(100).then(() => 'advanced'),
    new Promise((r) => realSetTimeout(() => r('advance() hung'), 2000)),
  ]);
  expect(outcome).toBe('advanced');
  await login;
});
