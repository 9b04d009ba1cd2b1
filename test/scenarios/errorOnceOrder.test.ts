/**
 * A dial whose invitation the IM refuses says ERROR once, and the cancel sent after it is not told
 * again (inviteNotSent.test.ts). But only an invitation whose refusal was told counts so: the user
 * hung up while the invitation's send was still out (the IM failing sends only after a timeout), the
 * invitation's refusal came while the call ended (not told) and then the cancel's: that one is told,
 * or the user hears nothing of a cancel that did not go (found by the review of the change, 2026-12-04).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import type { Backend } from '../../adapters/backend';
import { captureEvents, createMemoryNetwork, SimulatedClock } from '../../src/testing';

const SEND_TIMEOUT = 3000;

describe('hangup() while the invitation\'s send is still out, then both sends fail', () => {
  it('the user hears ERROR (once), as before the change', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const real = net.backend();
    // Alice's IM sends take SEND_TIMEOUT to settle (TIM on a dead network fails a send after its timeout).
    const im = new Proxy(real.im, {
      get(target, prop) {
        if (prop === 'sendToUser')
          return (to: string, payload: string, options: unknown) =>
            new Promise<void>((resolve, reject) => {
              clock.setTimeout(() => void (target.sendToUser as (...a: unknown[]) => Promise<void>)(to, payload, options).then(resolve, reject), SEND_TIMEOUT);
            });
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const alice = new TRTCCalling({ SDKAppID: 1, backend: { ...real, im } as Backend });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 's' });
    await bob.login({ userID: 'bob', userSig: 's' });
    await net.advance(100);
    const events = captureEvents(alice);
    net.im.setReachable('alice', false); // every send of Alice's will fail (2805), after the timeout
    const dialled = alice.call({ userID: 'bob', type: 1 }).catch((e: unknown) => e);
    await net.advance(100);
    expect(alice.getSnapshot().call?.state).toBe('dialing');
    await alice.hangup(); // the cancel goes out (and will fail too)
    await net.advance(2 * SEND_TIMEOUT);
    expect(await dialled).toMatchObject({ reason: 'notSent' });
    expect(events.names()).toContain(TRTCCalling.EVENT.CALL_END);
    // Neither the invitation nor its cancel went: the user must hear of it.
    expect(events.names().filter((n) => n === TRTCCalling.EVENT.ERROR)).toHaveLength(1);
    void alice.destroy();
    void bob.destroy();
  });
});
