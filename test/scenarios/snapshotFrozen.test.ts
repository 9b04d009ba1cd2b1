/**
 * `getSnapshot()` is immutable all the way down, as the README says (found by the newcomer review of
 * 2026-12-04): only its top-level object was frozen, so a UI that sorted `call.invitees` in place, or
 * wrote `call.state`, changed what every later getSnapshot() and getCallStatus() returned.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';

/** Alice audio-calls Bob over the memory network; his invitation rings. */
async function dialling() {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  await alice.login({ userID: 'alice', userSig: 'x' });
  await bob.login({ userID: 'bob', userSig: 'x' });
  await alice.call({ userID: 'bob', type: 1 });
  await net.advance(100);
  return { net, alice, bob };
}

describe('getSnapshot() is immutable', () => {
  it('the call view and its lists cannot be changed by the app', async () => {
    const { alice } = await dialling();
    const call = alice.getSnapshot().call!;
    expect(Object.isFrozen(call)).toBe(true);
    expect(Object.isFrozen(call.invitees)).toBe(true);
    expect(Object.isFrozen(call.local)).toBe(true);
  });

  it('writing into the view does not change getCallStatus()', async () => {
    const { alice } = await dialling();
    try {
      (alice.getSnapshot().call as { state: string }).state = 'inCall';
    } catch {
      // a frozen view refuses the write: fine
    }
    expect(alice.getCallStatus()).toBe('calling'); // it said 'connected' while still dialling
  });

  it("in a call too: its participants and each entry are frozen, and the machine's own lists are not", async () => {
    const { net, alice, bob } = await dialling();
    await bob.accept();
    await net.advance(1000);
    const { participants, invitees } = alice.getSnapshot().call!;
    expect(participants.map((p) => p.userID)).toEqual(['bob']);
    expect([Object.isFrozen(participants), Object.isFrozen(participants[0]), Object.isFrozen(invitees[0])]).toEqual([true, true, true]);
    await bob.closeCamera().catch(() => undefined);
    await bob.setMicMute(true);
    await net.advance(1000);
    expect(alice.getSnapshot().call?.participants).toEqual([{ userID: 'bob', audio: false, video: false }]);
  });
});
