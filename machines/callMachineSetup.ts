/**
 * The call machine's `setup()`: its types, children, delays, guards and named actions, each action a
 * thin wrapper that applies a pure plan (callPlans, callSignals, callSwitch, callInvite) or assigns to the
 * context. Kept apart from `callMachine.ts`, which holds the statechart itself.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { callGuards } from './callGuards';
import { type CallContext, type CallEvent, type CallInput, declineReason, durationAt } from './callModel';
import {
  applyEffects,
  inviteeChanged,
  inviteeId,
  mediaResult,
  memberEntered,
  memberFact,
  memberLeft,
  memberMedia,
  onHangup,
  roomReconnected,
  setMedia,
  settleNothing,
  syncPublished,
} from './callPlans';
import {
  type NoticeKind,
  answer,
  declineGlare,
  enterRoom,
  exitRoom,
  forgetRoom,
  holdGlare,
  mergeIntoTheirInvite,
  notify,
  releaseGlare,
  sendAccept,
  sendBusyReject,
  answerLateAccept,
  sendCalleeTimeout,
  sendHangupToLeaver,
  sendInvite,
  sendReject,
  sendFailed,
  sendWithdrawn,
  toInvitee,
} from './callSignals';
import { abandonSwitch, acceptSwitchRequest, rejectSwitchRequest, requestSwitch, switchAnswerMs, switchDone } from './callSwitch';
import { inviteMore } from './callInvite';
import { type InviteeStatus, inviteeMachine } from './inviteeMachine';
import { SWITCH_ID, type SwitchEvent, switchMachine } from './switchMachine';
import { memberId, memberMachine } from './memberMachine';
import type { EndReason } from './types';
import type { LateAccepts } from './lineModel';

export interface CallOutput {
  readonly inviteID: string;
  readonly reason: EndReason;
  /** Late accepts still waiting for the IM's verdict on our cancel, and its refusals (when there are): the line's now. */
  readonly late?: LateAccepts;
}

/** What the last invitee's answer makes of a call that it left with nobody: its own reason, else a hangup. */
const lastAnswerReason = (status: InviteeStatus): EndReason =>
  status === 'noResponse' || status === 'rejected' || status === 'busy' ? status : 'hangup';

/** A member lost (its connection never came back) ends the call in error; one that left, in a hangup. */
const leaveReason = (event: CallEvent): EndReason => (event.type === 'member.left' && event.cause === 'lost' ? 'error' : 'hangup');

/** The call machine's implementations, named so that tests can swap any of them with `.provide()`. */
export const callSetup = setup({
  types: {
    context: {} as CallContext,
    input: {} as CallInput,
    events: {} as CallEvent,
    output: {} as CallOutput,
  },
  actors: { invitee: inviteeMachine, member: memberMachine, switch: switchMachine },
  delays: {
    ringTimeout: ({ context: c }) => Math.max(0, c.timeout * 1000 - c.age),
    exitTimeout: ({ context: c }) => c.exitTimeoutMs,
    aloneTimeout: ({ context: c }) => c.aloneTimeoutMs,
  },
  guards: callGuards,
  actions: {
    toMember: enqueueActions((a) => applyEffects(a, memberFact(a.context, a.event))),
    roomReconnected: enqueueActions((a) => applyEffects(a, roomReconnected(a.context, a.event))),
    memberEntered: enqueueActions((a) => applyEffects(a, memberEntered(a.context, a.event))),
    memberLeft: enqueueActions((a) => applyEffects(a, memberLeft(a.context, a.event))),
    memberMedia: enqueueActions((a) => applyEffects(a, memberMedia(a.context, a.event))),
    inviteeChanged: enqueueActions((a) => applyEffects(a, inviteeChanged(a.context, a.event))),
    setMedia: enqueueActions((a) => applyEffects(a, setMedia(a.context, a.event))),
    mediaResult: enqueueActions((a) => applyEffects(a, mediaResult(a.context, a.event))),
    syncPublished: enqueueActions((a) => applyEffects(a, syncPublished(a.context))),
    /** Our hangup: cancel those still ringing, tell those who answered but never came. */
    sendHangupRequests: enqueueActions((a) => applyEffects(a, onHangup(a.context, a.event))),
    toInvitee: enqueueActions((a) => applyEffects(a, toInvitee(a.context, a.event))),
    sendFailed: enqueueActions((a) => applyEffects(a, sendFailed(a.context, a.event))),
    /** More invitees for the group call: their actors first (a finished one of an earlier invite goes), then the invites. */
    inviteMore: enqueueActions((a) => {
      const { effects, spawn } = inviteMore(a.context, a.event);
      const children = spawn.length > 0 ? a.self.getSnapshot().children : {};
      for (const input of spawn) {
        const id = inviteeId(input.userID);
        if (children[id]) a.enqueue.stopChild(id);
        a.enqueue.spawnChild('invitee', { id, input });
      }
      applyEffects(a, effects);
    }),
    spawnInvitees: enqueueActions(({ context: c, enqueue }) => {
      const noAnswerMs = c.timeout > 0 ? c.timeout * 1000 + c.noAnswerGraceMs : 0;
      for (const userID of c.invitees)
        enqueue.spawnChild('invitee', { id: inviteeId(userID), input: { userID, noAnswerMs, startedAt: c.startedAt } });
    }),
    /** Invitees and members: nothing more is decided about anyone once the call is over. */
    stopChildren: enqueueActions(({ context: c, self, enqueue }) => {
      for (const userID of Object.keys(c.roster)) enqueue.stopChild(inviteeId(userID));
      for (const id of Object.keys(self.getSnapshot().children)) if (id.startsWith(memberId('')) || id === SWITCH_ID) enqueue.stopChild(id);
    }),
    requestSwitch: enqueueActions((a) => {
      const e = a.event;
      if (e.type !== 'call.switch') return;
      applyEffects(a, requestSwitch(a.context, e));
      a.enqueue.spawnChild('switch', {
        id: SWITCH_ID,
        input: { inviteID: e.inviteID, from: a.context.callType, to: e.to, commandId: e.id, answerMs: switchAnswerMs(a.context) },
      });
    }),
    /** Tells our switch request's actor what became of it. */
    toSwitch: enqueueActions(({ enqueue }, params: { type: SwitchEvent['type'] }) => enqueue.sendTo(SWITCH_ID, { type: params.type })),
    acceptSwitchRequest: enqueueActions((a) => applyEffects(a, acceptSwitchRequest(a.context, a.event))),
    rejectSwitchRequest: enqueueActions((a) => applyEffects(a, rejectSwitchRequest(a.context, a.event))),
    switchDone: enqueueActions((a) => {
      a.enqueue.stopChild(SWITCH_ID);
      applyEffects(a, switchDone(a.context, a.event));
    }),
    abandonSwitch: enqueueActions((a) => applyEffects(a, abandonSwitch(a.context))),
    /**
     * Hung up while entering the room: the caller hears of our entry from the room and of our
     * REJECT from the IM, two channels with no order between them; sent now, the REJECT could come
     * first and the entry after it. Held until we are out of the room, it comes last (and, once the
     * caller saw us in the room, changes nothing), as the ACCEPT waits until we are in.
     */
    holdReject: assign(({ context }) => ({ heldReject: context.joined !== true })),
    sendHeldReject: enqueueActions((a) => {
      if (a.context.heldReject) applyEffects(a, sendReject(a.context, a.event));
    }),
    enterRoom: enqueueActions((a) => applyEffects(a, enterRoom(a.context))),
    exitRoom: enqueueActions((a) => applyEffects(a, exitRoom(a.context))),
    forgetRoom: enqueueActions((a) => applyEffects(a, forgetRoom(a.context))),
    markOut: assign({ room: 'out' as const }),
    sendInvite: enqueueActions((a) => applyEffects(a, sendInvite(a.context))),
    sendAccept: enqueueActions((a) => applyEffects(a, sendAccept(a.context))),
    sendReject: enqueueActions((a) => applyEffects(a, sendReject(a.context, a.event))),
    sendCalleeTimeout: enqueueActions((a) => applyEffects(a, sendCalleeTimeout(a.context))),
    sendBusyReject: enqueueActions((a) => applyEffects(a, sendBusyReject(a.context, a.event))),
    sendHangupToLeaver: enqueueActions((a) => applyEffects(a, sendHangupToLeaver(a.context, a.event))),
    answerLateAccept: enqueueActions((a) => applyEffects(a, answerLateAccept(a.context, a.event))),
    mergeIntoTheirInvite: enqueueActions((a) => applyEffects(a, mergeIntoTheirInvite(a.context, a.event))),
    holdGlare: enqueueActions((a) => applyEffects(a, holdGlare(a.event))),
    releaseGlare: enqueueActions((a) => applyEffects(a, releaseGlare(a.context, a.event))),
    sendWithdrawn: enqueueActions((a) => applyEffects(a, sendWithdrawn(a.context))),
    declineGlare: enqueueActions((a) => applyEffects(a, declineGlare(a.context, a.event))),
    dropGlare: assign({ glareHeld: null }),
    markUp: assign(({ context, event }) => ({ upAt: context.upAt ?? ('at' in event ? event.at : context.startedAt) })),
    notify: enqueueActions((a, params: { notice: NoticeKind }) => applyEffects(a, notify(a.context, a.event, params.notice))),
    settleOk: enqueueActions((a) => applyEffects(a, answer(a.event))),
    settleNothing: enqueueActions((a) => applyEffects(a, { notices: [settleNothing((a.event as { id: number }).id)] })),
    settleRefused: enqueueActions((a, params: { reason: string }) => applyEffects(a, answer(a.event, params.reason))),
    markAnswered: assign({ answered: true }),
    markEnd: assign(({ context, event }, params: { reason: EndReason }) => ({
      reason: context.reason ?? params.reason,
      callEnd: durationAt(context, 'at' in event ? event.at : undefined),
    })),
    /** The last member is out: a hangup if it left, an error if it was lost. */
    markLeaveEnd: assign(({ context, event }) => ({
      reason: context.reason ?? leaveReason(event),
      callEnd: durationAt(context, 'at' in event ? event.at : undefined),
    })),
    /** Another device of ours answered: it took the call, or declined it for all of us. */
    markElsewhere: assign(({ context, event }) => ({
      reason: context.reason ?? (event.type === 'im.accepted' ? ('answeredElsewhere' as const) : ('rejected' as const)),
    })),
    markDeclined: assign(({ context }) => ({ reason: context.reason ?? declineReason(context) })),
    /**
     * Nobody is in the room with us and nobody is still invited: the last invitee's answer closed the call (its
     * NO_RESP, REJECT or LINE_BUSY says why, as when nobody answered at all), or a hangup.
     */
    markEmptyEnd: assign(({ context, event }) => ({
      reason: context.reason ?? (event.type === 'invitee.changed' ? lastAnswerReason(event.status) : 'hangup'),
      callEnd: durationAt(context, 'at' in event ? event.at : undefined),
    })),
    markAlone: assign(({ context, event }) => ({ aloneSince: 'at' in event ? event.at : context.startedAt })),
    /** The alone timer ran out: the call ended when it did, not when the last event came. */
    markAloneEnd: assign(({ context: c }) => ({
      reason: c.reason ?? 'hangup',
      callEnd: durationAt(c, (c.aloneSince ?? c.startedAt) + c.aloneTimeoutMs),
    })),
  },
});
