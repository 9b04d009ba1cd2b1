/**
 * callMachine, caller side, a group call (Alice invited Bob and Carol): how the call ends when its last invitee's
 * answer, or a member's leave, leaves Alice with nobody. Run as in callMachine.caller.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { callerInput, im, rm } from '../support/machineHarness';
import { dialing, ended } from './callerSteps';

describe('callMachine caller: group call (Alice invited Bob and Carol)', () => {
  it('Bob talks from 1 s to 10 s and leaves, Carol rejects at 20 s -> ending; exited -> CALL_END rejected (her answer ended it) 19 (first arrival to the end), not 0', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(rm.left('bob', 10_000));
    expect(h.value()).toEqual({ inCall: 'together' }); // Carol is still pending
    h.send(im.rejected('carol', false, {}, 20_000));
    expect(h.value()).toBe('ending');
    expect(h.context().callEnd).toBe(19);
    h.take();
    h.send(rm.exited(20_100));
    expect(h.take()).toEqual(ended('rejected', 19, ['carol inv-5']));
  });

  it('Bob talks from 1 s to 10 s and leaves, Carol answers busy at 20 s (LINE_BUSY) -> ending; exited -> CALL_END busy 19', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(rm.left('bob', 10_000));
    h.send(im.rejected('carol', true, {}, 20_000));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('busy');
    h.take();
    h.send(rm.exited(20_100));
    expect(h.take()).toEqual(ended('busy', 19, ['carol inv-5']));
  });

  it('Carol rejects at 5 s while Bob talks, Bob leaves at 10 s -> the leave ended it: CALL_END hangup 9, not rejected', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true }));
    h.send(rm.entered());
    h.send(rm.arrived('bob', 1_000));
    h.send(im.rejected('carol', false, {}, 5_000));
    expect(h.value()).toEqual({ inCall: 'together' });
    h.send(rm.left('bob', 10_000));
    expect(h.value()).toBe('ending');
    h.take();
    h.send(rm.exited(10_100));
    expect(h.take()).toEqual(ended('hangup', 9, ['carol inv-5']));
  });
});
