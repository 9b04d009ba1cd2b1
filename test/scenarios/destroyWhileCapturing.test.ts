/**
 * destroy() while a call() or accept() waits for its devices (a permission prompt still up): the
 * method rejects at once with InvalidStateError "destroyed", as every pending promise does (README,
 * destroy()), not once the prompt is answered; and devices captured after that are released, as
 * nobody will use them. Before (the review of 2026-12-05), the promise waited for the capture.
 */
import { describe, expect, it } from 'vitest';
import type { RoomPort } from '../../adapters/RoomPort';
import { InvalidStateError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { heldCapture } from '../support/rooms';

type Outcome = { resolved: unknown } | { rejected: unknown } | 'pending';
/** Watches `p`: `now()` is its outcome once the callbacks pending have run, or 'pending'. */
function watch(p: Promise<unknown>): { now: () => Promise<Outcome> } {
  let seen: Outcome = 'pending';
  p.then((r) => void (seen = { resolved: r }), (e: unknown) => void (seen = { rejected: e }));
  return {
    now: async () => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      return seen;
    },
  };
}

/** `room` whose `unprepare()` (releasing what a capture holds) is counted. */
function countingUnprepare(room: RoomPort): { room: RoomPort; released: () => number } {
  let released = 0;
  const counted = new Proxy(room, {
    get(target, prop) {
      if (prop === 'unprepare') return () => void released++;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { room: counted, released: () => released };
}

describe('destroy() while the devices are asked for', () => {
  it.each(['call', 'accept'] as const)('%s(): rejects "destroyed" at once; the capture that lands after is released', async (method) => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const real = net.backend();
    const capture = heldCapture(real.room);
    const counted = countingUnprepare(capture.room);
    const alice = new TRTCCalling({ SDKAppID: 1, backend: { ...real, room: counted.room } });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 's' });
    await bob.login({ userID: 'bob', userSig: 's' });
    await net.advance(100);
    if (method === 'accept') {
      await bob.call({ userID: 'alice', type: 1 });
      await net.advance(100);
      expect(alice.getSnapshot().call?.state).toBe('ringing');
    }

    const asked = watch(method === 'call' ? alice.call({ userID: 'bob', type: 1 }) : alice.accept());
    await net.advance(10);
    expect(capture.asked()).toBe(true);
    const destroyed = alice.destroy();
    await net.advance(1000);
    await destroyed;
    const now = await asked.now();
    expect(now).toMatchObject({ rejected: expect.any(InvalidStateError) });
    expect(((now as { rejected: Error }).rejected).message).toMatch(/destroyed/);
    expect(counted.released()).toBe(0);

    capture.release(); // the prompt answered after all
    await asked.now();
    expect(counted.released()).toBe(1);
    void bob.destroy();
  });
});
