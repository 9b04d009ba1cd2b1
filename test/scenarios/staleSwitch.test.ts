/**
 * (The app-developer review of 2026-12-04 evening; fixed since: a switch request older than TSignaling's
 * 30 s invite timeout is declined, `staleSwitch`.)
 * README (API, switchToAudioCall()): "Rejects with CallingError code 60001 ... if the peer refused or
 * did not answer within 35 s"; (Rules for the races) "Our own request waits 35 s for an answer
 * (TSignaling's 30 s plus the grace), then rejects."; offline invitations ring "within its timeout,
 * and never after it (the core's staleness rule)". README (Testing): `net.im.setReachable('bob', false);
 * // bob's network goes down; messages wait`.
 *
 * Bob's IM connection is down for 40 s mid-call (the media room is unaffected, the call goes on).
 * Alice asks to switch to audio; after 35 s her switchToAudioCall() rejects (60001, "the peer did not
 * answer"), and she stays in a video call with her camera on. When Bob's connection comes back the
 * held request is delivered and Bob's client applies it although it is past its timeout: Bob gets
 * CALL_TYPE_CHANGED and his camera stops, Alice ignores his late answer. The two sides now disagree
 * on the call type for the rest of the call, with no error on either side. (The README admits a
 * disagreement when an *answer* is lost; here nothing was lost, a stale request was acted on.)
 */
import { expect, it } from 'vitest';
import TRTCCalling, { CallingError } from '../../src/index';
import { createMemoryNetwork, SimulatedClock, captureEvents } from '../../src/testing';

/** Alice and Bob in a video call on a memory network (Bob accepts as he is invited). */
async function videoCall() {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  await alice.login({ userID: 'alice', userSig: 's' });
  await bob.login({ userID: 'bob', userSig: 's' });
  bob.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.accept({ inviteID }));
  await alice.call({ userID: 'bob', type: 2, timeout: 30 });
  await net.advance(500);
  return { net, alice, bob };
}

it('a switch request that already timed out for the requester is not applied by the peer', async () => {
  const { net, alice, bob } = await videoCall();
  const bobEvents = captureEvents(bob);

  net.im.setReachable('bob', false);
  const outcome = alice.switchToAudioCall().catch((e: unknown) => e);
  await net.advance(40_000);
  const error = await outcome;
  expect(error).toBeInstanceOf(CallingError);
  expect((error as CallingError).code).toBe(60001); // alice was told: no switch
  expect(alice.getSnapshot().call).toMatchObject({ state: 'inCall', callType: 2, local: { camera: true } });

  net.im.setReachable('bob', true);
  await net.advance(5_000);
  expect(bob.getSnapshot().call?.state).toBe('inCall');
  // Both sides must agree on what kind of call they are in. Got: alice 2 (video), bob 1 (audio).
  expect(bob.getSnapshot().call?.callType).toBe(alice.getSnapshot().call?.callType);
  expect(bobEvents.names()).not.toContain(TRTCCalling.EVENT.CALL_TYPE_CHANGED);
});

it('a switch request that waited less than its timeout (the peer away 20 s) is still taken: both sides switch', async () => {
  const { net, alice, bob } = await videoCall();
  net.im.setReachable('bob', false);
  const outcome = alice.switchToAudioCall().catch((e: unknown) => e);
  await net.advance(20_000);
  net.im.setReachable('bob', true);
  await net.advance(5_000);
  expect(await outcome).toBeUndefined();
  expect([alice.getSnapshot().call?.callType, bob.getSnapshot().call?.callType]).toEqual([1, 1]);
});
