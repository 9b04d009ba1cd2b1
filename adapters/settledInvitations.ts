/**
 * What a backlog settles: the invitations held for a user while it was away that were over before
 * it came back, and the messages that settled them. Every backend delivers a backlog (Tencent IM's
 * offline replay, `tencent/timMessages.ts`; the embedded server's store, `ws/backlog.ts`; the
 * memory network's offline store) through this one rule, so that an invitation withdrawn, timed
 * out or answered elsewhere while its invitee was offline never rings for an instant at login, as
 * TSignaling drops it from its replay (spec/wire-protocol.md, section 1.7).
 *
 * What settles an invitation for `self`: what its inviter sent after it (a cancel, the caller's
 * timeout, a hangup), what `self` sent (an answer from another device of ours), and for a 1v1 call
 * its invitee's answer. In a group call another invitee's accept, reject (TUICallEngine sends rejects
 * to the whole group, `isRejectNotifyAll`) or timeout is hers alone: the call still rings for us,
 * as the Chat SDK's own replay has it (it strikes each answerer off the invitee list and rings
 * while we are on it). TSignaling 1.0.8 dropped the invitation at any later action, so a user who
 * logged in after one member had declined was never rung for a call that went on without him.
 * Anyone else who knows an inviteID (a member of the IM group its call went through) settles
 * nothing, also by an invitation of its own under that inviteID (whose cancel settled the first
 * before 2026-12-05: an adversarial review's finding).
 */
import type { DecodeResult } from '../machines/types';
import { decodeSignal } from './signalingCodec';

/** A message of a backlog, as the rule reads it. */
export interface BacklogMessage {
  /** The sender, as the IM authenticated it. */
  readonly from: string;
  readonly payload: string;
  /** When the IM took it in, in any unit that grows with time (a message settles only what came before it). */
  readonly at: number;
}

/** What {@link settledIn} found in a backlog, by index. */
export interface Settled {
  /** Each message, decoded (the caller need not decode it again). */
  readonly decoded: readonly DecodeResult[];
  /** The invitations settled for `self`. */
  readonly invitations: ReadonlySet<number>;
  /** The messages that settle one of them. */
  readonly settling: ReadonlySet<number>;
}

interface Invitation {
  readonly inviter: string;
  readonly invitees: readonly string[];
  readonly isGroup: boolean;
  readonly at: number;
}

/** The invitations of `messages` (a backlog of `self`'s, in order) that are settled, and the messages that settle them. */
export function settledIn(messages: readonly BacklogMessage[], self: string): Settled {
  const decoded = messages.map((m) => decodeSignal(m.payload, m.from));
  // By inviteID, every inviter's: another's invitation under the same inviteID settles nothing of the first.
  const invitations = new Map<string, Invitation[]>();
  decoded.forEach((d, i) => {
    if (!d.ok || d.signal.kind !== 'invite') return;
    const { inviter, invitees, isGroup, inviteID } = d.signal;
    invitations.set(inviteID, [...(invitations.get(inviteID) ?? []), { inviter, invitees, isGroup, at: messages[i]?.at ?? 0 }]);
  });
  /** `<inviter> <inviteID>` of each invitation settled. */
  const keys = new Set<string>();
  const settling = new Set<number>();
  decoded.forEach((d, i) => {
    const m = messages[i];
    if (!d.ok || d.signal.kind === 'invite' || !m) return;
    for (const invitation of invitations.get(d.signal.inviteID) ?? []) {
      const settles = m.from === invitation.inviter || m.from === self || (!invitation.isGroup && invitation.invitees.includes(m.from));
      if (!settles || m.at < invitation.at) continue;
      keys.add(`${invitation.inviter} ${d.signal.inviteID}`);
      settling.add(i);
    }
  });
  const settled = new Set<number>();
  decoded.forEach((d, i) => {
    if (d.ok && d.signal.kind === 'invite' && keys.has(`${d.signal.inviter} ${d.signal.inviteID}`)) settled.add(i);
  });
  return { decoded, invitations: settled, settling };
}

/**
 * A backlog of `self`'s (messages with their IM time stamp `sentAt`, in order) split: what is told
 * (in order), and what is not (a settled invitation and what settled it, see {@link settledIn}).
 * Nothing else is held back: an answer or cancel whose invitation is not in the backlog (it rang
 * before, or its call is ours) is told, and the calls decide about it.
 */
export function withoutSettled<M extends { readonly from: string; readonly payload: string; readonly sentAt: number }>(
  messages: readonly M[],
  self: string,
): { readonly kept: M[]; readonly dropped: M[] } {
  const kept: M[] = [];
  const dropped: M[] = [];
  // One message alone settles nothing (the common case at a login): no decoding.
  if (messages.length < 2) return { kept: [...messages], dropped };
  const { invitations, settling } = settledIn(messages.map((m) => ({ from: m.from, payload: m.payload, at: m.sentAt })), self);
  messages.forEach((m, i) => (invitations.has(i) || settling.has(i) ? dropped : kept).push(m));
  return { kept, dropped };
}
