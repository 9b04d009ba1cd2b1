/**
 * The review of fbef0ed (2026-12-04; fixed since): groupCall() "without an IM group (groupID ''), data has each invitee's own
 * invitation" (GroupCallResult, README Migrating). groupCall() during the group call it started
 * invites the new users with new inviteIDs (#invite) but resolves with the live call's inviteID and
 * no `data`: the app has no inviteID of the invitation the new invitee got.
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('groupCall() during a group call without an IM group', () => {
  const t = memoryUsers('alice', 'bob', 'carol', 'dave');

  it("resolves with data naming the new invitee's own invitation", async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    const more = await t.alice.calling.groupCall({ userIDList: ['dave'], type: 1 });
    await t.world.advance(S);
    const daves = t.dave.calling.getSnapshot().call?.inviteID;
    expect(daves).toBeDefined();
    expect(more.groupID).toBe('');
    expect(more.data).toEqual([{ code: 0, inviteID: daves, userID: 'dave' }]); // it failed: no data
  });
});
