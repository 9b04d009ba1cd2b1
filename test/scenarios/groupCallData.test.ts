/**
 * What `groupCall()` and `inviteUser()` resolve with has one shape, `{ code: 0, inviteID, roomID,
 * groupID, data }`, `data` naming each user with its invitation and its send's outcome, however the
 * call was made. During a live group call each new invitee gets an invitation of its own (a C2C
 * invite, even when the call went through an IM group), so each has a code of its own to tell.
 *
 * Found by the client review (2026-12-05): in a live call made through an IM group, `groupCall()`
 * resolved without `data` (it was built only when the call had no group), and `inviteUser()`
 * resolved with nothing in any call: a refused invitee was told only by `ERROR` and `NO_RESP`.
 */
import { describe, expect, it } from 'vitest';
import type { GroupCallResult } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;
const REFUSED = 20; // the memory IM's code for a send a fault rule refuses

describe('groupCall() and inviteUser() resolve with data for each user, however the call was made', () => {
  const t = memoryUsers('alice', 'bob', 'carol', 'dave', 'erin');
  /** The IM refuses every invitation (actionType 1) sent to one of `users`. */
  const refuseInvitesTo = (...users: string[]) =>
    t.world.net.im.addRule({ match: (m) => users.includes(m.to) && m.payload.includes('"actionType":1'), action: 'refuse' });

  /** Alice group-calls Bob (through the IM group "team" when `groupID` is), and Bob accepts. */
  async function liveCall(groupID: string): Promise<{ inviteID: string; roomID: number; bobs: string }> {
    if (groupID) await t.world.createGroup(groupID, ['alice', 'bob', 'carol', 'dave', 'erin']);
    await t.alice.calling.groupCall({ userIDList: ['bob'], type: 1, groupID });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    const call = t.alice.calling.getSnapshot().call;
    return { inviteID: call?.inviteID ?? '', roomID: call?.roomID ?? 0, bobs: t.bob.calling.getSnapshot().call?.inviteID ?? '' };
  }

  const refusedDave = { code: REFUSED, inviteID: expect.any(String), userID: 'dave', error: expect.objectContaining({ code: REFUSED, reason: 'notSent' }) };

  it.each([
    ['groupCall() again', (userIDList: string[]) => t.alice.calling.groupCall({ userIDList, type: 1, groupID: 'team' })],
    ['inviteUser()', (userIDList: string[]) => t.alice.calling.inviteUser({ userIDList })],
  ] as const)('a live call through the IM group "team", Dave refused by the IM: %s resolves with data (Bob keeps his, Dave the IM code, Erin hers)', async (_, invite) => {
    const { inviteID, roomID, bobs } = await liveCall('team');
    refuseInvitesTo('dave');
    const done = invite(['bob', 'dave', 'erin']);
    await t.world.advance(S);
    const value = (await done) as GroupCallResult;
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.noResp('dave', 'alice', expect.arrayContaining(['dave']))]);
    const erins = t.erin.calling.getSnapshot().call?.inviteID;
    expect(erins).toEqual(expect.any(String));
    expect(erins).not.toBe(inviteID); // her own invitation (C2C), not the group's
    expect(value).toEqual({
      code: 0,
      inviteID,
      roomID,
      groupID: 'team',
      data: [{ code: 0, inviteID: bobs, userID: 'bob' }, refusedDave, { code: 0, inviteID: erins, userID: 'erin' }],
    });
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  it('a live call without an IM group: inviteUser() resolves as groupCall() does there, data and all', async () => {
    const { inviteID, roomID, bobs } = await liveCall('');
    refuseInvitesTo('dave');
    const done = t.alice.calling.inviteUser({ userIDList: ['bob', 'dave', 'erin'] });
    await t.world.advance(S);
    const erins = t.erin.calling.getSnapshot().call?.inviteID;
    expect(await done).toEqual({
      code: 0,
      inviteID,
      roomID,
      groupID: '',
      data: [{ code: 0, inviteID: bobs, userID: 'bob' }, refusedDave, { code: 0, inviteID: erins, userID: 'erin' }],
    });
    expect(t.alice.take().map((e) => e.name)).toEqual(['onError', 'onNoResp']);
  });

  it('a new call through the IM group "team": data names each invitee with the one invitation they share, code 0', async () => {
    await t.world.createGroup('team', ['alice', 'bob', 'carol']);
    const done = t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
    await t.world.advance(S);
    const value = await done;
    const { inviteID, roomID } = t.alice.calling.getSnapshot().call ?? { inviteID: '', roomID: 0 };
    expect(t.bob.calling.getSnapshot().call?.inviteID).toBe(inviteID);
    expect(value).toEqual({
      code: 0,
      inviteID,
      roomID,
      groupID: 'team',
      data: [
        { code: 0, inviteID, userID: 'bob' },
        { code: 0, inviteID, userID: 'carol' },
      ],
    });
    expect(t.alice.take()).toEqual([]);
  });
});
