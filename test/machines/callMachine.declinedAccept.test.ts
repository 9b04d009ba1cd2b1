/**
 * callMachine, caller side: Alice's call to Bob (`inv-5`) ended on Bob's own answer (his REJECT, busy or
 * not, or his ring's TIMEOUT), then an ACCEPT of Bob's lands: another device of his accepted as one
 * declined (Tencent IM passes both answers to the caller, in either order). His accepting device went
 * into the room after Alice left it and nothing of Alice's reached it: Alice tells it with a HANGUP,
 * once, while the call still leaves its room (here) and after (the line: lineMachine.lateAccept.test.ts).
 * A group call that goes on without him takes him as having answered: callMachine.declinedAcceptGroup.test.ts.
 * Run as in callMachine.caller.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ImRequest } from '../../machines/events';
import { NO_LATE_ACCEPTS, REPLY_BURST } from '../../machines/lineModel';
import { callerInput, im, out, rm } from '../support/machineHarness';
import { dialing, ended } from './callerSteps';

const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;
const exit = out.room({ type: 'room.exit', roomID: 42 });
const hangupTo = (user: string, inviteID = 'inv-5') =>
  out.im({ type: 'im.send', to: { users: [user] }, signal: { kind: 'hangup', ...base, inviteID, invitees: [user], callEnd: 0 }, onlineUserOnly: false } satisfies ImRequest);
/** CALL_END, then the output: the line gets Bob's accept that waits (for a refused cancel that never comes). */
const endedHolding = (reason: 'rejected' | 'busy' | 'noResponse') => [
  ended(reason)[0],
  { done: { inviteID: 'inv-5', reason, late: { ...NO_LATE_ACCEPTS, waiting: [{ inviteID: 'inv-5', from: 'bob', callType: 2 }] } } },
];
const noResp = out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice', userIDList: ['bob'] });

describe("callMachine caller: Bob's own answer ended the call, then his other device's ACCEPT lands", () => {
  it.each([
    ['his REJECT', im.rejected('bob'), [out.notice({ type: 'call.rejected', inviteID: 'inv-5', userID: 'bob' })], 'rejected'],
    ['his busy REJECT', im.rejected('bob', true), [out.notice({ type: 'call.busy', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice' })], 'busy'],
    ['his TIMEOUT', im.timedOut('bob', ['bob']), [noResp], 'noResponse'],
  ] as const)('%s -> ending; his ACCEPT -> a HANGUP to him (call_end 0); a second ACCEPT -> nothing; out of the room -> CALL_END', (_, answer, told, reason) => {
    const h = dialing();
    h.send(answer);
    expect(h.take()).toEqual([...told, exit]);
    h.send(im.accepted('bob'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([hangupTo('bob')]);
    // Told once: a repeated (or forged) copy waits, as any late accept, for a refused cancel that never comes.
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([]);
    h.send(rm.exited());
    expect(h.take()).toEqual(endedHolding(reason));
  });

  it("our own timer's TIMEOUT ended it -> his ACCEPT gets nothing: that TIMEOUT reaches his device and ends its call, a HANGUP besides ended it twice", () => {
    const h = dialing();
    h.clock.increment(35_000);
    h.take();
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([]);
    h.send(rm.exited());
    expect(h.take()).toEqual(endedHolding('noResponse'));
  });

  it("an ACCEPT from someone who did not decline (Carol, naming inv-5) -> nothing; Bob's still gets his HANGUP", () => {
    const h = dialing();
    h.send(im.rejected('bob'));
    h.take();
    h.send(im.accepted('carol'));
    expect(h.take()).toEqual([]);
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([hangupTo('bob')]);
  });

  it("a group call without an IM group, everyone declined: each one's ACCEPT naming their own inviteID gets a HANGUP naming it", () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true, inviteIDs: { bob: 'inv-5', carol: 'inv-6' } }));
    h.send(im.rejected('bob'));
    h.send(im.rejected('carol', false, { inviteID: 'inv-6' }));
    expect(h.value()).toBe('ending');
    h.take();
    // Carol's names her own invitation; one naming Bob's is not hers to accept.
    h.send(im.accepted('carol'));
    h.send(im.accepted('carol', { inviteID: 'inv-6' }));
    h.send(im.accepted('bob'));
    expect(h.take()).toEqual([hangupTo('carol', 'inv-6'), hangupTo('bob')]);
  });

  it(`forged: ${REPLY_BURST + 1} invitees of a group call declined, then all their ACCEPTs at one instant -> ${REPLY_BURST} HANGUPs (the reply budget), none more later for them`, () => {
    const users = Array.from({ length: REPLY_BURST + 1 }, (_, n) => `u${n}`);
    const h = dialing(callerInput({ invitees: users, isGroup: true, groupID: 'g1' }));
    for (const u of users) h.send(im.rejected(u, false, { groupID: 'g1' }));
    expect(h.value()).toBe('ending');
    h.take();
    for (const u of users) h.send(im.accepted(u, { groupID: 'g1' }));
    const sent = h.take();
    expect(sent).toEqual(users.slice(0, REPLY_BURST).map((u) => hangupTo(u)));
    // The last one's entry is spent with the budget: its accept again, a second later, gets nothing.
    h.clock.increment(1_000);
    h.send(im.accepted(users[REPLY_BURST] ?? '', { groupID: 'g1' }, 1_000));
    expect(h.take()).toEqual([]);
  });
});
