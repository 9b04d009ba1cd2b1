/**
 * An unreached invitee (its own invite could not be sent) and the call around it: a hang-up in the
 * 0 ms before its NO_RESP sends it no cancel and no NO_RESP follows CALL_END; every invite failing
 * ends the call with reason error (checks from the review of 2026-12-04, sound as written).
 */
import { describe, expect, it } from 'vitest';
import type { CallContext, CallEvent } from '../../machines/callModel';
import { callerInput, cmd, im, out, rm, startCall } from '../support/machineHarness';

const exit = out.room({ type: 'room.exit', roomID: 42 });
const sendFailed = (inviteID: string, kind: 'invite'): CallEvent => ({ type: 'im.sendFailed', inviteID, kind, at: 0, error: { code: -2, message: 'offline' } });
/** The call's end; `unsent`: the invitations the IM refused, handed to the line (their cancels' refusals are not told again). */
const ended = (reason: CallContext['reason'], unsent: string[] = []) => [
  out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: reason ?? 'hangup', callEnd: 0 }),
  { done: { inviteID: 'inv-5', reason, ...(unsent.length > 0 ? { late: { refused: [], waiting: [], unsent, declined: [] } } : {}) } },
];
function dialing(input = callerInput()) {
  const h = startCall(input);
  h.take();
  return h;
}


const group = () =>
  startCall(callerInput({ invitees: ['bob', 'carol'], isGroup: true, inviteIDs: { bob: 'inv-5', carol: 'inv-6' } }));
const failed = (inviteID: string, at = 0) =>
  ({ type: 'im.sendFailed', inviteID, kind: 'invite', at, error: { code: 20007, message: 'quota' } }) as const;
const kinds = (log: unknown[]) =>
  log.map((o) => {
    const r = o as { im?: { signal: { kind: string }; to: unknown }; notice?: { type: string }; done?: { reason: string } };
    return r.im ? `im:${r.im.signal.kind}:${JSON.stringify(r.im.to)}` : r.notice ? `notice:${r.notice.type}` : r.done ? `done:${r.done.reason}` : 'other';
  });

describe('unreached invitee', () => {
  it('hangup in the 0 ms window: no cancel to the unreached one, no NO_RESP after CALL_END', async () => {
    const h = group();
    h.take();
    h.send(failed('inv-6'));
    h.send(cmd.hangup(3));
    await h.clock.increment(6_000);
    const log = kinds(h.take()).filter((k) => k !== 'other');
    expect(log).toEqual(['notice:error', 'notice:command.settled', 'im:cancel:{"users":["bob"]}', 'notice:call.ended', 'done:cancelled']);
  });

  it('every invite failing: ERROR twice, CALL_END reason error, no NO_RESP', async () => {
    const h = group();
    h.take();
    h.send(failed('inv-5'));
    h.send(failed('inv-6'));
    await h.clock.increment(6_000);
    const log = kinds(h.take()).filter((k) => k !== 'other');
    expect(log).toEqual(['notice:error', 'notice:error', 'notice:call.ended', 'done:error']);
  });
});

describe("callMachine caller: a group call's C2C invite that could not be sent", () => {
  // As groupCall() without an IM group dials: the call's inviteID is Bob's, Carol's is her own.
  const group = () => dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true, inviteIDs: { bob: 'inv-5', carol: 'inv-6' } }));
  const offline = out.notice({ type: 'error', code: -2, message: 'offline' });

  it("Bob's invite (the call's own inviteID) fails -> ERROR, still dialing, Bob no longer waited for, NO_RESP bob on the next turn; Carol accepts -> the call; no cancel for Bob at the hang-up", () => {
    const h = group();
    h.send(sendFailed('inv-5', 'invite'));
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([offline]);
    expect(h.context().roster).toEqual({ bob: 'unreached', carol: 'pending' });
    h.clock.increment(0);
    expect(h.take()).toEqual([out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice', userIDList: ['bob'] })]);
    expect(h.context().roster).toEqual({ bob: 'unreached', carol: 'pending' });
    h.send(rm.entered());
    h.send(im.accepted('carol', { inviteID: 'inv-6' }));
    expect(h.value()).toEqual({ inCall: 'alone' });
    h.take();
    h.send(cmd.hangup(2));
    expect(h.take()).toEqual([out.settled(2), exit]);
  });

  it("Carol's invite fails -> ERROR, NO_RESP carol on the next turn, Bob rings on; Bob's fails too -> nobody was reached: ending, CALL_END error", () => {
    const h = group();
    h.send(sendFailed('inv-6', 'invite'));
    h.clock.increment(0);
    expect(h.value()).toBe('dialing');
    expect(h.take()).toEqual([offline, out.notice({ type: 'call.noResponse', inviteID: 'inv-5', userID: 'carol', sponsor: 'alice', userIDList: ['carol'] })]);
    h.send(sendFailed('inv-5', 'invite'));
    expect(h.value()).toBe('ending');
    expect(h.take()).toEqual([offline, exit]);
    h.send(rm.exited());
    expect(h.take()).toEqual(ended('error', ['inv-6', 'inv-5']));
  });

  it('both invites fail in one turn (the IM down) -> ERROR twice, ending, CALL_END error; no NO_RESP', () => {
    const h = group();
    h.send(sendFailed('inv-5', 'invite'));
    h.send(sendFailed('inv-6', 'invite'));
    expect(h.value()).toBe('ending');
    h.send(rm.exited());
    h.clock.increment(0);
    expect(h.take()).toEqual([offline, offline, exit, ...ended('error', ['inv-5', 'inv-6'])]);
  });

  it('a 1v1 invite or an IM group invite that fails still ends the call at once (nobody else was invited)', () => {
    const h = dialing(callerInput({ invitees: ['bob', 'carol'], isGroup: true, groupID: 'g1' }));
    h.send(sendFailed('inv-5', 'invite'));
    expect(h.value()).toBe('ending');
    expect(h.context().reason).toBe('error');
  });
});
