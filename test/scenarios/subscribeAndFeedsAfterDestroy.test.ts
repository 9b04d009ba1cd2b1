/**
 * two gaps around the facade's own listeners:
 * - subscribe() checks nothing: subscribe(42) (a typo, `subscribe(store.listener)` with the method unbound
 *   to undefined) returns normally, and then every change of the view raises ERROR 65535 "a store subscriber
 *   threw". on() refuses a callback that is not a function at once (InvalidParameterError), as "every method
 *   validates its parameters" (README, API).
 * - on(USER_VOICE_VOLUME) after destroy() is taken, and starts the room's 200 ms measuring timer, which
 *   nothing stops any more (destroy() cleared the listeners already): on a real clock it keeps Node's event
 *   loop alive, for an instance that can never emit again.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('the facade\'s own listeners', () => {
  const t = memoryUsers('alice', 'bob');

  it('subscribe(42) -> InvalidParameterError at once, as on() with a callback that is not a function; no ERROR later', async () => {
    expect(() => t.alice.calling.on('onInvited', 42 as never)).toThrow(InvalidParameterError); // control
    expect(() => t.alice.calling.subscribe(42 as never)).toThrow(InvalidParameterError); // it failed: returned
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    expect(t.alice.take().filter((e) => e.name === 'onError')).toEqual([]); // it failed: "a store subscriber threw"
  });
});

describe('after destroy()', () => {
  it('on(USER_VOICE_VOLUME) starts no measuring: no timer left on the clock', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const alice = new TRTCCalling({ SDKAppID: 1400000001, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 'sig-alice' });
    const done = alice.destroy();
    await net.advance(S);
    await done;
    expect(clock.pending()).toBe(0); // control: nothing runs for a destroyed instance
    let heard = 0;
    try {
      alice.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, () => heard++);
    } catch {
      // refusing it is fine too
    }
    await net.advance(10 * S);
    expect(heard).toBe(0);
    expect(clock.pending()).toBe(0); // it failed: 1, the volume feed's timer, re-armed every 200 ms for ever
  });
});
