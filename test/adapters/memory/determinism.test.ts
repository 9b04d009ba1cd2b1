/**
 * What `headless-calling/testing` promises a user's tests (README, "Testing your app"): the memory path reads no
 * real clock and no randomness, the same steps give the same events, times, IDs and IM log, and two networks in
 * one test share nothing. Through the public entry points only, as a user's test would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT, TRTCCalling } from '../../../src/index';
import { captureEvents, createMemoryNetwork, SimulatedClock } from '../../../src/testing';

type Net = ReturnType<typeof createMemoryNetwork>;

/** Alice calls Bob (dropped once, seeded faults), Bob accepts, Carol is called offline and rings at login, all hang up. */
async function script(net: Net) {
  const mk = () => new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const [alice, bob, carol] = [mk(), mk(), mk()];
  const logs = [alice, bob, carol].map((c) => captureEvents(c));
  net.im.setFaults({ jitter: 15, reorderRate: 0.3, seed: 42 });
  net.im.addRule({ match: (m) => m.to === 'bob', action: { delay: 70 }, times: 1 });
  const logins = [alice.login({ userID: 'alice', userSig: 's' }), bob.login({ userID: 'bob', userSig: 's' })];
  await net.advance(200);
  await Promise.all(logins);
  const dial = alice.call({ userID: 'bob', type: 2, timeout: 30 });
  await net.advance(300);
  await dial;
  const accepted = bob.accept();
  await net.advance(1_000);
  await accepted;
  const hungUp = alice.hangup();
  await net.advance(6_000);
  await hungUp;
  const toCarol = bob.call({ userID: 'carol', type: 1, timeout: 20 });
  await net.advance(300);
  await toCarol;
  const carolIn = carol.login({ userID: 'carol', userSig: 's' });
  await net.advance(300);
  await carolIn;
  await net.runUntilIdle();
  const destroyed = [alice, bob, carol].map((c) => c.destroy());
  await net.advance(10_000);
  await Promise.all(destroyed);
  return { events: logs.map((l) => l.log.map(({ name, payload, at }) => ({ name, payload, at }))), im: net.im.log, now: net.clock.now() };
}

describe('the memory network is deterministic', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads no real clock, timer or randomness in a whole run with faults (XState stamps its own scheduler bookkeeping with Date.now: that read alone is allowed)', async () => {
    const reads: string[] = [];
    const guard = <T extends object>(target: T, key: keyof T & string, label: string) => {
      const real = (target[key] as (...args: unknown[]) => unknown).bind(target);
      vi.spyOn(target, key as never).mockImplementation(((...args: unknown[]) => {
        const stack = new Error().stack ?? '';
        // xstate's createSystem().scheduler.schedule records `startedAt: Date.now()` in the system's
        // snapshot (read only to restore a persisted snapshot, which the core never does); its timer runs on our clock.
        if (!(label === 'Date.now' && /at Object\.schedule .*node_modules[\\/]xstate[\\/]/.test(stack))) reads.push(label);
        return real(...args);
      }) as never);
    };
    guard(Date, 'now', 'Date.now');
    guard(globalThis, 'setTimeout', 'setTimeout');
    guard(globalThis, 'setInterval', 'setInterval');
    guard(performance, 'now', 'performance.now');
    guard(Math, 'random', 'Math.random');
    guard(globalThis.crypto, 'randomUUID', 'crypto.randomUUID');
    guard(globalThis.crypto, 'getRandomValues', 'crypto.getRandomValues');
    const RealDate = Date;
    let constructed = 0;
    vi.stubGlobal('Date', new Proxy(RealDate, { construct: (target, args) => (constructed++, Reflect.construct(target, args)) }));
    const run = await script(createMemoryNetwork({ clock: new SimulatedClock() }));
    vi.unstubAllGlobals();
    expect(run.events[2]!.map((e) => e.name)).toContain(EVENT.INVITED);
    expect(reads).toEqual([]);
    expect(constructed).toBe(0);
  });

  it('the same steps twice: the same events, payloads, times, IDs and IM log', async () => {
    const first = await script(createMemoryNetwork({ clock: new SimulatedClock() }));
    const second = await script(createMemoryNetwork({ clock: new SimulatedClock() }));
    expect(second).toEqual(first);
    expect(first.im.length).toBeGreaterThanOrEqual(5);
    expect(first.events[0]!.find((e) => e.name === EVENT.USER_ENTER)).toBeDefined();
  });

  it('two networks in one test, their steps interleaved, run as each would alone: IDs, clocks and users are their own', async () => {
    const alone = await script(createMemoryNetwork({ clock: new SimulatedClock() }));
    const [a, b] = await Promise.all([script(createMemoryNetwork({ clock: new SimulatedClock() })), script(createMemoryNetwork({ clock: new SimulatedClock() }))]);
    expect(a).toEqual(alone);
    expect(b).toEqual(alone);
  });
});
