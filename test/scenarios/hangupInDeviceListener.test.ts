/**
 * A hangup() in any event's listener cancels no dial (README, hangup()): that held for the events
 * the machines tell, but not for those the facade tells itself (DEVICED_UPDATED, the device and
 * capture ERRORs, the media-stats events). A DEVICED_UPDATED listener's hangup() (an app resetting its
 * call UI when a headset is plugged in) cancelled a call() still waiting for its capture: the callee
 * never rang and call() rejected with reason `cancelled` (suspected by the last review of 2026-12-04,
 * proven here that evening).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { heldCapture } from '../support/rooms';

describe("a hangup() in a DEVICED_UPDATED listener while a call() waits for its capture", () => {
  it('cancels nothing: the callee rings and call() resolves', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const real = net.backend();
    const capture = heldCapture(real.room);
    const alice = new TRTCCalling({ SDKAppID: 1, backend: { ...real, room: capture.room } });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 's' });
    await bob.login({ userID: 'bob', userSig: 's' });
    await net.advance(100);
    let updates = 0;
    alice.on(TRTCCalling.EVENT.DEVICED_UPDATED, () => {
      updates++;
      void alice.hangup();
    });

    const dialled = alice.call({ userID: 'bob', type: 1 }).then((r) => ({ resolved: r }), (e: unknown) => ({ rejected: e }));
    await net.advance(10);
    expect(capture.asked()).toBe(true);
    net.rooms.plugDevice('alice', { deviceId: 'headset-1', kind: 'audioinput', label: 'Headset', groupId: 'g' } as never);
    await net.advance(1000);
    expect(updates).toBe(1);
    capture.release();
    await net.advance(1000);
    expect(await dialled).toMatchObject({ resolved: { code: 0, userID: 'bob' } });
    expect(bob.getSnapshot().call?.state).toBe('ringing');
    for (const c of [alice, bob]) void c.destroy();
  });
});
