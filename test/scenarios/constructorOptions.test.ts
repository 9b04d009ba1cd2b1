/**
 * The API-parity audit of 2026-12-07 (fixed since): the constructor checked `SDKAppID`, `backend` and `config`,
 * but not its other documented options. A `clock` that is no clock was taken, and the first `login()` rejected
 * with a bare `TypeError` (`clock.now is not a function`), or XState's timers threw later; an `inspect` that is no
 * observer (the Stately inspector object itself, where its `.inspect` was meant) was ignored in silence; an
 * `onDropped` that is no function threw at every dropped message. Each is now refused at once with
 * `InvalidParameterError`, and nothing is started. Its leftovers: an `SDKAppID` past 2^32-1 was taken, where Tencent's
 * is a uint32 (TIM, TRTC and the userSig carry it so): refused now, by the facade and by `tencentBackend()`.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling } from '../../src/index';
import { tencentBackend } from '../../src/tencent';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

describe('new TRTCCalling() checks every option it documents', () => {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  const make = (options: Record<string, unknown>) => () => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), ...options } as never);
  const statelyInspectorObject = { inspect: { next: () => undefined }, start: () => undefined, stop: () => undefined };

  it.each([
    ['a clock that is a number', { clock: 5 }, /clock/],
    ['a clock without timers', { clock: { now: () => 0 } }, /clock/],
    ['an inspect that is a string', { inspect: 'yes' }, /inspect/],
    ["the Stately inspector object, not its .inspect", { inspect: statelyInspectorObject }, /inspect/],
    ['an onDropped that is not a function', { onDropped: 7 }, /onDropped/],
  ])('%s -> InvalidParameterError (-1202), at once', (_, options, message) => {
    expect(make(options)).toThrow(InvalidParameterError);
    expect(make(options)).toThrow(message);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, '1400000001', 2 ** 32, 2 ** 53])('SDKAppID %s -> InvalidParameterError (-1202); tencentBackend() a TypeError', (SDKAppID) => {
    expect(make({ SDKAppID })).toThrow(InvalidParameterError);
    expect(make({ SDKAppID })).toThrow(/^new TRTCCalling: SDKAppID (must be a positive integer|is at most 4294967295)/);
    expect(() => tencentBackend({ SDKAppID: SDKAppID as number })).toThrow(TypeError);
  });

  it('SDKAppID 1 and 2^32-1, the uint32 range, are taken', async () => {
    for (const SDKAppID of [1, 2 ** 32 - 1]) {
      const calling = make({ SDKAppID })();
      expect(calling.SDKAppID).toBe(SDKAppID);
      expect(tencentBackend({ SDKAppID }).im).toBeDefined();
      await calling.destroy();
    }
  });

  it('what the README shows is taken: a SimulatedClock, an observer, a function, undefined or null for each (no value)', async () => {
    for (const options of [
      { clock },
      { clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined } },
      { inspect: { next: () => undefined } },
      { inspect: () => undefined },
      { onDropped: () => undefined },
      { clock: undefined, inspect: undefined, onDropped: undefined },
      { clock: null, inspect: null, onDropped: null },
    ]) {
      const calling = make(options)();
      await expect(calling.login({ userID: 'alice', userSig: 'sig' })).resolves.toEqual({ code: 0 });
      await calling.destroy();
    }
  });
});
