/**
 * Planners for what the call machine says to the world: its IM signals, its room requests,
 * its notices to the user. Pure functions from (context, event) to {@link Effects}.
 */
import {
  type CallContext,
  type CallEvent,
  type CallMerged,
  answerRequest,
  answerer,
  answersBusy,
  busyReject,
  cancelRequests,
  durationAt,
  hangupRequest,
  inviteIdOf,
  inviteSignal,
  ownInvitee,
  rejectOf,
  timeoutRequest,
  toInvitees,
} from './callModel';
import { callGuards } from './callGuards';
import { overrulable, overruled } from './callDeclinedAccept';
import { lateAccept, spendReply, tellLate } from './lineModel';
import { type Effects, NONE, errorNotice, settle, stateError } from './callPlans';
import type { Command, ImRequest, Notice } from './events';

/**
 * The invitation to everyone invited: once to the IM group, or C2C one by one (each with its own
 * inviteID when the call has one per invitee, as Tencent's client sends them).
 */
export const sendInvite = (c: CallContext): Effects => ({
  im: c.inviteIDs
    ? c.invitees.map((u) => ({ type: 'im.send' as const, to: { users: [u] }, signal: { ...inviteSignal(c), inviteID: inviteIdOf(c, u) }, onlineUserOnly: c.onlineUserOnly }))
    : [{ type: 'im.send', to: toInvitees(c, c.invitees), signal: inviteSignal(c), onlineUserOnly: c.onlineUserOnly }],
});

/** Our answer, once in the room; a call we joined without an invitation has nobody to answer. */
export const sendAccept = (c: CallContext): Effects => (c.joined ? NONE : { im: [answerRequest(c, 'accept')] });

/**
 * Our decline; `reject({ isBusy: true })` makes it a busy answer, and so does a device of many
 * that goes away while ringing (logout, destroy): it declines for itself, not for its user; where
 * the IM holds no busy answers (Tencent) it says nothing, and the user's other devices ring on.
 */
export function sendReject(c: CallContext, e: CallEvent): Effects {
  if (c.joined) return NONE;
  const departing = e.type === 'call.terminate' && c.multiDevice === true;
  if (departing && c.busyHeld !== true) return NONE;
  return { im: [answerRequest(c, 'reject', (e.type === 'call.reject' && e.busy) || departing)] };
}

/** The callee's ring timer ran out: tell the inviter, as Tencent's callee does. */
export const sendCalleeTimeout = (c: CallContext): Effects => ({ im: [timeoutRequest(c, [c.self], 'inviter')] });

/**
 * Busy: an invite while this call is live. Many devices on an IM that holds no busy answer
 * (Tencent): say nothing, as the line does, so another device of ours may ring and answer (the
 * invite of our peer's other device comes here, as a possible glare, not to the line's rule).
 */
export const sendBusyReject = (c: CallContext, e: CallEvent): Effects =>
  e.type === 'im.invited' && answersBusy(c) ? budgeted(c, e.at, busyReject(c.self, e.signal)) : NONE;

/** An automatic reply, if the call's budget of them allows (a peer may send invites without end). */
function budgeted(c: CallContext, at: number, request: ImRequest): Effects {
  const replies = spendReply(c.replies, at);
  return replies ? { patch: { replies }, im: [request] } : NONE;
}

/** "Last one out": tell whoever left that the call is over, with its duration. */
export const sendHangupToLeaver = (c: CallContext, e: CallEvent): Effects =>
  e.type === 'member.left' ? { im: [hangupRequest(c, e.userID, durationAt(c, e.at))] } : NONE;

/**
 * An accept for a call we are leaving (it crossed our cancel), or the IM's refusal of our ending
 * signal: the acceptor is told with a hangup once both are known (`LateAccepts`), not when the IM took
 * our cancel, which ends its call already.
 */
export function answerLateAccept(c: CallContext, e: CallEvent): Effects {
  const step = lateAccept(c.late, e);
  if (!step || !('at' in e)) return NONE;
  const { replies, told } = tellLate(c.replies, e.at, step.tell);
  return { patch: { late: step.late, replies }, im: told.map((a) => hangupRequest(c, a.from, 0)) };
}

/**
 * The peer answered the invite we gave up in a glare we lost: a decline settles it; an accept
 * (another device of the peer took it) is told at once that it is withdrawn, as an accept that
 * crossed a cancel.
 */
function answersWithdrawn(c: CallContext, e: CallEvent): Effects | null {
  const w = c.withdrawn;
  if (w === null || !('signal' in e) || e.signal.inviteID !== w.signal.inviteID) return null;
  return { patch: { withdrawn: null }, im: e.type === 'im.accepted' ? [w] : [] };
}

/**
 * The call ends with our glare-lost invite unanswered: withdraw it now, as nobody may decline it
 * (the peer's dial ended before it landed there, or it lands there later, when the peer is idle).
 * A Tencent client that has not answered it busy yet (a call that ends within one IM delay of the
 * merge) hears a CANCEL as well as the end of its call: `CALLING_CANCEL` before it, no more.
 */
export const sendWithdrawn = (c: CallContext): Effects => (c.withdrawn === null ? NONE : { patch: { withdrawn: null }, im: [c.withdrawn] });

/** The peer's glare invite, landing once our dial is answered (or taken): declined, as `releaseGlare` would have. */
export const declineGlare = (c: CallContext, e: CallEvent): Effects => (e.type === 'im.invited' ? budgeted(c, e.at, rejectOf(c.self, e.signal, false)) : NONE);

/**
 * A signal of ours could not be sent: the user hears `ERROR`; an invitee whose own C2C invite it
 * was (a group call) was never reached: nobody waits for it, `NO_RESP` for it follows on the next
 * turn (the dial's promise settles after it); the others ring on.
 */
export function sendFailed(c: CallContext, e: CallEvent): Effects {
  const step = lateAccept(c.late, e);
  const told = { ...notify(c, e, 'error'), ...(step ? { patch: { late: step.late } } : {}) };
  if (e.type !== 'im.sendFailed' || e.kind !== 'invite') return told;
  const unreached = ownInvitee(c, e.inviteID);
  return unreached === undefined || c.roster[unreached] !== 'pending' ? told : { ...told, invitees: [{ userID: unreached, type: 'unreached', at: e.at }] };
}

/** Hands an IM answer to the invitee actor it concerns: the sender, answering its own invite (only users we invited have one). */
export function toInvitee(c: CallContext, e: CallEvent): Effects {
  const withdrawn = answersWithdrawn(c, e);
  if (withdrawn) return withdrawn;
  // Own keys only: a userID such as `constructor` is no invitee of ours.
  const ours = (userID: string) => Object.hasOwn(c.roster, userID);
  if (e.type === 'im.timedOut') {
    const timedOut = e.signal.invitees.filter((u) => ours(u) && inviteIdOf(c, u) === e.signal.inviteID);
    return { invitees: timedOut.map((userID) => ({ userID, type: 'timeout' as const, at: e.at })) };
  }
  if (e.type !== 'im.accepted' && e.type !== 'im.rejected') return NONE;
  const userID = answerer(c, e.signal.inviteID, e.from);
  if (userID === undefined || !ours(userID)) return NONE;
  // Another device of one who declined accepted after: the call goes on with them (`callDeclinedAccept`).
  if (e.type === 'im.accepted' && overrulable(c, userID)) return { patch: overruled(c, userID), invitees: [{ userID, type: 'overrule', at: e.at }] };
  const type = e.type === 'im.accepted' ? 'accept' : e.signal.busy ? 'busy' : 'reject';
  return { invitees: [{ userID, type, at: e.at }] };
}

export const enterRoom = (c: CallContext): Effects => ({
  patch: { room: 'entering', published: { video: c.camera, audioMuted: c.micMuted } },
  room: [
    {
      type: 'room.enter',
      roomID: c.roomID,
      userID: c.self,
      video: c.camera,
      audioMuted: c.micMuted,
      ...(c.isGroup ? {} : { participants: [c.inviter, ...c.invitees] }),
      ...(c.isGroup && c.groupID ? { groupID: c.groupID } : {}),
      ...(c.joined ? { joining: true } : {}),
    },
  ],
});

export const exitRoom = (c: CallContext): Effects =>
  c.room === 'out' ? NONE : { room: [{ type: 'room.exit', roomID: c.roomID }] };

/** An invitation over before we answered it: the room may drop what it kept for it (the caller's offer, handed early). */
export const forgetRoom = (c: CallContext): Effects => (c.answered ? NONE : { room: [{ type: 'room.forget', roomID: c.roomID }] });

/**
 * Glare: become the callee of the peer's invite (already answered), when it sorts first (its
 * invite is the event), or when the peer answered ours busy (the invite we held). Ours is not
 * withdrawn now: a CANCEL makes Tencent's client end its own call whatever inviteID it names, and
 * the peer settles it (Tencent's answers it busy; ours declines it when our accept reaches it).
 * Its CANCEL is kept (`withdrawn`) for when the peer does not settle it.
 */
export function mergeIntoTheirInvite(c: CallContext, e: CallEvent): Effects {
  const s = e.type === 'im.invited' ? e.signal : e.type === 'im.rejected' ? c.glareHeld : null;
  if (s === null) return NONE;
  const callType = s.callType || c.callType;
  return {
    parent: [{ type: 'call.merged', inviteID: s.inviteID, roomID: s.roomID } satisfies CallMerged],
    patch: {
      glareHeld: null,
      withdrawn: e.type === 'im.invited' ? (cancelRequests(c, c.invitees)[0] ?? null) : null,
      role: 'callee',
      inviteID: s.inviteID,
      inviter: s.inviter,
      invitees: s.invitees,
      roomID: s.roomID,
      callType,
      // Their call's type decides: an audio call has no camera (ours may have been a video call).
      camera: callType === 2 && c.camera,
      timeout: s.timeout,
      roster: {},
    },
    notices: [{ type: 'call.accepted', inviteID: s.inviteID, userID: s.inviter }],
  };
}

/**
 * Glare won: keep the peer's invite unanswered (ours sorts first, the peer's side is to take
 * ours), and route what concerns it to this call.
 */
export function holdGlare(e: CallEvent): Effects {
  if (e.type !== 'im.invited') return NONE;
  return { patch: { glareHeld: e.signal }, parent: [{ type: 'call.merged', inviteID: e.signal.inviteID } satisfies CallMerged] };
}

/**
 * The dial is over (answered, or ended) with the peer's glare invite still held: decline it, so
 * the peer's client (Tencent's waits for an answer) and our user's other devices, which ring for
 * it, hear that it is settled. Not when the dial merges into it (a busy answer to ours).
 */
export function releaseGlare(c: CallContext, e: CallEvent): Effects {
  if (c.glareHeld === null || callGuards.glareRefused({ context: c, event: e })) return NONE;
  return { patch: { glareHeld: null }, im: [rejectOf(c.self, c.glareHeld, false)] };
}

export type NoticeKind = 'invited' | 'cancelled' | 'timedOut' | 'ended' | 'elsewhere' | 'error';

/** The call's `call.ended` as its `ended` state tells it (none for a call the user neither dialled nor accepted). */
export function endedNotice(c: CallContext): Notice | null {
  return c.answered ? { type: 'call.ended', inviteID: c.inviteID, sponsor: c.inviter, reason: c.reason ?? 'hangup', callEnd: c.callEnd } : null;
}

/** The notices the states announce on their own. */
export function notify(c: CallContext, e: CallEvent, kind: NoticeKind): Effects {
  const base = { inviteID: c.inviteID, sponsor: c.inviter };
  const notice: Notice | null =
    kind === 'invited'
      ? { type: 'call.invited', ...base, userIDList: c.invitees, isFromGroup: c.isGroup, callType: c.callType, roomID: c.roomID }
      : kind === 'cancelled'
        ? { type: 'call.cancelled', ...base }
        : kind === 'timedOut'
          ? { type: 'call.timedOut', ...base, userIDList: [c.self] }
          : kind === 'elsewhere'
            ? { type: 'call.ended', ...base, reason: c.reason ?? 'answeredElsewhere', callEnd: 0 }
            : kind === 'ended'
            ? endedNotice(c)
            : 'error' in e
              ? errorNotice(e.error)
              : null;
  return notice ? { notices: [notice] } : NONE;
}

/** Answers the command being handled: done, or refused with a reason. */
export const answer = (e: CallEvent, refusal?: string): Effects => ({
  notices: [settle((e as Command).id, refusal === undefined ? undefined : stateError(refusal))],
});
