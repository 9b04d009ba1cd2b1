/**
 * `new TRTCCalling({ config })` is validated as every parameter is (found by the newcomer review of
 * 2026-12-04): the constructor took any `config`, so a key given as `undefined` wiped its default (the
 * caller's no-answer timer never ran) and a string delay was concatenated into the timer's.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling, type TRTCCallingOptions } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

describe('new TRTCCalling({ config })', () => {
  it('a config key given as undefined keeps its default: an unreached invitee ends the call at timeout + 5 s', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const grace: number | undefined = undefined; // e.g. read from an app setting that is not set
    const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: { noAnswerGraceMs: grace as unknown as number } });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 'x' });
    await bob.login({ userID: 'bob', userSig: 'x' });
    net.im.setReachable('bob', false); // the invitation never arrives: only the caller's own timer can end the call
    const ends: string[] = [];
    alice.on(TRTCCalling.EVENT.CALL_END, ({ reason }) => ends.push(reason));
    await alice.call({ userID: 'bob', type: 1, timeout: 30 });
    await net.advance(60_000);
    expect(ends).toEqual(['noResponse']); // it dialled for ever
  });

  it('a config value of the wrong type is an InvalidParameterError', () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    // '5000' + 30 s made the caller's timer fire after 40 ms (string concatenation of the delay).
    expect(() => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: { noAnswerGraceMs: '5000' as unknown as number } })).toThrow(InvalidParameterError);
  });

  it('an unknown key, a negative or fractional delay, a config that is not an object: InvalidParameterError naming it', () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const make = (config: unknown) => () => new TRTCCalling({ SDKAppID: 1, backend: net.backend(), config: config as never });
    expect(make({ noAnswerGrace: 5000 })).toThrow(InvalidParameterError);
    expect(make({ exitTimeoutMs: -1 })).toThrow(/exitTimeoutMs: must not be negative/);
    expect(make({ leaveGraceMs: 1.5 })).toThrow(/leaveGraceMs/);
    expect(make('nonsense')).toThrow(/config must be an object/);
    expect(make({ aloneTimeoutMs: 2000, missingMemberMs: undefined })).not.toThrow();
    // What the backend sets is no tunable: the type leaves it out (it offered it), the constructor refuses it.
    // @ts-expect-error multiDevice is not a tunable of config
    const typed: TRTCCallingOptions['config'] = { multiDevice: true };
    expect(make(typed)).toThrow(/unknown key multiDevice/);
  });
});
