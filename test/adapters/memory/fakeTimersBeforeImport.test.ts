/**
 * Timers faked before the library loads and kept faked: the memory network's time still moves (`drain()` skips a fake
 * timer's function and waits on a `MessageChannel` message, which fake-timers libraries leave alone). The review of
 * 7d324ea, which had kept the fake `setImmediate` seen at load: every `advance()` hung.
 */
import { expect, it, vi } from 'vitest';

const realSetTimeout = globalThis.setTimeout;
vi.useFakeTimers(); // what a setup file does, before any test file imports the library

it('vi.useFakeTimers() before the library is imported -> advance() still resolves', async () => {
  const { createMemoryNetwork, SimulatedClock } = await import('../../../src/testing');
  const { TRTCCalling } = await import('../../../src/index');
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const login = alice.login({ userID: 'alice', userSig: 's' });
  const outcome = await Promise.race([
    net.advance(100).then(() => 'advanced'),
    new Promise((r) => realSetTimeout(() => r('advance() hung'), 2000)),
  ]);
  vi.useRealTimers();
  expect(outcome).toBe('advanced');
  await login;
});
