/**
 * (The app-developer review of 2026-12-04 evening; fixed since: `SafeEmitter.clear` stops an emit under way.)
 * README (API, destroy()): "Every pending promise settles at once (...); no event is emitted after it."
 *
 * An app that tears its call screen down from an event listener (destroy() on CALL_END, on
 * INVITED for a "do not disturb" mode, ...) still has the event delivered, after destroy()
 * returned, to every listener registered after the one that destroyed: the emitter iterates a
 * copy of the listener list that destroy()'s clear() does not reach. Here a second listener (any
 * other component, or captureEvents) hears CALL_END after destroy().
 */
import { expect, it } from 'vitest';
import TRTCCalling from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

it('no listener is called after destroy(), even one of the event being emitted', async () => {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  await alice.login({ userID: 'alice', userSig: 's' });
  await bob.login({ userID: 'bob', userSig: 's' });

  let destroyed = false;
  const heardAfterDestroy: string[] = [];
  // Component 1: the call screen unmounts when the call ends.
  bob.on(TRTCCalling.EVENT.CALL_END, () => {
    destroyed = true;
    void bob.destroy();
  });
  // Component 2 (registered later): anything else listening to the same instance.
  for (const name of [TRTCCalling.EVENT.CALL_END, TRTCCalling.EVENT.INVITED, TRTCCalling.EVENT.USER_LEAVE])
    bob.on(name, () => {
      if (destroyed) heardAfterDestroy.push(name);
    });

  bob.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.accept({ inviteID }));
  await alice.call({ userID: 'bob', type: 1, timeout: 30 });
  await net.advance(500);
  await alice.hangup();
  await net.advance(10_000);

  expect(destroyed).toBe(true);
  // Got: ['onCallEnd']
  expect(heardAfterDestroy).toEqual([]);
});
