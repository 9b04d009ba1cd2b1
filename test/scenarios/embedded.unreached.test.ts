/**
 * A group call's C2C invite the server refuses for one invitee (its mailbox full: offline with as
 * many messages waiting as it may keep) reaches nobody but that invitee: the caller hears `ERROR`
 * and `NO_RESP` for it, then `groupCall()` resolves with its code in `data` (before 2026-12-05 it resolved
 * before both, with code 0 for it), the others ring on and the call goes on without it. Until 2026-12-04 the first invitee's refusal ended the whole call
 * (its invite carries the call's own inviteID), while a later one's left the call waiting 30 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';

const S = 1000;
const names = (events: readonly { name: string }[]) => events.map((e) => e.name);

describe("a group call's invite refused for one invitee (embedded server)", () => {
  let world: EmbeddedWorld;
  afterEach(() => world.dispose());

  it.each([
    ['the first invitee (the call\'s own inviteID)', ['bob', 'carol']],
    ['a later invitee', ['carol', 'bob']],
  ])('%s: ERROR and NO_RESP bob for the caller, Carol rings and answers, the call goes on; nothing more for Bob', async (_, userIDList) => {
    world = makeEmbeddedWorld({ server: { limits: { maxBacklog: 1 } } });
    const dave = await world.user('dave');
    const alice = await world.user('alice');
    const carol = await world.user('carol');
    // Bob is offline; Dave's invitation fills his mailbox.
    await dave.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    const dialled = alice.calling.groupCall({ userIDList, type: 2 }).then((result) => ({ result, heard: alice.events.names() }));
    await world.advance(S);
    const { result, heard } = await dialled;
    expect(heard).toEqual(['onError', 'onNoResp']);
    expect(result.data?.map((d) => [d.userID, d.code, d.error?.reason])).toEqual(
      userIDList.map((u) => (u === 'bob' ? ['bob', 65535, 'notSent'] : [u, 0, undefined])),
    );
    expect(alice.take()).toEqual([
      // The server's refusal as its cause: its code (65535 is any limit's) told apart by serverCode.
      {
        name: 'onError',
        payload: {
          code: 65535,
          msg: 'bob has as many messages waiting as it may (quotaExceeded)',
          cause: expect.objectContaining({ name: 'ImPortError', code: 65535, serverCode: 'quotaExceeded' }),
        },
      },
      { name: 'onNoResp', payload: { userID: 'bob', userIDList: ['bob'], sponsor: 'alice' } },
    ]);
    expect(names(carol.take())).toEqual(['onInvited']);
    await carol.calling.accept();
    await world.advance(S);
    expect(names(alice.take())).toEqual(['onUserAccept', 'onUserEnter', 'onGroupCallInviteeListUpdate', 'onUserAudioAvailable', 'onUserVideoAvailable']);
    expect(names(carol.take())).toEqual(['onUserEnter', 'onGroupCallInviteeListUpdate', 'onUserAudioAvailable', 'onUserVideoAvailable']);
    // Past every invitation's timer (30 s, the caller's 35 s): nobody waited for Bob.
    await world.advance(40 * S);
    expect(names(alice.take())).toEqual([]);
    expect(names(carol.take())).toEqual([]);
    expect(alice.calling.getCallStatus()).toBe('connected');
    await alice.calling.hangup();
    await world.advance(S);
    expect(names(alice.take())).toEqual(['onCallEnd']);
  });
});
