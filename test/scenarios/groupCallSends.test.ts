/**
 * groupCall() without an IM group (one C2C invite per invitee) waits for each invite's send, as call()
 * waits for its one (`CallSetup.invited`) and trtc-calling-js's inviteInGroupTRTC awaits every invite:
 * `data` has each invitee's real code (0: the IM took it; else the IM's code and the error), the promise
 * resolves with code 0 while one went (the call goes on for those) and rejects as call() does (reason
 * `notSent`, the IM's code) when none went and the call ended. It settles after the events that tell
 * the same story: each refused invitee's ERROR and NO_RESP, and CALL_END when none went.
 *
 * Found by a newcomer (2026-12-05): with every invite refused by the IM, the call had ended (ERROR,
 * ERROR, CALL_END reason error) and groupCall() still resolved `{ code: 0, data: [{ code: 0 }, ...] }`.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Backend } from '../../adapters/backend';
import { CallingError, type GroupCallResult, InvalidStateError, TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers, party, type Party, withSendToUser } from '../support/world';

const S = 1000;
const REFUSED = 20; // the memory IM's code for a send a fault rule refuses

/** What `party` heard by the time `promise` settled (its whole log then), and how it settled. */
function settled<T>(party: Party, promise: Promise<T>) {
  return promise.then(
    (value) => ({ value, heard: party.events.names() }),
    (error: unknown) => ({ error, heard: party.events.names() }),
  );
}

describe('groupCall() without an IM group waits for each invite to be taken or refused by the IM', () => {
  const t = memoryUsers('alice', 'bob', 'carol', 'dave', 'erin');
  /** The IM refuses every invitation (actionType 1) sent to one of `users`. */
  const refuseInvitesTo = (...users: string[]) =>
    t.world.net.im.addRule({ match: (m) => users.includes(m.to) && m.payload.includes('"actionType":1'), action: 'refuse' });

  /** Frank, logged in, whose IM takes 500 ms to take (or refuse) what he sends to one of `slowTo` (a send's round trip). */
  async function frank(slowTo: readonly string[]): Promise<Party> {
    const { clock, net } = t.world;
    const real = net.backend();
    const im = withSendToUser(real.im, (sendToUser, ...args) =>
      !slowTo.includes(args[0])
        ? sendToUser(...args)
        : new Promise<void>((resolve, reject) => void clock.setTimeout(() => void sendToUser(...args).then(resolve, reject), 500)),
    );
    const p = party('frank', new TRTCCalling({ SDKAppID: 1400000001, backend: { ...real, im } as Backend }));
    onTestFinished(() => void p.calling.destroy());
    await p.calling.login({ userID: 'frank', userSig: 'sig-frank' });
    await t.world.advance(100);
    p.take();
    return p;
  }

  it('every invite refused -> ERROR each, CALL_END reason error, then groupCall() rejects notSent with the IM code', async () => {
    refuseInvitesTo('bob', 'carol');
    const outcome = settled(t.alice, t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: '' }));
    await t.world.advance(S);
    const { error, heard } = (await outcome) as { error?: unknown; heard: string[] };
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.error(REFUSED), ev.end('alice', 'error')]);
    expect(error).toBeInstanceOf(CallingError);
    expect(error).toMatchObject({ code: REFUSED, reason: 'notSent' });
    expect(heard).toEqual(['onError', 'onError', 'onCallEnd']); // it settled after the call's end
    expect(t.alice.calling.getCallStatus()).toBe('idle');
    expect(t.bob.take()).toEqual([]);
    expect(t.carol.take()).toEqual([]);
  });

  it("one of two refused -> ERROR, NO_RESP carol, then it resolves with code 0 and carol's code and error; Bob rings and answers", async () => {
    refuseInvitesTo('carol');
    const outcome = settled(t.alice, t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: '' }));
    await t.world.advance(S);
    const { value, heard } = (await outcome) as { value?: GroupCallResult; heard: string[] };
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.noResp('carol', 'alice')]);
    expect(heard).toEqual(['onError', 'onNoResp']);
    const bobs = t.bob.calling.getSnapshot().call?.inviteID;
    expect(value).toEqual({
      code: 0,
      inviteID: bobs,
      roomID: expect.any(Number),
      groupID: '',
      data: [
        { code: 0, inviteID: bobs, userID: 'bob' },
        { code: REFUSED, inviteID: expect.any(String), userID: 'carol', error: expect.objectContaining({ code: REFUSED, reason: 'notSent' }) },
      ],
    });
    expect(value?.data?.[1]?.error).toBeInstanceOf(CallingError);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1, inviteID: bobs })]);
    expect(t.carol.take()).toEqual([]);
    expect(t.alice.calling.getCallStatus()).toBe('calling');
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take().map((e) => e.name)).toEqual(['onUserAccept', 'onUserEnter', 'onGroupCallInviteeListUpdate', 'onUserAudioAvailable']);
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  it('none refused -> it resolves once the IM took every invite (not before), each code 0, nothing else heard', async () => {
    const slow = await frank(['bob', 'carol']);
    let outcome: { value?: GroupCallResult; error?: unknown } | null = null;
    void settled(slow, slow.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2, groupID: '' })).then((o) => (outcome = o));
    await t.world.advance(300);
    expect(outcome).toBeNull(); // the invites are still on their way to the IM
    await t.world.advance(S);
    const value = (outcome as { value?: GroupCallResult; error?: unknown } | null)?.value;
    expect(value).toMatchObject({ code: 0, groupID: '', data: [{ code: 0, userID: 'bob' }, { code: 0, userID: 'carol' }] });
    expect(value?.data?.every((d) => d.error === undefined)).toBe(true);
    expect(slow.take()).toEqual([]);
    expect(t.bob.take().map((e) => e.name)).toEqual(['onInvited']);
    expect(t.carol.take().map((e) => e.name)).toEqual(['onInvited']);
  });

  it('a refused invite told before a slower one went: ERROR, NO_RESP, and only then the promise, whatever the timing', async () => {
    // Sends to Bob take 500 ms to settle; Carol's invite is refused at once: its NO_RESP (a turn later) comes first.
    const slow = await frank(['bob']);
    refuseInvitesTo('carol');
    const outcome = settled(slow, slow.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: '' }));
    await t.world.advance(S);
    const { value, heard } = (await outcome) as { value?: GroupCallResult; heard: string[] };
    expect(slow.take()).toEqual([ev.error(REFUSED), ev.noResp('carol', 'frank')]);
    expect(heard).toEqual(['onError', 'onNoResp']);
    expect(value?.data?.map((d) => [d.userID, d.code])).toEqual([['bob', 0], ['carol', REFUSED]]);
  });

  it("every invite refused, Bob's later: ERROR, NO_RESP carol, ERROR, CALL_END reason error, then it rejects with bob's code", async () => {
    const slow = await frank(['bob']);
    refuseInvitesTo('bob', 'carol');
    const outcome = settled(slow, slow.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 }));
    await t.world.advance(S);
    const { error, heard } = (await outcome) as { error?: unknown; heard: string[] };
    expect(slow.take()).toEqual([ev.error(REFUSED), ev.noResp('carol', 'frank'), ev.error(REFUSED), ev.end('frank', 'error')]);
    expect(heard).toEqual(['onError', 'onNoResp', 'onError', 'onCallEnd']);
    expect(error).toMatchObject({ code: REFUSED, reason: 'notSent' });
    expect(slow.calling.getCallStatus()).toBe('idle');
  });

  it('nine invitees, the first refused -> its code is there too (every invite is waited for, not the last few)', async () => {
    const more = ['f1', 'f2', 'f3', 'f4', 'f5'];
    for (const id of more) await t.world.user(id);
    refuseInvitesTo('bob');
    const userIDList = ['bob', 'carol', 'dave', 'erin', ...more];
    const outcome = settled(t.alice, t.alice.calling.groupCall({ userIDList, type: 1 }));
    await t.world.advance(S);
    const { value } = (await outcome) as { value?: GroupCallResult };
    expect(value?.data?.map((d) => d.code)).toEqual([REFUSED, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.noResp('bob', 'alice')]);
  });

  it('during a live group call: data has each user\'s real invitation (the one in the call keeps its own) and the refused one\'s code', async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    const bobs = t.bob.calling.getSnapshot().call?.inviteID;
    t.alice.take();
    refuseInvitesTo('dave');
    const outcome = settled(t.alice, t.alice.calling.groupCall({ userIDList: ['bob', 'dave', 'erin'], type: 1 }));
    await t.world.advance(S);
    const { value, heard } = (await outcome) as { value?: GroupCallResult; heard: string[] };
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.noResp('dave', 'alice', expect.arrayContaining(['dave']))]);
    expect(heard).toEqual(['onError', 'onNoResp']);
    const erins = t.erin.calling.getSnapshot().call?.inviteID;
    expect(value?.code).toBe(0);
    expect(value?.data).toEqual([
      { code: 0, inviteID: bobs, userID: 'bob' },
      { code: REFUSED, inviteID: expect.any(String), userID: 'dave', error: expect.objectContaining({ code: REFUSED, reason: 'notSent' }) },
      { code: 0, inviteID: erins, userID: 'erin' },
    ]);
    expect(t.erin.take().map((e) => e.name)).toEqual(['onInvited']);
    expect(t.dave.take()).toEqual([]);
    expect(t.alice.calling.getCallStatus()).toBe('connected'); // the call goes on
  });

  it('during a live group call, every new invite refused -> it resolves all the same (the call goes on), each code the IM\'s', async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    refuseInvitesTo('dave');
    const outcome = settled(t.alice, t.alice.calling.groupCall({ userIDList: ['dave'], type: 1 }));
    await t.world.advance(S);
    const { value } = (await outcome) as { value?: GroupCallResult };
    expect(value).toMatchObject({ code: 0, data: [{ code: REFUSED, userID: 'dave' }] });
    expect(t.alice.take().map((e) => e.name)).toEqual(['onError', 'onNoResp']);
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  // The wait is for the command's own invitations and the call they are for: not for whatever the line does next.
  it.each([
    ['groupCall', (p: Party): Promise<unknown> => p.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 })],
    ['call', (p: Party): Promise<unknown> => p.calling.call({ userID: 'bob', type: 1 })],
  ] as const)('%s(), hangup() while its invites are on their way, then a call to Dave -> it rejects notSent as they are refused, not once Dave\'s call is over', async (_, dial) => {
    const slow = await frank(['bob', 'carol']);
    refuseInvitesTo('bob', 'carol');
    let outcome: { value?: unknown; error?: unknown } | null = null;
    void settled(slow, dial(slow)).then((o) => (outcome = o));
    await t.world.advance(100);
    await slow.calling.hangup();
    await t.world.advance(100);
    await slow.calling.call({ userID: 'dave', type: 1 });
    await t.world.advance(S); // the invites to Bob and Carol were refused at 500 ms
    expect(slow.calling.getCallStatus()).toBe('calling'); // Dave rings
    expect((outcome as { error?: unknown } | null)?.error).toMatchObject({ code: REFUSED, reason: 'notSent' });
  });

  it.each([
    ['groupCall', (p: Party): Promise<unknown> => p.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 })],
    ['call', (p: Party): Promise<unknown> => p.calling.call({ userID: 'bob', type: 1 })],
  ] as const)('%s(), destroy() while its invites are on their way -> it rejects at once, InvalidStateError "destroyed" (as every pending promise)', async (method, dial) => {
    const slow = await frank(['bob', 'carol']);
    let outcome: { value?: unknown; error?: unknown } | null = null;
    void settled(slow, dial(slow)).then((o) => (outcome = o));
    await t.world.advance(100);
    void slow.calling.destroy();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect((outcome as { error?: unknown } | null)?.error).toEqual(new InvalidStateError(method, 'destroyed'));
    await t.world.advance(S); // the sends settle after it: nothing else (no unhandled rejection)
  });

  it('inviteUser() into the live call, destroy() while the invite is on its way -> it rejects at once, InvalidStateError "destroyed"', async () => {
    const slow = await frank(['carol']);
    await slow.calling.groupCall({ userIDList: ['bob'], type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    let outcome: { value?: unknown; error?: unknown } | null = null;
    void settled(slow, slow.calling.inviteUser({ userIDList: ['carol'] })).then((o) => (outcome = o));
    await t.world.advance(100);
    void slow.calling.destroy();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect((outcome as { error?: unknown } | null)?.error).toEqual(new InvalidStateError('inviteUser', 'destroyed'));
    await t.world.advance(S);
  });

  // README, Testing your app: the refused invitee's NO_RESP is told on a 0 ms timer, which a simulated clock runs only when moved.
  it('an invite refused on the memory network -> groupCall() settles only once the clock runs the NO_RESP\'s 0 ms turn (net.settle())', async () => {
    refuseInvitesTo('carol');
    let outcome: { value?: GroupCallResult; error?: unknown } | null = null;
    void settled(t.alice, t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 })).then((o) => (outcome = o));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); // real turns: the simulated clock stands still
    expect([outcome, t.alice.events.names()]).toEqual([null, ['onError']]);
    await t.world.net.settle();
    expect((outcome as { value?: GroupCallResult } | null)?.value?.data?.map((d) => d.code)).toEqual([0, REFUSED]);
    expect(t.alice.take()).toEqual([ev.error(REFUSED), ev.noResp('carol', 'alice')]);
  });
});
