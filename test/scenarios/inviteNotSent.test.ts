/**
 * (The app-developer review of 2026-12-04 evening; fixed since: a dial waits for its invitation's send,
 * `CallSetup.invited`, and rejects with reason `notSent`.)
 * README (API): "a backend failure rejects with `CallingError` carrying the backend's code";
 * `call()`: "Resolves with { code: 0, inviteID, roomID, userID } once the call is dialling"; for the
 * other failures after the call started (a device refused while the invitation travels, a room in
 * use) the README has the call end (ERROR, CALL_END reason error) "then call() rejects with the code".
 *
 * When the 1v1 invitation itself cannot be sent (the IM refuses it, or the caller's own network is
 * down), the call never dials: ERROR, then CALL_END reason `error`. But `call()` resolves with
 * `{ code: 0, inviteID, ... }`, as if the callee were ringing, and getCallStatus() is already 'idle'
 * when it resolves. An app that does `await call(); showDialling()` cannot tell the call failed.
 */
import { describe, expect, it } from 'vitest';
import TRTCCalling, { CallingError, ImPortError } from '../../src/index';
import { createMemoryNetwork, SimulatedClock, captureEvents } from '../../src/testing';

async function pair() {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  await alice.login({ userID: 'alice', userSig: 's' });
  await bob.login({ userID: 'bob', userSig: 's' });
  return { net, alice, bob, events: captureEvents(alice) };
}

describe('call() whose invitation cannot be sent', () => {
  it('the IM refuses the invite (fault rule "refuse") -> call() rejects with the backend code', async () => {
    const { net, alice, events } = await pair();
    net.im.addRule({ match: (m) => m.to === 'bob', action: 'refuse' });
    const outcome = alice.call({ userID: 'bob', type: 1, timeout: 30 }).then(
      (value) => ({ resolved: value, statusThen: alice.getCallStatus() }),
      (error: unknown) => ({ rejected: error }),
    );
    await net.advance(1_000);
    // ERROR once: the cancel sent after the refused invitation (in case it went after all) is refused too, and not told again.
    expect(events.names().filter((n) => n === TRTCCalling.EVENT.ERROR)).toHaveLength(1);
    expect(events.log.find((e) => e.name === TRTCCalling.EVENT.CALL_END)?.payload).toMatchObject({ reason: 'error' });
    const result = await outcome;
    // Got: { resolved: { code: 0, inviteID, roomID, userID: 'bob' }, statusThen: 'idle' }
    expect(result).toMatchObject({ rejected: expect.any(CallingError) });
  });

  it('the IM refuses the invite -> the ERROR and the rejection both carry the IM\'s own error as their cause', async () => {
    const { net, alice, events } = await pair();
    net.im.addRule({ match: (m) => m.to === 'bob', action: 'refuse' });
    const outcome = alice.call({ userID: 'bob', type: 1, timeout: 30 }).catch((error: unknown) => error);
    await net.advance(1_000);
    const rejected = await outcome;
    expect(rejected).toMatchObject({ code: 20, reason: 'notSent', cause: expect.any(ImPortError) });
    const cause = (rejected as CallingError).cause;
    expect(cause).toMatchObject({ code: 20, message: 'refused by a fault rule' });
    // The ERROR the call told is about the same refusal: the same object, not a copy of its code and text.
    expect(events.log.filter((e) => e.name === TRTCCalling.EVENT.ERROR).map((e) => e.payload)).toEqual([{ code: 20, msg: 'refused by a fault rule', cause }]);
    expect((events.log.find((e) => e.name === TRTCCalling.EVENT.ERROR)?.payload as { cause?: unknown }).cause).toBe(cause);
  });

  it('groupCall() without a group, one invite refused -> its ERROR carries the IM\'s error as its cause, and the call goes on', async () => {
    const { net, alice, events } = await pair();
    const carol = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await carol.login({ userID: 'carol', userSig: 's' });
    net.im.addRule({ match: (m) => m.to === 'bob', action: 'refuse' });
    const outcome = alice.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: '' });
    await net.advance(1_000);
    await expect(outcome).resolves.toMatchObject({ code: 0 });
    const errors = events.log.filter((e) => e.name === TRTCCalling.EVENT.ERROR).map((e) => e.payload);
    expect(errors).toEqual([{ code: 20, msg: 'refused by a fault rule', cause: expect.any(ImPortError) }]);
  });

  it("the caller's network is down (setReachable false) -> call() rejects with 2805", async () => {
    const { net, alice, events } = await pair();
    net.im.setReachable('alice', false);
    const outcome = alice.call({ userID: 'bob', type: 1, timeout: 30 }).then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error }),
    );
    await net.advance(1_000);
    expect(events.names()).toContain(TRTCCalling.EVENT.CALL_END);
    expect(events.names().filter((n) => n === TRTCCalling.EVENT.ERROR)).toHaveLength(1);
    const result = await outcome;
    expect(result).toMatchObject({ rejected: expect.objectContaining({ code: 2805, reason: 'notSent', cause: expect.objectContaining({ name: 'ImPortError', code: 2805 }) }) });
  });

  it('groupCall() through an IM group that does not exist -> it rejects with the backend code once its CALL_END was told', async () => {
    const { net, alice, events } = await pair();
    const outcome = alice.groupCall({ userIDList: ['bob'], type: 1, groupID: 'nogroup' }).then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error, endedFirst: events.names().includes(TRTCCalling.EVENT.CALL_END) }),
    );
    await net.advance(1_000);
    expect(await outcome).toMatchObject({ rejected: expect.objectContaining({ reason: 'notSent' }), endedFirst: true });
    expect(alice.getCallStatus()).toBe('idle');
  });

  it('an invitation that went -> call() resolves with it, as before', async () => {
    const { net, alice } = await pair();
    const outcome = alice.call({ userID: 'bob', type: 1, timeout: 30 });
    await net.advance(1_000);
    expect(await outcome).toMatchObject({ code: 0, userID: 'bob' });
  });
});
