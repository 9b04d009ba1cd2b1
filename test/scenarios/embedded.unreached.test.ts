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

/**
 * A reviewer's report (2026-12-07): Alice's group call without an IM group, Bob the only one in it with her. She
 * invites Carol (inviteUser) as Bob hangs up, and the server refuses Carol's invitation (her mailbox full): Alice
 * heard ERROR and CALL_END hangup, never the NO_RESP the README promises a turn later. Now the call waits for it and
 * ends on it, as on any last answer: CALL_END noResponse, its length to the refusal.
 */
describe("a mid-call invitation refused as the last other member leaves (embedded server)", () => {
  let world: EmbeddedWorld;
  afterEach(() => world.dispose());

  it.each([
    ["Bob's hang-up reaches the server first", 'bob'],
    ["Alice's invitation reaches the server first", 'alice'],
  ] as const)('%s -> ERROR, USER_LEAVE and NO_RESP carol (in the order they came), then CALL_END noResponse; inviteUser() resolves with her code', async (_, first) => {
    world = makeEmbeddedWorld({ server: { limits: { maxBacklog: 1 } } });
    const dave = await world.user('dave');
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    // Carol is offline; Dave's invitation fills her mailbox.
    await dave.calling.call({ userID: 'carol', type: 2 });
    await world.advance(S);
    const dialled = alice.calling.groupCall({ userIDList: ['bob'], type: 2 });
    await world.advance(S);
    await dialled;
    await bob.calling.accept();
    await world.advance(S);
    alice.take();
    const invite = () => alice.calling.inviteUser({ userIDList: ['carol'] });
    let invited: ReturnType<typeof invite>;
    if (first === 'bob') {
      void bob.calling.hangup();
      invited = invite();
    } else {
      invited = invite();
      void bob.calling.hangup();
    }
    await world.advance(S);
    await expect(invited).resolves.toMatchObject({ code: 0, data: [{ userID: 'carol', code: 65535, error: { reason: 'notSent' } }] });
    const error = { name: 'onError', payload: { code: 65535, msg: 'carol has as many messages waiting as it may (quotaExceeded)', cause: expect.objectContaining({ serverCode: 'quotaExceeded' }) } };
    const left = [{ name: 'onUserLeave', payload: { userID: 'bob' } }, { name: 'onGroupCallInviteeListUpdate', payload: { userIDList: [] } }];
    expect(alice.take()).toEqual([
      ...(first === 'bob' ? [...left, error] : [error, ...left]),
      { name: 'onNoResp', payload: { userID: 'carol', userIDList: ['carol'], sponsor: 'alice' } },
      { name: 'onCallEnd', payload: { inviteID: expect.any(String), userID: 'alice', callEnd: 1, reason: 'noResponse' } },
    ]);
    await world.advance(40 * S);
    expect(alice.take()).toEqual([]);
    expect(alice.calling.getCallStatus()).toBe('idle');
  });
});
