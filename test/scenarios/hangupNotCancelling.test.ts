/**
 * hangup() cancels a dial still pending (README, hangup()), but only a hangup() the line takes: not
 * one it refuses (a ringing callee's, which must reject()), and not one an app makes in a listener of
 * the previous call's CALL_END (cleaning up after that call) while a redial waits for that call's exit.
 * Both cancelled the redial at first (found by the review of the change, 2026-12-04): the callee
 * never rang and call() rejected with reason `cancelled`. Then (the final review): a hangup() in any
 * event's listener cancels no dial (a REJECT listener cleaning up while another dials the next callee),
 * nor does one that finds no call to end while a dial begun during the last call's exit waits (an async
 * CALL_END listener's, after an await): that dial is the user's next call.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling, InvalidStateError } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { heldCapture } from '../support/rooms';
import { answeredCall, memoryUsers } from '../support/world';

const S = 1000;
const outcome = (p: Promise<unknown>) => p.then((r) => ({ resolved: r }), (e: unknown) => ({ rejected: e }));

describe('a hangup() in the previous call\'s CALL_END listener', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it('does not cancel the redial made after that call was hung up', async () => {
    await answeredCall(t.world, t.alice, t.bob);
    // The app's cleanup on the end of a call (as many trtc-calling-js apps do).
    t.alice.calling.on(TRTCCalling.EVENT.CALL_END, () => void t.alice.calling.hangup());
    await t.alice.calling.hangup(); // resolves, status 'idle', Alice still leaves her room
    expect(t.alice.calling.getCallStatus()).toBe('idle');
    const redial = outcome(t.alice.calling.call({ userID: 'carol', type: 1 }));
    await t.world.advance(2 * S);
    // Bob's call's CALL_END was told to Alice (once) ...
    expect(t.alice.events.names().filter((n) => n === TRTCCalling.EVENT.CALL_END)).toHaveLength(1);
    // ... and the redial went: Carol rings.
    expect(await redial).toMatchObject({ resolved: { code: 0, userID: 'carol' } });
    expect(t.carol.events.names()).toContain(TRTCCalling.EVENT.INVITED);
  });
});


describe('a hangup() the line refuses (ringing) cancels nothing', () => {
  it('the pending call() still goes once the ringing call is declined', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const real = net.backend();
    const capture = heldCapture(real.room);
    const alice = new TRTCCalling({ SDKAppID: 1, backend: { ...real, room: capture.room } });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const carol = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    await alice.login({ userID: 'alice', userSig: 's' });
    await bob.login({ userID: 'bob', userSig: 's' });
    await carol.login({ userID: 'carol', userSig: 's' });
    await net.advance(100);

    const dialled = outcome(alice.call({ userID: 'bob', type: 1 }));
    await net.advance(10);
    expect(capture.asked()).toBe(true); // Alice's devices are being captured
    await carol.call({ userID: 'alice', type: 1 });
    await net.advance(S);
    expect(alice.getSnapshot().call?.state).toBe('ringing');
    // Refused: a ringing callee must reject() (README, trtc-calling-js).
    await expect(alice.hangup()).rejects.toBeInstanceOf(InvalidStateError);
    await alice.reject();
    await net.advance(S);
    expect(alice.getSnapshot().call).toBeNull();
    capture.release();
    await net.advance(S);
    expect(await dialled).toMatchObject({ resolved: { code: 0, userID: 'bob' } });
    expect(bob.getSnapshot().call?.state).toBe('ringing');
    for (const c of [alice, bob, carol]) void c.destroy();
  });
});

describe('a cleanup hangup() after the previous call ended, while a redial waits for its exit', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it('in an async CALL_END listener (after an await) -> the redial still goes', async () => {
    await answeredCall(t.world, t.alice, t.bob);
    // The same cleanup as hangupNotCancelling.test.ts, written as an async handler.
    t.alice.calling.on(TRTCCalling.EVENT.CALL_END, async () => {
      await Promise.resolve(); // e.g. await some UI/stopLocalView work first
      await t.alice.calling.hangup();
    });
    await t.alice.calling.hangup();
    const redial = outcome(t.alice.calling.call({ userID: 'carol', type: 1 }));
    await t.world.advance(2 * S);
    expect(await redial).toMatchObject({ resolved: { code: 0, userID: 'carol' } });
    expect(t.carol.events.names()).toContain(TRTCCalling.EVENT.INVITED);
  });

  it('in a REJECT listener, after another REJECT listener dialled the next callee -> the fallback call goes', async () => {
    // One component dials the next agent when one declines; another cleans up with hangup() (as on CALL_END).
    let fallback: Promise<unknown> | null = null;
    t.alice.calling.on(TRTCCalling.EVENT.REJECT, () => void (fallback = outcome(t.alice.calling.call({ userID: 'carol', type: 1 }))));
    t.alice.calling.on(TRTCCalling.EVENT.REJECT, () => void t.alice.calling.hangup());
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.reject();
    await t.world.advance(2 * S);
    expect(fallback).not.toBeNull();
    expect(await fallback).toMatchObject({ resolved: { code: 0, userID: 'carol' } });
    expect(t.carol.events.names()).toContain(TRTCCalling.EVENT.INVITED);
  });
});
