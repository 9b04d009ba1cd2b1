/**
 * The memory network in a test that also fakes the host's timers (`vi.useFakeTimers()`, which fakes `setImmediate`
 * by default): its virtual time still moves. `drain()` waited on the faked `setImmediate`, so every `advance()` hung
 * for good (a newcomer's property test of her own app).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TRTCCalling } from '../../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../../src/testing';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});
const hostTimeout = globalThis.setTimeout; // a guard on real time, only to fail rather than hang

describe('the memory network under fake timers', () => {
  it('vi.useFakeTimers(): a login and a call go in virtual time, advance() resolves', async () => {
    vi.useFakeTimers();
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const [alice, bob] = [new TRTCCalling({ SDKAppID: 1, backend: net.backend() }), new TRTCCalling({ SDKAppID: 1, backend: net.backend() })];
    const logins = Promise.all([alice.login({ userID: 'alice', userSig: 's' }), bob.login({ userID: 'bob', userSig: 's' })]);
    await net.advance(100);
    await logins;
    await alice.call({ userID: 'bob', type: 1 });
    await net.advance(1000);
    expect(bob.getCallStatus()).toBe('calling');
    for (const c of [alice, bob]) void c.destroy();
    await net.advance(1000);
  });
});

describe('the memory network beside a stubbed setImmediate', () => {
  it("setImmediate stubbed by the test (no fake-timers clock, never run): advance() still resolves (the review of f4a3fae, which took the stub)", async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    vi.stubGlobal('setImmediate', vi.fn()); // an app's test asserting that it schedules an immediate
    const login = alice.login({ userID: 'alice', userSig: 's' });
    const outcome = await Promise.race([net.advance(100).then(() => 'advanced'), new Promise((r) => hostTimeout(() => r('advance() hung'), 2000))]);
    vi.unstubAllGlobals();
    expect(outcome).toBe('advanced');
    await login;
    void alice.destroy();
    await net.advance(1000);
  });
});

describe('MemoryNetwork.runUntilIdle()', () => {
  it('runs every timer out (a call rings to its timeout) and says how far; with a measuring listener in a call, rejects at its limit rather than stopping silently', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const [alice, bob] = [new TRTCCalling({ SDKAppID: 1, backend: net.backend() }), new TRTCCalling({ SDKAppID: 1, backend: net.backend() })];
    await Promise.all([alice.login({ userID: 'alice', userSig: 's' }), bob.login({ userID: 'bob', userSig: 's' }), net.advance(100)]);
    await alice.call({ userID: 'bob', type: 1, timeout: 5 });
    expect(await net.runUntilIdle()).toBeGreaterThanOrEqual(5000); // its timeout, then the no-answer grace
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
    await alice.call({ userID: 'bob', type: 1 });
    await net.advance(100);
    await bob.accept();
    await net.advance(100);
    alice.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, () => undefined);
    await expect(net.runUntilIdle(10_000)).rejects.toThrow(/timer\(s\) still pending after 10000 virtual ms/);
    for (const c of [alice, bob]) void c.destroy();
    await net.advance(1000);
  });
});
