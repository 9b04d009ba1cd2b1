/**
 * destroy() while a call() or accept() waits for its devices (a permission prompt still up): the
 * method rejects at once with InvalidStateError "destroyed", as every pending promise does (README,
 * destroy()), not once the prompt is answered; and devices captured after that are released, as
 * nobody will use them. Before (the review of 2026-12-05), the promise waited for the capture.
 */
import { describe, expect, it, vi } from 'vitest';
import type { RoomPort } from '../../adapters/RoomPort';
import { InvalidStateError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { watchProcess } from '../support/processWatch';
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

// The crash audit of Commands.until: what releasing the late devices throws (a room's unprepare) rejected a promise
// nobody handled, and an unhandled rejection ends a Node app. It is told on the console, as the facade's other
// errors that have no caller (an onDropped that throws, say).
describe('destroy() while the devices are asked for, and releasing them throws', () => {
  it("call(): the room's unprepare() throws for the capture that lands after destroy() -> told on the console, nothing reaches the process", async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const real = net.backend();
    const capture = heldCapture(real.room);
    const broken = new Error('unprepare broke');
    const room = new Proxy(capture.room, {
      get: (target, prop) => (prop === 'unprepare' ? () => { throw broken; } : Reflect.get(target, prop, target) as unknown),
    });
    const alice = new TRTCCalling({ SDKAppID: 1, backend: { ...real, room } });
    await alice.login({ userID: 'alice', userSig: 's' });
    const asked = watch(alice.call({ userID: 'bob', type: 1 }));
    await net.advance(10);
    expect(capture.asked()).toBe(true);
    await alice.destroy();
    expect(await asked.now()).toMatchObject({ rejected: expect.any(InvalidStateError) });

    const { reached, stop } = watchProcess();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let told: unknown[][] = [];
    try {
      capture.release();
      await asked.now();
      await new Promise<void>((resolve) => setImmediate(resolve)); // a turn of the event loop: Node tells unhandled rejections then
      told = [...consoleError.mock.calls];
    } finally {
      stop();
      consoleError.mockRestore();
    }
    expect(reached).toEqual([]);
    expect(told).toEqual([[expect.stringContaining('headless-calling: call: releasing'), broken]]);
  });
});
