/**
 * An unreached invitee (its own invite could not be sent) and the call around it: a hang-up in the
 * 0 ms before its NO_RESP sends it no cancel and no NO_RESP follows CALL_END; every invite failing
 * ends the call with reason error (checks from the review of 2026-12-04, sound as written).
 */
import { describe, expect, it } from 'vitest';
import { callerInput, cmd, startCall } from '../support/machineHarness';

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
