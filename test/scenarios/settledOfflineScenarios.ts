/**
 * Invitations settled while their invitee was offline: the stored invitation and what settled it
 * (its CANCEL, the caller's timeout notice) come out of the store together at login, and ring
 * nothing, not even for an instant (before 2026-12-07 the app was told INVITED and at once
 * CALLING_CANCEL / CALLING_TIMEOUT: a flash of its ringing UI and ringtone). What settles nothing
 * for the invitee (another invitee's answer in a group call) leaves it ringing. The same scripts
 * run over every backend that stores messages for an offline user.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import type { Party, World } from '../support/world';

const S = 1000;

export function describeSettledOffline(backend: string, makeWorld: () => World): void {
  describe(`invitations settled while offline, over ${backend}`, () => {
    let world: World;
    let alice: Party;

    beforeEach(async () => {
      world = makeWorld();
      alice = await world.user('alice');
    });
    afterEach(() => world.dispose());

    it('Bob offline; Alice call(timeout 30), hangup() 3 s later; Bob logs in at 5 s -> SDK_READY only: neither INVITED nor CALLING_CANCEL', async () => {
      const bob = world.client('bob');
      await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
      await world.advance(3 * S);
      await alice.calling.hangup();
      await world.advance(2 * S);
      expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
      await bob.calling.login({ userID: 'bob', userSig: sigOf(world, 'bob') });
      await world.advance(S);
      expect(bob.take()).toEqual([ev.ready()]);
      expect(bob.calling.getSnapshot().call).toBeNull();
      await world.advance(40 * S);
      expect(bob.take()).toEqual([]);
      expect(alice.take()).toEqual([]);
    });

    it('an IM group call: Carol offline, Bob accepts, Alice hangs up; Carol logs in within the ring time -> SDK_READY only: her withdrawn invitation and its timeout notice ring nothing', async () => {
      await world.createGroup('team', ['alice', 'bob', 'carol']);
      const bob = await world.user('bob');
      const carol = world.client('carol');
      await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team', timeout: 60 });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(2 * S);
      await alice.calling.hangup();
      await world.advance(2 * S);
      for (const p of [alice, bob]) p.take();
      await carol.calling.login({ userID: 'carol', userSig: sigOf(world, 'carol') });
      await world.advance(S);
      expect(carol.take()).toEqual([ev.ready()]);
      expect(carol.calling.getSnapshot().call).toBeNull();
      await world.advance(60 * S);
      expect(carol.take()).toEqual([]);
    });

    it("an IM group call: Carol offline, Bob reject()s it (to the group); Carol logs in within the ring time -> INVITED all the same (Bob's answer is his alone), and she can accept", async () => {
      await world.createGroup('team', ['alice', 'bob', 'carol']);
      const bob = await world.user('bob');
      const carol = world.client('carol');
      await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team', timeout: 60 });
      await world.advance(S);
      await bob.calling.reject();
      await world.advance(2 * S);
      expect(alice.take()).toEqual([ev.rejected('bob')]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
      await carol.calling.login({ userID: 'carol', userSig: sigOf(world, 'carol') });
      await world.advance(S);
      expect(carol.take()).toEqual([ev.ready(), ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
      await carol.calling.accept();
      await world.advance(2 * S);
      expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true)]);
      expect(carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    });
  });
}

/** A userSig the world accepts for `userID` (the embedded world signs one; the memory network takes any). */
function sigOf(world: World, userID: string): string {
  const signer = (world as Partial<{ userSig(userID: string): string }>).userSig;
  return signer ? signer.call(world, userID) : `sig-${userID}`;
}
