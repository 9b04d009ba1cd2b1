/**
 * hangup() while call() / groupCall() / joinInGroupCall() is still pending: waiting for the previous
 * call's room exit, or for the devices. The line knows nothing of the dial yet, so hangup() used to
 * find "no call to end" and resolve, and the dial went out right after it: the callee rang for a call
 * its caller had cancelled (found by the API parity review of 2026-12-04 evening).
 *
 * The spec's hangup() (TRTCCalling-API.zh.md: "当未拨通时, 可用来取消通话") cancels a call not yet
 * connected. trtc-calling-js 1.0.6 throws from hangup() there instead ("call/groupCall incomplete。
 * please wait cancel"), so its app learns the cancel did not happen. Ours cancels the pending dial:
 * hangup() resolves, nothing is sent, the dial rejects with `CallingError` code -1203, reason
 * `cancelled`, and no event is told (nothing was dialled).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { memoryUsers } from '../support/world';

const S = 1000;
const cancelled = { name: 'CallingError', code: -1203, reason: 'cancelled' };

describe('hangup() while a dial is pending', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it('call() then hangup() at once -> hangup() resolves, call() rejects (cancelled), Bob never rings, no event', async () => {
    const dialled = t.alice.calling.call({ userID: 'bob', type: 1 }).catch((e: unknown) => e);
    await t.alice.calling.hangup();
    await t.world.advance(2 * S);
    expect(await dialled).toMatchObject(cancelled);
    expect(t.bob.events.names()).not.toContain(TRTCCalling.EVENT.INVITED);
    expect(t.alice.events.names()).toEqual([]);
    expect(t.alice.calling.getCallStatus()).toBe('idle');
    // The line is free: the next call goes.
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('ringing');
  });

  it('redial while the last call still leaves its room, then hang up -> Carol never rings; the old call ends once', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.alice.calling.hangup(); // resolves while Alice still leaves her room ('idle' already)
    const redial = t.alice.calling.call({ userID: 'carol', type: 1 }).catch((e: unknown) => e); // waits for the exit
    await t.alice.calling.hangup(); // the user cancels the redial
    await t.world.advance(2 * S);
    expect(await redial).toMatchObject(cancelled);
    expect(t.carol.events.names()).not.toContain(TRTCCalling.EVENT.INVITED);
    expect(t.alice.events.names().filter((n) => n === TRTCCalling.EVENT.CALL_END)).toHaveLength(1);
    expect(t.alice.calling.getCallStatus()).toBe('idle');
  });

  it('groupCall() then hangup() at once -> nobody rings; a hangup() after the dial went cancels it as before', async () => {
    const dialled = t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 }).catch((e: unknown) => e);
    await t.alice.calling.hangup();
    await t.world.advance(2 * S);
    expect(await dialled).toMatchObject(cancelled);
    expect([...t.bob.events.names(), ...t.carol.events.names()]).not.toContain(TRTCCalling.EVENT.INVITED);

    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.bob.events.names()).toEqual([TRTCCalling.EVENT.INVITED, TRTCCalling.EVENT.CALLING_CANCEL]);
  });

  it('joinInGroupCall() then hangup() at once -> cancelled, nothing entered', async () => {
    const joining = t.alice.calling.joinInGroupCall({ groupID: 'g1', roomID: 7, callType: 1 }).catch((e: unknown) => e);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(await joining).toMatchObject(cancelled);
    expect(t.alice.events.names()).toEqual([]);
  });
});
