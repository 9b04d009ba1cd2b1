/**
 * `config` durations and the timers they make (the review of fbef0ed, 2026-12-04; fixed since): they were
 * checked to be "at most what a timer can wait (2^31-1 ms)", but the machines add them to other delays (the
 * caller's no-answer timer is timeout*1000 + noAnswerGraceMs, a switch's wait 30 s + noAnswerGraceMs): a value
 * the check took made a timer past 2^31-1 ms, which setTimeout runs after 1 ms (a 30 s call ended at once).
 * Each is at most a day now.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

const MAX = 2 ** 31 - 1;
const DAY = 86_400_000;

describe('config durations and the timers they make', () => {
  it('2^31-1 ms is refused; with every duration at its most (a day) and the longest invitation, no timer the core sets is longer than a timer can wait', async () => {
    const sim = new SimulatedClock();
    const net = createMemoryNetwork({ clock: sim });
    expect(() => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: { noAnswerGraceMs: MAX } })).toThrow(InvalidParameterError);
    const asked: number[] = [];
    // The simulated clock, recording each delay asked for.
    const clock = {
      now: () => sim.now(),
      setTimeout: (fn: (...a: unknown[]) => void, ms: number) => (asked.push(ms), sim.setTimeout(fn, ms)),
      clearTimeout: (id: unknown) => sim.clearTimeout(id),
    };
    const config = { noAnswerGraceMs: DAY, exitTimeoutMs: DAY, aloneTimeoutMs: DAY, leaveGraceMs: DAY, missingMemberMs: DAY };
    const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend(), clock, config });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend(), clock, config });
    await alice.login({ userID: 'alice', userSig: 'x' });
    await bob.login({ userID: 'bob', userSig: 'x' });
    await alice.call({ userID: 'bob', type: 1, timeout: 86_400 });
    await net.advance(100);
    await bob.accept();
    await net.advance(100);
    // A switch waits for its answer 30 s + noAnswerGraceMs: asked, not waited for.
    void alice.switchToVideoCall().catch(() => undefined);
    await net.advance(100);
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.max(...asked)).toBeLessThanOrEqual(MAX);
  });
});
