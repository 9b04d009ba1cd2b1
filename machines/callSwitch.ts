/**
 * Switching a 1v1 call between audio and video (spec 2.6), as pure planners from (context,
 * event) to {@link Effects}. On the wire exactly as trtc-calling-js: the request is a C2C
 * INVITE of its own (a new inviteID) to the peer; the peer accepts it at once (an ACCEPT of
 * that inviteID carrying the switch markers) or rejects it. Whoever switches stops or starts
 * the camera: the peer when it accepts, the requester when the accept arrives.
 */
import { type CallContext, type CallEvent, type CallMerged, imSend, peerOf } from './callModel';
import { type Effects, NONE, settle, stateError } from './callPlans';
import type { CommandError, RoomRequest } from './events';
import type { SwitchOutput } from './switchMachine';
import type { CallType, SwitchSignal } from './types';

/** TSignaling's invite timeout, which a switch request has too: one older than this is stale. */
export const SWITCH_REQUEST_MS = 30_000;

/** How long our switch request waits for an answer: TSignaling's 30 s invite timeout, plus the caller's grace. */
export const switchAnswerMs = (c: CallContext): number => SWITCH_REQUEST_MS + c.noAnswerGraceMs;

/** The spec's codes for a switch that did not happen: 60001 to audio, 60002 to video (spec 3.4). */
const switchError = (to: CallType, reason: string): CommandError => ({ code: to === 1 ? 60001 : 60002, reason, kind: 'refused' });

/** The call now has type `to`: the camera follows (off for audio, on for video), and the user hears of it. */
export function applySwitch(c: CallContext, to: CallType): Effects {
  if (to === c.callType) return NONE;
  const camera = to === 2;
  const room: RoomRequest[] = c.room === 'in' && c.published.video !== camera ? [{ type: 'room.setCamera', roomID: c.roomID, commandId: -1, on: camera }] : [];
  return {
    patch: {
      callType: to,
      camera,
      ...(room.length > 0 ? { published: { ...c.published, video: camera } } : {}),
    },
    room,
    notices: [{ type: 'call.typeChanged', inviteID: c.inviteID, oldCallType: c.callType, newCallType: to }],
  };
}

/** switchToAudioCall() / switchToVideoCall(): send the request to the peer and wait for its answer. */
export function requestSwitch(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'call.switch') return NONE;
  const peer = peerOf(c);
  const signal: SwitchSignal = { kind: 'switch', inviteID: e.inviteID, inviter: c.self, groupID: '', callType: c.callType, invitees: [peer], roomID: c.roomID, to: e.to };
  return {
    patch: { switching: { inviteID: e.inviteID, to: e.to, commandId: e.id } },
    im: [imSend(c, { users: [peer] }, signal, false)],
    // The line routes the answers (which carry the request's inviteID) to this call.
    parent: [{ type: 'call.merged', inviteID: e.inviteID } satisfies CallMerged],
  };
}

/**
 * The peer asked to switch: accept it (as Tencent's clients do, without asking the user) and switch,
 * also when ours is out: the type it asks for is the one both sides then have (the peer switches to
 * it on its own, and may have taken ours before it asked, an answer of it lost on the way).
 */
export function acceptSwitchRequest(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'im.switchRequested') return NONE;
  const s = e.signal;
  const switched = applySwitch(c, s.to);
  return {
    ...switched,
    im: [imSend(c, { users: [e.from] }, { kind: 'accept', inviteID: s.inviteID, inviter: s.inviter, groupID: '', callType: s.callType, invitee: c.self, switchTo: s.to }, false)],
  };
}

/** A switch request we do not take (a group call, or the call is ending). */
export function rejectSwitchRequest(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'im.switchRequested') return NONE;
  const s = e.signal;
  return { im: [imSend(c, { users: [e.from] }, { kind: 'reject', inviteID: s.inviteID, inviter: s.inviter, groupID: '', callType: s.callType, invitee: c.self, busy: false }, false)] };
}

/** Our request's actor is done: switch if the peer accepted, and answer the command. */
export function switchDone(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'xstate.done.actor.switch') return NONE;
  const out: SwitchOutput = e.output;
  const patch = { switching: null };
  switch (out.outcome) {
    case 'accepted': {
      const switched = applySwitch(c, out.to);
      return { ...switched, patch: { ...switched.patch, ...patch }, notices: [...(switched.notices ?? []), settle(out.commandId)] };
    }
    case 'superseded':
      // The peer's request crossed ours and we took it: done if it went where we wanted.
      return {
        patch,
        notices: [settle(out.commandId, c.callType === out.to ? undefined : switchError(out.to, "the peer's own switch request crossed ours and went elsewhere"))],
      };
    case 'rejected':
      return { patch, notices: [settle(out.commandId, switchError(out.to, 'the peer refused the switch'))] };
    case 'timedOut':
      return { patch, notices: [settle(out.commandId, switchError(out.to, 'the peer did not answer the switch request'))] };
  }
}

/** The call is ending with our request unanswered: the request is over too. */
export function abandonSwitch(c: CallContext): Effects {
  return c.switching === null
    ? NONE
    : { patch: { switching: null }, notices: [settle(c.switching.commandId, stateError('the call ended before the switch was answered'))] };
}
