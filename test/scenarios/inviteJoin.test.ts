/**
 * Inviting into and joining a group call in progress, over the memory network and the embedded
 * server (whose room grants admit a member of the call's IM group: test/server/grants.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { describeInviteJoinScenarios } from './inviteJoinScenarios';
import { ev } from '../support/ev';
import { makeEmbeddedWorld } from '../support/embeddedWorld';
import { memoryWorld } from '../support/world';

describeInviteJoinScenarios('the memory backend', memoryWorld);
describeInviteJoinScenarios('the embedded server', () => makeEmbeddedWorld());

const S = 1000;

describe('joinInGroupCall() over the embedded server: the trust rules of the room grants', () => {
  it('Dave, not a member of group "team", joinInGroupCall() into its call -> refused by the server: ERROR, CALL_END error; Alice and Bob see nothing', async () => {
    const world = makeEmbeddedWorld();
    try {
      const alice = await world.user('alice');
      const bob = await world.user('bob');
      const dave = await world.user('dave');
      await world.createGroup('team', ['alice', 'bob']);
      await alice.calling.groupCall({ userIDList: ['bob'], type: 1, timeout: 30, groupID: 'team' });
      await world.advance(S);
      await bob.calling.accept();
      await world.advance(S);
      alice.take();
      bob.take();
      const roomID = alice.calling.getSnapshot().call?.roomID ?? 0;
      await dave.calling.joinInGroupCall({ groupID: 'team', roomID, callType: 1 });
      await world.advance(S);
      expect(dave.take()).toEqual([ev.error(expect.any(Number) as unknown as number), ev.end('', 'error', 0)]);
      expect(dave.calling.getCallStatus()).toBe('idle');
      expect([alice.take(), bob.take()]).toEqual([[], []]);
    } finally {
      await world.dispose();
    }
  });
});
