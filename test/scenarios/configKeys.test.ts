/**
 * The review of fbef0ed (2026-12-04; fixed since): parseConfig finds an unknown key with `k in CONFIG_KEYS`, which also sees
 * Object.prototype's names: `toString`, `constructor`, `hasOwnProperty`, `__proto__` (own, as
 * JSON.parse makes it) pass as known and are then dropped in silence, where the commit and the
 * config test say "an unknown key is refused".
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

describe('config keys named as Object.prototype members', () => {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const make = (config: unknown) => () => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: config as never });

  it('an unknown key is refused (control: a plain misspelling)', () => {
    expect(make({ noAnswerGrace: 5000 })).toThrow(InvalidParameterError);
  });

  it.each([
    ['toString', { toString: 5000 }],
    ['constructor', { constructor: 5000 }],
    ['hasOwnProperty', { hasOwnProperty: 1 }],
    ['__proto__ (from JSON)', JSON.parse('{"__proto__": {"noAnswerGraceMs": "x"}}')],
  ])('an unknown key named %s is refused too', (_, config) => {
    expect(make(config)).toThrow(InvalidParameterError); // it failed: accepted and ignored
  });
});
