/**
 * A group call of one without an IM group that grows, all ours, over the memory backend and the
 * embedded server (with Tencent's clients in the roles: test/interop/groupOfOne.test.ts). Bob, the
 * only one named, runs it as a 1v1 call (`isFromGroup: false`, trtc-calling-js's rule); Carol,
 * added during the call by `groupCall()` or `inviteUser()`, is named with Bob and runs it as a
 * group call. The three stay in one call until each hangs up, whoever goes first: a 1v1 callee
 * ends only once no one is left in the room, and the last one left ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { makeEmbeddedWorld } from '../support/embeddedWorld';
import { memoryWorld, type Party, type World } from '../support/world';

const S = 1000;
type Name = 'alice' | 'bob' | 'carol';

const WORLDS: readonly (readonly [string, () => World])[] = [
  ['the memory backend', memoryWorld],
  ['the embedded server', () => makeEmbeddedWorld()],
];

const ORDERS: readonly (readonly [Name, Name, Name])[] = [
  ['alice', 'bob', 'carol'],
  ['alice', 'carol', 'bob'],
  ['bob', 'carol', 'alice'],
  ['carol', 'bob', 'alice'],
];

describe.each(WORLDS)('a C2C group call of one that adds Carol, over %s', (_name, makeWorld) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.dispose();
    world = undefined;
  });

  const status = (...ps: Party[]) => ps.map((p) => p.calling.getCallStatus());

  describe.each(['groupCall', 'inviteUser'] as const)('Carol added by %s()', (how) => {
    it.each(ORDERS)('%s, %s, %s hang up in turn -> the others talk on until one is left; Bob hears Carol come and go', async (first, second, last) => {
      const w = (world = makeWorld());
      const three: Record<Name, Party> = { alice: await w.user('alice'), bob: await w.user('bob'), carol: await w.user('carol') };
      const { alice, bob, carol } = three;
      await alice.calling.groupCall({ userIDList: ['bob'], type: 1 });
      await w.advance(S);
      await bob.calling.accept();
      await w.advance(2 * S);
      expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
      expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ...ev.arrives('alice', false)]);

      if (how === 'groupCall') await alice.calling.groupCall({ userIDList: ['carol'], type: 1 });
      else await alice.calling.inviteUser({ userIDList: ['carol'] });
      await w.advance(S);
      await carol.calling.accept();
      await w.advance(2 * S);
      expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true)]);
      expect(bob.take()).toEqual(ev.arrives('carol', false));
      expect(carol.take()).toEqual([
        ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 }),
        ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true),
        ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true),
      ]);
      expect(status(alice, bob, carol)).toEqual(['connected', 'connected', 'connected']);

      // Alice runs it as our group caller and Carol as a group callee: each hears the roster left; Bob (1v1) does not.
      const heardLeave = (p: Name, who: Name, roster: Name[]) => (p === 'bob' ? [ev.leave(who)] : [ev.leave(who), ev.roster(roster)]);
      await three[first].calling.hangup();
      await w.advance(5 * S);
      expect(three[first].take()).toEqual([ev.end('alice', 'hangup')]);
      expect(three[second].take()).toEqual(heardLeave(second, first, [last]));
      expect(three[last].take()).toEqual(heardLeave(last, first, [second]));
      expect(status(three[first], three[second], three[last])).toEqual(['idle', 'connected', 'connected']);

      await three[second].calling.hangup();
      await w.advance(5 * S);
      expect(three[second].take()).toEqual([ev.end('alice', 'hangup')]);
      expect(three[last].take()).toEqual([...heardLeave(last, second, []), ev.end('alice', 'hangup')]);
      expect(three[first].take()).toEqual([]);
      await w.advance(40 * S);
      for (const p of [alice, bob, carol]) expect(p.take()).toEqual([]);
      expect(status(alice, bob, carol)).toEqual(['idle', 'idle', 'idle']);
    });
  });
});
