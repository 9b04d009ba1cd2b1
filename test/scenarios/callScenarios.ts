/**
 * The call scenarios every backend must pass, through the public API only, asserting each
 * party's whole ordered event log. Titles read as scripts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import type { Party, World } from '../support/world';

const TIMEOUT = 30;
const S = 1000;

export function describeCallScenarios(backend: string, makeWorld: () => World): void {
  describe(`call scenarios over ${backend}`, () => {
    let world: World;
    let alice: Party;
    let bob: Party;

    beforeEach(async () => {
      world = makeWorld();
      alice = await world.user('alice');
      bob = await world.user('bob');
    });
    afterEach(() => world.dispose());

    /** Alice video-calls Bob and Bob accepts; both logs are taken. */
    async function connect() {
      await alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
    }

    it('Alice call(), Bob accept(), Alice hangup() -> USER_LEAVE for Bob, CALL_END for both', async () => {
      await connect();
      await world.advance(2 * S);
      await alice.calling.hangup();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.end('alice', 'hangup', 3)]);
      expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 3)]);
    });

    it('Alice call(), Bob accept(), Bob hangup() -> USER_LEAVE for Alice, CALL_END for both', async () => {
      await connect();
      await bob.calling.hangup();
      await world.advance(S);
      expect(bob.take()).toEqual([ev.end('alice', 'hangup')]);
      expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
    });

    it('Alice call(), Bob reject() -> Alice REJECT, CALL_END; Bob nothing more', async () => {
      await alice.calling.call({ userID: 'bob', type: 1, timeout: TIMEOUT });
      await world.advance(S);
      await bob.calling.reject();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    });

    it('Bob in a call with Carol, Alice call() -> Alice LINE_BUSY, CALL_END; Bob and Carol undisturbed', async () => {
      const carol = await world.user('carol');
      await carol.calling.call({ userID: 'bob', type: 1, timeout: TIMEOUT });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(S);
      bob.take();
      carol.take();
      await alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT });
      await world.advance(S);
      expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
      expect(bob.take()).toEqual([]);
      expect(carol.take()).toEqual([]);
      // Bob's call with Carol goes on and ends normally.
      await carol.calling.hangup();
      await world.advance(S);
      expect(carol.take()).toEqual([ev.end('carol', 'hangup')]);
      expect(bob.take()).toEqual([ev.leave('carol'), ev.end('carol', 'hangup')]);
    });

    it('Alice call(), Alice hangup() before an answer -> Alice CALL_END(cancelled), Bob CALLING_CANCEL', async () => {
      await alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT });
      await world.advance(S);
      await alice.calling.hangup();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.cancelled('alice')]);
      // Accept tapped too late: nothing rings, it resolves and does nothing (as trtc-calling-js).
      await expect(bob.calling.accept()).resolves.toBeUndefined();
      await world.advance(S);
      expect([alice.take(), bob.take(), bob.calling.getSnapshot().call]).toEqual([[], [], null]);
    });

    it('Alice call(timeout 30), nobody answers -> Alice NO_RESP, CALL_END; Bob CALLING_TIMEOUT', async () => {
      await alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT });
      await world.advance(TIMEOUT * S - 100);
      expect(alice.take()).toEqual([]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob'])]);
      await world.advance(10 * S);
      expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
      expect(bob.take()).toEqual([ev.timedOut('alice', ['bob'])]);
      // Accept tapped too late: nothing rings, it resolves and does nothing (as trtc-calling-js).
      await expect(bob.calling.accept()).resolves.toBeUndefined();
      await world.advance(S);
      expect([alice.take(), bob.take(), bob.calling.getSnapshot().call]).toEqual([[], [], null]);
    });

    it('Alice call(timeout 0) never times out; Bob accepts an hour later', async () => {
      await alice.calling.call({ userID: 'bob', type: 2, timeout: 0 });
      await world.advance(3600 * S);
      expect(alice.take()).toEqual([]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob'])]);
      await bob.calling.accept();
      await world.advance(S);
      expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
      expect(bob.take()).toEqual(ev.arrives('alice'));
    });

    it('Bob closeCamera(), setMicMute(true), then back -> Alice sees each change once', async () => {
      await connect();
      await bob.calling.closeCamera();
      await bob.calling.setMicMute(true);
      await world.advance(S);
      await bob.calling.openCamera();
      await bob.calling.setMicMute(false);
      await world.advance(S);
      await bob.calling.setMicMute(false); // no change: no event
      await world.advance(S);
      expect(alice.take()).toEqual([ev.video('bob', false), ev.audio('bob', false), ev.video('bob', true), ev.audio('bob', true)]);
      expect(bob.take()).toEqual([]);
    });

    it('Alice groupCall([bob, carol, dave]) in an IM group: Bob accepts, Carol rejects, Dave never answers; Bob hangs up, Alice is the last one out', async () => {
      const carol = await world.user('carol');
      const dave = await world.user('dave');
      await world.createGroup('team', ['alice', 'bob', 'carol', 'dave']);
      await alice.calling.groupCall({ userIDList: ['bob', 'carol', 'dave'], type: 2, groupID: 'team' });
      await world.advance(S);
      const invite = ev.invited('alice', ['bob', 'carol', 'dave'], { isFromGroup: true });
      await bob.calling.accept();
      await world.advance(S);
      await carol.calling.reject();
      await world.advance(TIMEOUT * S + 5 * S);
      await bob.calling.hangup();
      await world.advance(S);
      expect(alice.take()).toEqual([
        ev.accepted('bob'),
        ev.enter('bob'),
        ev.roster(['bob']),
        ev.audio('bob', true),
        ev.video('bob', true),
        ev.rejected('carol'),
        ev.noResp('dave', 'alice'),
        ev.leave('bob'),
        ev.roster([]),
        ev.end('alice', 'hangup'),
      ]);
      expect(bob.take()).toEqual([invite, ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.video('alice', true), ev.end('alice', 'hangup')]);
      expect(carol.take()).toEqual([invite]);
      expect(dave.take()).toEqual([invite, ev.timedOut('alice', ['dave'])]);
    });
  });
}
