/**
 * Many devices: what an outgoing signal answers, read from its payload with the codec, for the
 * IM's answer rule (`AnswerLedger` in `adapters/ws/protocol.ts`): the first answer of any of a
 * user's devices to an invitation goes on, later ones are dropped; busy goes on once all are busy.
 */
import { decodeSignal } from './signalingCodec';
import type { AnswerMeta } from './ws/protocol';

/** The invitation `payload` (sent by `self`) makes, or `undefined` when it is none. */
export function inviteOf(payload: string, self: string): { readonly inviteID: string; readonly roomID: number; readonly invitees: readonly string[] } | undefined {
  const decoded = decodeSignal(payload, self);
  return decoded.ok && decoded.signal.kind === 'invite' ? decoded.signal : undefined;
}

/** The answer `payload` (sent by `self`) gives to an invitation, or `undefined` when it answers none. */
export function answerOf(payload: string, self: string): AnswerMeta | undefined {
  const decoded = decodeSignal(payload, self);
  if (!decoded.ok) return undefined;
  const s = decoded.signal;
  switch (s.kind) {
    case 'accept':
      // A switch accept answers a switch request, not an invitation.
      return s.switchTo === undefined && s.invitee === self ? { inviteID: s.inviteID, inviter: s.inviter, kind: 'accept' } : undefined;
    case 'reject':
      return s.invitee === self ? { inviteID: s.inviteID, inviter: s.inviter, kind: s.busy ? 'busy' : 'reject' } : undefined;
    case 'timeout':
      // The callee's own ring timer; the inviter's timeout notices are about others.
      return s.inviter !== self && s.invitees.includes(self) ? { inviteID: s.inviteID, inviter: s.inviter, kind: 'timeout' } : undefined;
    default:
      return undefined;
  }
}
