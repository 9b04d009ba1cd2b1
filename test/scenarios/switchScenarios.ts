/**
 * Switching a call between audio and video (spec 2.6, CALL_TYPE_CHANGED), through the public
 * API, on any backend: the whole ordered event log of each party, and the snapshot.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallingError, InvalidStateError } from '../../src/index';
import { ev } from '../support/ev';
import type { Party, World } from '../support/world';

const S = 1000;
const changed = (oldCallType: 1 | 2, newCallType: 1 | 2) => ({ name: 'onCallTypeChanged', payload: { oldCallType, newCallType } });

/**
 * The requester's log: its CALL_TYPE_CHANGED comes with the peer's ACCEPT (IM), the peer's camera
 * change through the room; which arrives first depends on the backend's latencies, so the two are
 * compared as a whole log in either order.
 */
function expectRequesterLog(log: unknown[], expected: unknown[]): void {
  expect(log).toHaveLength(expected.length);
  expect(log).toEqual(expect.arrayContaining(expected));
}

export function describeSwitchScenarios(backend: string, makeWorld: () => World): void {
  describe(`switching audio and video over ${backend}`, () => {
    let world: World;
    let alice: Party;
    let bob: Party;

    beforeEach(async () => {
      world = makeWorld();
      alice = await world.user('alice');
      bob = await world.user('bob');
    });
    afterEach(() => world.dispose());

    async function connect(type: 1 | 2 = 2) {
      await alice.calling.call({ userID: 'bob', type, timeout: 30 });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob', type === 2)]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: type }), ...ev.arrives('alice', type === 2)]);
    }

    /** Runs a switch command to its end while time passes; its outcome. */
    async function settled(command: Promise<void>): Promise<unknown> {
      const outcome = command.then(() => 'ok', (error: unknown) => error);
      await world.advance(S);
      return outcome;
    }

    it('Alice switchToAudioCall() in a video call -> both CALL_TYPE_CHANGED(2->1); each sees the other camera stop', async () => {
      await connect(2);
      expect(await settled(alice.calling.switchToAudioCall())).toBe('ok');
      expect(bob.take()).toEqual([changed(2, 1), ev.video('alice', false)]);
      expectRequesterLog(alice.take(), [changed(2, 1), ev.video('bob', false)]);
      for (const p of [alice, bob]) {
        expect(p.calling.getSnapshot().call).toMatchObject({ callType: 1, local: { camera: false } });
        expect(p.calling.getCallStatus()).toBe('connected');
      }
    });

    it('Bob (the callee) switchToVideoCall() in an audio call, then switchToAudioCall() -> video and back, both sides', async () => {
      await connect(1);
      expect(await settled(bob.calling.switchToVideoCall())).toBe('ok');
      expect(alice.take()).toEqual([changed(1, 2), ev.video('bob', true)]);
      expectRequesterLog(bob.take(), [changed(1, 2), ev.video('alice', true)]);
      expect(alice.calling.getSnapshot().call).toMatchObject({ callType: 2, local: { camera: true } });
      expect(await settled(bob.calling.switchToAudioCall())).toBe('ok');
      expectRequesterLog(alice.take(), [changed(2, 1), ev.video('bob', false)]);
      expectRequesterLog(bob.take(), [changed(2, 1), ev.video('alice', false)]);
      await alice.calling.hangup();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
      expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    });

    it('switchToAudioCall() in an audio call resolves and changes nothing; openCamera() after a switch to audio is refused', async () => {
      await connect(1);
      await alice.calling.switchToAudioCall();
      await world.advance(S);
      expect(alice.take()).toEqual([]);
      expect(bob.take()).toEqual([]);
      await expect(alice.calling.openCamera()).rejects.toBeInstanceOf(InvalidStateError);
    });

    it('switchToAudioCall() while ringing, with no call, or in a group call -> InvalidStateError, nothing sent', async () => {
      await expect(alice.calling.switchToAudioCall()).rejects.toBeInstanceOf(InvalidStateError);
      await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
      await world.advance(S);
      await expect(alice.calling.switchToAudioCall()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(bob.calling.switchToAudioCall()).rejects.toBeInstanceOf(InvalidStateError);
      await alice.calling.hangup();
      await world.advance(S);
      alice.take();
      bob.take();
      const carol = await world.user('carol');
      await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2, timeout: 30 });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(S);
      await expect(alice.calling.switchToAudioCall()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(bob.calling.switchToAudioCall()).rejects.toBeInstanceOf(InvalidStateError);
      await world.advance(S);
      expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true })]);
    });

    it('a second switchToVideoCall() while the first is out -> InvalidStateError; the first completes', async () => {
      await connect(1);
      const first = alice.calling.switchToVideoCall();
      await expect(alice.calling.switchToVideoCall()).rejects.toBeInstanceOf(InvalidStateError);
      expect(await settled(first)).toBe('ok');
      expectRequesterLog(alice.take(), [changed(1, 2), ev.video('bob', true)]);
      expect(bob.take()).toEqual([changed(1, 2), ev.video('alice', true)]);
    });

    it("Alice and Bob switchToAudioCall() at once -> each side accepts the other's request: one change each, both resolve", async () => {
      await connect(2);
      const a = alice.calling.switchToAudioCall();
      const b = bob.calling.switchToAudioCall();
      const outcomes = await Promise.all([settled(a), settled(b)]);
      expect(outcomes).toEqual(['ok', 'ok']);
      const aliceLog = alice.take();
      const bobLog = bob.take();
      expect(aliceLog.filter((e) => e.name === 'onCallTypeChanged')).toEqual([changed(2, 1)]);
      expect(bobLog.filter((e) => e.name === 'onCallTypeChanged')).toEqual([changed(2, 1)]);
      expect(aliceLog).toContainEqual(ev.video('bob', false));
      expect(bobLog).toContainEqual(ev.video('alice', false));
      for (const p of [alice, bob]) expect(p.calling.getSnapshot().call).toMatchObject({ callType: 1, local: { camera: false } });
    });

    it('Alice switchToAudioCall(), Bob hangs up before it arrives -> the switch rejects, CALL_END once each, no CALL_TYPE_CHANGED', async () => {
      await connect(2);
      const sw = alice.calling.switchToAudioCall();
      await bob.calling.hangup();
      const outcome = await settled(sw);
      expect(outcome).toBeInstanceOf(CallingError);
      expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
      expect(bob.take()).toEqual([ev.end('alice', 'hangup')]);
      expect([alice.calling.getCallStatus(), bob.calling.getCallStatus()]).toEqual(['idle', 'idle']);
    });
  });
}
