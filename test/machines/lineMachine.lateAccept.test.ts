/**
 * lineMachine: an accept from Bob for the call we dialled and ended (it crossed our CANCEL), and the
 * IM's refusal of that CANCEL, in either order (see `LateAccepts`, machines/lineModel.ts).
 */
import { describe, expect, it } from 'vitest';
import { cmd, im } from '../support/machineHarness';
import { emit, online, run, sendFailed, toIm } from './lineSteps';
import type { LineEvent } from '../../machines/lineMachine';

describe('lineMachine: idle', () => {
  describe('a stray ACCEPT from Bob for the call we dialled and ended (it crossed our CANCEL)', () => {
    const ended = { type: 'xstate.done.actor.call', output: { inviteID: 'inv-5', reason: 'cancelled' } } as unknown as LineEvent;
    const hangupToBob = toIm({
      type: 'im.send',
      to: { users: ['bob'] },
      signal: { kind: 'hangup', inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'], callEnd: 0 },
      onlineUserOnly: false,
    });
    const error = emit({ type: 'error', code: -2, message: 'network' });
    const afterCall = () => run([cmd.dial(2), ended], online()).snapshot;

    it('the IM took our CANCEL -> nothing sent back: the CANCEL ends his call (a HANGUP too made Tencent\'s client end it twice)', () => {
      expect(afterCall().context.recent).toEqual(['inv-5']);
      const r = run([im.accepted('bob', { inviter: 'alice' })], afterCall());
      expect(r.value).toEqual({ online: 'idle' });
      expect(r.steps).toEqual([]);
    });

    it('the IM refuses our CANCEL after his ACCEPT came -> ERROR, then a HANGUP (call_end 0) to him', () => {
      const r = run([im.accepted('bob', { inviter: 'alice' }), sendFailed('inv-5', 'cancel')], afterCall());
      expect(r.steps).toEqual([error, hangupToBob]);
      // Told once: the ledger forgot him.
      expect(run([sendFailed('inv-5', 'cancel')], r.snapshot).steps).toEqual([error]);
    });

    it('the IM refused our CANCEL, then his ACCEPT comes -> a HANGUP to him', () => {
      const refused = run([sendFailed('inv-5', 'cancel')], afterCall());
      expect(refused.steps).toEqual([error]);
      expect(run([im.accepted('bob', { inviter: 'alice' })], refused.snapshot).steps).toEqual([hangupToBob]);
    });

    it("the call ended holding his ACCEPT (it came while the call left its room) -> the line sends the HANGUP at the CANCEL's refusal", () => {
      const holding = { ...ended, output: { inviteID: 'inv-5', reason: 'cancelled', late: { refused: [], waiting: [{ inviteID: 'inv-5', from: 'bob', callType: 2 }], unsent: [], declined: [] } } } as unknown as LineEvent;
      expect(run([cmd.dial(2), holding, sendFailed('inv-5', 'cancel')], online()).steps).toEqual([error, hangupToBob]);
    });

    it('the IM refused our INVITE (the call said ERROR), then the CANCEL sent after it in case it went -> no second ERROR; a late ACCEPT still hears a HANGUP', () => {
      const unsent = { ...ended, output: { inviteID: 'inv-5', reason: 'error', late: { refused: [], waiting: [], unsent: ['inv-5'], declined: [] } } } as unknown as LineEvent;
      const refused = run([cmd.dial(2), unsent, sendFailed('inv-5', 'cancel')], online());
      expect(refused.steps).toEqual([]);
      expect(run([im.accepted('bob', { inviter: 'alice' })], refused.snapshot).steps).toEqual([hangupToBob]);
      // Another call's refused cancel is still told.
      expect(run([sendFailed('inv-6', 'cancel')], refused.snapshot).steps).toEqual([error]);
    });
  });

  describe("Bob declined himself (his REJECT or his TIMEOUT ended the call), then his other device's ACCEPT lands", () => {
    const declined = { type: 'xstate.done.actor.call', output: { inviteID: 'inv-5', reason: 'rejected', late: { refused: [], waiting: [], unsent: [], declined: ['bob inv-5'] } } } as unknown as LineEvent;
    const afterCall = () => run([cmd.dial(2), declined], online()).snapshot;
    const hangupToBob = (callType: 1 | 2) =>
      toIm({
        type: 'im.send',
        to: { users: ['bob'] },
        signal: { kind: 'hangup', inviteID: 'inv-5', inviter: 'alice', groupID: '', callType, invitees: ['bob'], callEnd: 0 },
        onlineUserOnly: false,
      });

    it('idle -> a HANGUP to him (of his accept\'s call type), once: the same ACCEPT again gets nothing', () => {
      const r = run([im.accepted('bob', { inviter: 'alice', callType: 1 })], afterCall());
      expect(r.steps).toEqual([hangupToBob(1)]);
      expect(run([im.accepted('bob', { inviter: 'alice' })], r.snapshot).steps).toEqual([]);
    });

    it('Alice already dials Carol -> still a HANGUP to him; her call hears nothing of it', () => {
      const r = run([cmd.dial(3, 'carol', 'inv-6'), im.accepted('bob', { inviter: 'alice' })], afterCall());
      expect(r.value).toEqual({ online: 'busy' });
      expect(r.steps).toEqual([hangupToBob(2)]);
    });

    it('an ACCEPT from Carol naming inv-5, or from Bob naming another call of Alice\'s or one of his own -> nothing', () => {
      const s = afterCall();
      expect(run([im.accepted('carol', { inviter: 'alice' })], s).steps).toEqual([]);
      expect(run([im.accepted('bob', { inviter: 'alice', inviteID: 'inv-4' })], s).steps).toEqual([]);
      expect(run([im.accepted('bob', { inviter: 'bob' })], s).steps).toEqual([]);
    });
  });
});
