/**
 * The ICE restart decisions on a simulated clock: restart at once on `failed`, after a moment
 * of `disconnected`, again while it does not come back, give up after the bounded attempts;
 * `connected` ends the recovery and allows every attempt again.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import { ICE_RECOVERY, IceRecovery } from '../../../adapters/webrtc/iceRecovery';

function setup(options = ICE_RECOVERY) {
  const clock = new SimulatedClock();
  const log: string[] = [];
  const recovery = new IceRecovery(clock, { restart: (n) => log.push(`restart ${n} @${clock.now()}`), giveUp: () => log.push(`give up @${clock.now()}`) }, options);
  return { clock, log, recovery };
}

describe('IceRecovery', () => {
  it('failed: restarts at once, again after 1.5 s, gives up at 3 s (within the 5 s leave grace), then nothing more', async () => {
    const { clock, log, recovery } = setup();
    recovery.state('connected');
    await clock.advance(1000);
    recovery.state('failed');
    await clock.advance(10_000);
    expect(log).toEqual(['restart 1 @1000', 'restart 2 @2500', 'give up @4000']);
    recovery.state('failed');
    await clock.advance(10_000);
    expect(log).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('disconnected: the browser gets 1 s first; back by itself -> no restart at all', async () => {
    const { clock, log, recovery } = setup();
    recovery.state('disconnected');
    await clock.advance(900);
    recovery.state('connected');
    await clock.advance(10_000);
    expect(log).toEqual([]);
  });

  it('disconnected for good: restarts at 1 s and 2.5 s, gives up at 4 s; failed meanwhile restarts at once', async () => {
    const a = setup();
    a.recovery.state('disconnected');
    await a.clock.advance(10_000);
    expect(a.log).toEqual(['restart 1 @1000', 'restart 2 @2500', 'give up @4000']);

    const b = setup();
    b.recovery.state('disconnected');
    await b.clock.advance(1200);
    b.recovery.state('failed');
    await b.clock.advance(10_000);
    expect(b.log).toEqual(['restart 1 @1000', 'restart 2 @1200', 'give up @2700']);
  });

  it('a restart that works: connected again -> no more restarts, and a later failure gets every attempt again', async () => {
    const { clock, log, recovery } = setup();
    recovery.state('failed');
    recovery.state('connecting');
    await clock.advance(300);
    recovery.state('connected');
    await clock.advance(10_000);
    expect(log).toEqual(['restart 1 @0']);
    recovery.state('failed');
    await clock.advance(10_000);
    expect(log).toEqual(['restart 1 @0', 'restart 1 @10300', 'restart 2 @11800', 'give up @13300']);
  });

  it('closed (the member left, the room was exited): no decision after it', async () => {
    const { clock, log, recovery } = setup();
    recovery.state('disconnected');
    recovery.state('closed');
    recovery.state('failed');
    await clock.advance(10_000);
    expect(log).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('the bound is configurable', async () => {
    const { clock, log, recovery } = setup({ disconnectedMs: 2000, attemptMs: 3000, maxAttempts: 3 });
    recovery.state('failed');
    await clock.advance(20_000);
    expect(log).toEqual(['restart 1 @0', 'restart 2 @3000', 'restart 3 @6000', 'give up @9000']);
  });
});
