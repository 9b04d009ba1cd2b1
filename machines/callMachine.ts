/**
 * callMachine: one call, from the first invite to the last CALL_END. Invoked by the line
 * machine (id `call`); the caller side spawns one `inviteeMachine` per invitee.
 *
 * ```
 *  caller                           callee
 *  ┌─────────┐ glare merge         ┌─────────┐ reject / cancel / timeout
 *  │ dialing │──────────────┐      │ ringing │─────────────────────────────┐
 *  └─────────┘              ▼      └─────────┘                             │
 *     │ an invitee     ┌───────────┐    │ accept()                         │
 *     │ answers        │ accepting │◄───┘  (enter the room, then ACCEPT)   │
 *     │                └───────────┘                                      │
 *     ▼                      │ room entered                               │
 *  ┌────────┐◄───────────────┘                                            │
 *  │ inCall │  hangup() / last one left / cancel crossed our accept        │
 *  └────────┘──────────┐                                                  │
 *     dialing: hangup(), everyone declined ──┐                            │
 *                      ▼                     ▼                            ▼
 *                 ┌────────┐ room exited ┌───────┐                         │
 *                 │ ending │────────────►│ ended │◄────────────────────────┘
 *                 └────────┘             └───────┘ (final, output.reason)
 * ```
 *
 * Glare (a 1v1 dial crossing the peer's dial to us): the invite with the lower inviteID wins.
 * Its inviter holds the other invite unanswered; the other side merges into the winner's,
 * becoming its callee (accepted), and withdraws nothing of its own for now (a CANCEL ends
 * Tencent's client's own call, whatever inviteID it names). The winner declines the held invite
 * once the merge's ACCEPT arrives, or when its dial ends, or when it lands late, in the call; if
 * the peer answers the winner's invite busy instead (Tencent's clients do, in glare), the winner
 * merges into the peer's invite. The loser withdraws its own after all when the merged call ends
 * with nobody having answered it, or another device of the winner accepts it.
 *
 * Timers (named delays, from input): `ringTimeout` (callee: the invite's timeout less its
 * age), each invitee's `noAnswer` (caller: timeout + grace), `aloneTimeout` (inCall.alone),
 * `exitTimeout` (ending), and each member's `leaveGrace` / `missingMember` (memberMachine).
 *
 * Presence: the room reports facts about the other members; one `memberMachine` per member
 * (`member:<userID>`) decides when it is in the call (`member.entered`: USER_ENTER) and when it
 * is gone (`member.left`: USER_LEAVE), and the call decides what that means for the call.
 */
import { and, assign, enqueueActions, not, setup } from 'xstate';
import { callGuards } from './callGuards';
import { type CallContext, type CallEvent, type CallInput, declineReason, durationAt, initialContext } from './callModel';
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
import { inviteeMachine } from './inviteeMachine';
import { SWITCH_ID, type SwitchEvent, switchMachine } from './switchMachine';
import { memberId, memberMachine } from './memberMachine';
import type { EndReason } from './types';
import { failureToTell, type LateAccepts } from './lineModel';

export interface CallOutput {
  readonly inviteID: string;
  readonly reason: EndReason;
  /** Late accepts still waiting for the IM's verdict on our cancel, and its refusals (when there are): the line's now. */
  readonly late?: LateAccepts;
}

/** A member lost (its connection never came back) ends the call in error; one that left, in a hangup. */
const leaveReason = (event: CallEvent): EndReason => (event.type === 'member.left' && event.cause === 'lost' ? 'error' : 'hangup');

export const callMachine = setup({
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
    markAlone: assign(({ context, event }) => ({ aloneSince: 'at' in event ? event.at : context.startedAt })),
    /** The alone timer ran out: the call ended when it did, not when the last event came. */
    markAloneEnd: assign(({ context: c }) => ({
      reason: c.reason ?? 'hangup',
      callEnd: durationAt(c, (c.aloneSince ?? c.startedAt) + c.aloneTimeoutMs),
    })),
  },
}).createMachine({
  id: 'call',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => ({
    inviteID: context.inviteID,
    reason: context.reason ?? 'hangup',
    ...(context.late.waiting.length + context.late.refused.length + context.late.unsent.length > 0 ? { late: context.late } : {}),
  }),
  initial: 'starting',
  // Shared by every live state; `ending` swallows whatever it does not handle itself.
  on: {
    // Facts about the other members go to their member actors, which decide presence.
    'room.*': { guard: 'thisRoom', actions: 'toMember' },
    'room.reconnected': { guard: 'thisRoom', actions: 'roomReconnected' },
    'member.entered': { actions: 'memberEntered' },
    'member.media': { actions: 'memberMedia' },
    'member.left': [
      { guard: 'lastOneLeaving', target: '.ending', actions: ['memberLeft', 'sendHangupToLeaver', 'markLeaveEnd'] },
      { actions: 'memberLeft' },
    ],
    // A hangup notice names whoever's call is over: in TRTCCalling, the one who left.
    'im.hungUp': { guard: 'namesMe', target: '.ending', actions: { type: 'markEnd', params: { reason: 'hangup' } } },
    'room.entered': { guard: 'thisRoom', actions: 'syncPublished' },
    'room.exited': { guard: 'thisRoom', actions: 'markOut' },
    'room.enterFailed': {
      guard: 'thisRoom',
      target: '.ending',
      actions: ['markOut', { type: 'notify', params: { notice: 'error' } }, 'sendHangupRequests', { type: 'markEnd', params: { reason: 'error' } }],
    },
    'room.failed': {
      guard: 'thisRoom',
      target: '.ending',
      actions: [{ type: 'notify', params: { notice: 'error' } }, 'sendHangupRequests', { type: 'markEnd', params: { reason: 'error' } }],
    },
    'room.mediaDone': { actions: 'mediaResult' },
    'room.mediaFailed': { actions: 'mediaResult' },
    'media.camera': { actions: 'setMedia' },
    'media.mic': { actions: 'setMedia' },
    'invitee.changed': { actions: 'inviteeChanged' },
    'im.accepted': [
      { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.accept' } } },
      // An accept of a switch request that is no longer ours to wait for: nothing to do.
      { guard: 'isSwitchAccept' },
      { actions: 'toInvitee' },
    ],
    'im.rejected': [{ guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.reject' } } }, { actions: 'toInvitee' }],
    'im.timedOut': [{ guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.timeout' } } }, { actions: 'toInvitee' }],
    // The peer of a 1v1 call asks to switch: taken at once, also when ours crossed it (the peer may
    // have taken ours already, as Tencent's clients do: refusing theirs would end their call).
    'im.switchRequested': [
      { guard: 'groupCall', actions: 'rejectSwitchRequest' },
      { guard: 'staleSwitch', actions: 'rejectSwitchRequest' },
      { guard: 'switchPending', actions: ['acceptSwitchRequest', { type: 'toSwitch', params: { type: 'switch.supersede' } }] },
      { actions: 'acceptSwitchRequest' },
    ],
    'xstate.done.actor.switch': { actions: 'switchDone' },
    'call.switch': { actions: { type: 'settleRefused', params: { reason: 'the call is not connected' } } },
    'call.invite': { actions: { type: 'settleRefused', params: { reason: 'only the inviter of a group call, while it is live, can invite more people into it' } } },
    // The peer's glare invite landing once our dial is answered: declined, not busy (our other devices stop ringing).
    'im.invited': [{ guard: 'lateGlare', actions: 'declineGlare' }, { actions: 'sendBusyReject' }],
    'im.sendFailed': { actions: 'sendFailed' },
    // Nothing of this call rings (ours, or answered already): nothing to do, as trtc-calling-js (a second tap).
    'call.accept': { actions: 'settleNothing' },
    'call.reject': { actions: 'settleNothing' },
    'call.hangup': { target: '.ending', actions: ['settleOk', 'sendHangupRequests', { type: 'markEnd', params: { reason: 'hangup' } }] },
    'call.terminate': [
      { guard: 'kickedOut', target: '.ending', actions: { type: 'markEnd', params: { reason: 'kickedOut' } } },
      { target: '.ending', actions: ['sendHangupRequests', { type: 'markEnd', params: { reason: 'hangup' } }] },
    ],
  },
  states: {
    starting: {
      description: 'Routes a new call by role: the caller dials, the callee rings, a joiner enters the room.',
      always: [{ guard: 'isCaller', target: 'dialing' }, { guard: 'joining', target: 'accepting' }, { target: 'ringing' }],
    },
    dialing: {
      description: 'Caller: invitations sent and the room entered early; waiting for a first answer.',
      entry: ['spawnInvitees', 'enterRoom', 'sendInvite'],
      exit: 'releaseGlare',
      always: [
        { guard: 'anyAnswered', target: 'inCall' },
        { guard: 'everyoneDeclined', target: 'ending', actions: 'markDeclined' },
      ],
      on: {
        'im.invited': [
          { guard: 'glareLost', target: 'accepting', actions: ['stopChildren', 'exitRoom', 'mergeIntoTheirInvite'] },
          { guard: 'glareWon', actions: 'holdGlare' },
          { actions: 'sendBusyReject' },
        ],
        'im.rejected': [
          { guard: 'glareRefused', target: 'accepting', actions: ['stopChildren', 'exitRoom', 'mergeIntoTheirInvite'] },
          { actions: 'toInvitee' },
        ],
        'im.cancelled': { guard: 'glareWithdrawn', actions: 'dropGlare' },
        'im.timedOut': [{ guard: 'glareWithdrawn', actions: 'dropGlare' }, { actions: 'toInvitee' }],
        'im.sendFailed': {
          guard: 'inviteFailed',
          target: 'ending',
          actions: [{ type: 'notify', params: { notice: 'error' } }, 'answerLateAccept', 'sendHangupRequests', { type: 'markEnd', params: { reason: 'error' } }],
        },
        'call.hangup': { target: 'ending', actions: ['settleOk', 'sendHangupRequests', { type: 'markEnd', params: { reason: 'cancelled' } }] },
        'call.invite': { guard: 'groupCall', actions: 'inviteMore' },
        // logout() withdraws the dial as hangup() does, and says so alike (it said `hangup`, a member leaving).
        'call.terminate': [
          { guard: 'kickedOut', target: 'ending', actions: { type: 'markEnd', params: { reason: 'kickedOut' } } },
          { target: 'ending', actions: ['sendHangupRequests', { type: 'markEnd', params: { reason: 'cancelled' } }] },
        ],
      },
    },
    ringing: {
      description: 'Callee: the invitation rings until it is answered, withdrawn or times out.',
      entry: { type: 'notify', params: { notice: 'invited' } },
      after: {
        ringTimeout: {
          guard: 'hasTimeout',
          target: 'ended',
          actions: ['sendCalleeTimeout', { type: 'notify', params: { notice: 'timedOut' } }, { type: 'markEnd', params: { reason: 'timeout' } }],
        },
      },
      on: {
        'call.accept': [
          { guard: 'matchesInvite', target: 'accepting', actions: ['settleOk', 'markAnswered'] },
          { guard: 'expectedGone', actions: 'settleNothing' },
          { actions: { type: 'settleRefused', params: { reason: 'inviteID does not match the ringing invitation' } } },
        ],
        'call.reject': [
          { guard: 'matchesInvite', target: 'ended', actions: ['settleOk', 'sendReject', { type: 'markEnd', params: { reason: 'rejected' } }] },
          { actions: { type: 'settleRefused', params: { reason: 'inviteID does not match the ringing invitation' } } },
        ],
        'call.hangup': { actions: { type: 'settleRefused', params: { reason: 'the call is ringing: use reject() to decline it' } } },
        // Not in the room yet: a failure for it is an earlier call's in the same room (a group call inviting us back).
        'room.failed': {},
        'room.enterFailed': {},
        // Many devices: another of ours answered; this one stops ringing (CALL_END, answeredElsewhere or rejected).
        'im.accepted': { guard: 'answeredByMyself', target: 'ended', actions: ['markElsewhere', { type: 'notify', params: { notice: 'elsewhere' } }] },
        'im.rejected': { guard: 'answeredByMyself', target: 'ended', actions: ['markElsewhere', { type: 'notify', params: { notice: 'elsewhere' } }] },
        'im.cancelled': { guard: 'cancelForMe', target: 'ended', actions: [{ type: 'notify', params: { notice: 'cancelled' } }, { type: 'markEnd', params: { reason: 'cancelled' } }] },
        // Only the inviter's: nobody else has a part in the call we may trust yet (a co-invitee, a joiner).
        'im.hungUp': [
          { guard: 'fromInviter', target: 'ended', actions: [{ type: 'notify', params: { notice: 'cancelled' } }, { type: 'markEnd', params: { reason: 'cancelled' } }] },
          {},
        ],
        'im.timedOut': { guard: 'timeoutForMe', target: 'ended', actions: [{ type: 'notify', params: { notice: 'timedOut' } }, { type: 'markEnd', params: { reason: 'timeout' } }] },
        'call.terminate': [
          // Kicked out: the IM session is gone, there is nobody to tell.
          { guard: 'kickedOut', target: 'ended', actions: { type: 'markEnd', params: { reason: 'kickedOut' } } },
          { target: 'ended', actions: ['sendReject', { type: 'markEnd', params: { reason: 'hangup' } }] },
        ],
      },
    },
    accepting: {
      description: 'Callee: answered; entering the room. ACCEPT is sent once we are in it.',
      entry: 'enterRoom',
      on: {
        'room.entered': { guard: 'thisRoom', target: 'inCall', actions: ['syncPublished', 'sendAccept'] },
        'room.enterFailed': [
          // Many devices: another of ours got into the room first; its ACCEPT answers for us.
          { guard: and(['thisRoom', 'otherDeviceInRoom']), target: 'ending', actions: ['markOut', { type: 'markEnd', params: { reason: 'answeredElsewhere' } }] },
          {
            guard: 'thisRoom',
            target: 'ending',
            actions: ['markOut', { type: 'notify', params: { notice: 'error' } }, 'sendReject', { type: 'markEnd', params: { reason: 'error' } }],
          },
        ],
        'call.hangup': { target: 'ending', actions: ['settleOk', 'holdReject', { type: 'markEnd', params: { reason: 'hangup' } }] },
        // Many devices: another of ours answered first; the IM drops our answer, we leave.
        'im.accepted': { guard: 'answeredByMyself', target: 'ending', actions: 'markElsewhere' },
        'im.rejected': { guard: 'answeredByMyself', target: 'ending', actions: 'markElsewhere' },
        'im.cancelled': { guard: 'cancelForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'cancelled' } } },
        'im.timedOut': { guard: 'timeoutForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'timeout' } } },
      },
    },
    inCall: {
      description: 'Answered: media flows between whoever is in the room.',
      entry: 'markUp',
      always: { guard: 'nobodyLeft', target: 'ending', actions: { type: 'markEnd', params: { reason: 'hangup' } } },
      initial: 'together',
      states: {
        together: {
          description: 'Someone else is in the room, or still being invited.',
          always: { guard: 'alone', target: 'alone' },
        },
        alone: {
          description: 'Nobody else has come (or all left) and nobody is being invited: ends unless someone arrives.',
          entry: 'markAlone',
          always: { guard: not('alone'), target: 'together' },
          after: { aloneTimeout: { target: '#call.ending', actions: ['sendHangupRequests', 'markAloneEnd'] } },
        },
      },
      on: {
        'call.switch': [
          { guard: 'groupCall', actions: { type: 'settleRefused', params: { reason: 'a group call cannot switch between audio and video' } } },
          { guard: 'switchPending', actions: { type: 'settleRefused', params: { reason: 'a switch is already in progress' } } },
          { guard: 'alreadyThatType', actions: 'settleOk' },
          { actions: 'requestSwitch' },
        ],
        'call.invite': { guard: and(['groupCall', 'isCaller']), actions: 'inviteMore' },
        // An accept that crossed the caller's cancel: over at once, never a hung call; unless others than the
        // caller are in the room with us (it left the call as we came in): they keep us, the call goes on without it.
        'im.cancelled': { guard: and(['cancelForMe', not('othersThanInviterHere')]), target: 'ending', actions: { type: 'markEnd', params: { reason: 'cancelled' } } },
        // Many devices: another of ours had answered first; the IM dropped our accept, we leave.
        'im.accepted': [
          { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.accept' } } },
          { guard: 'answeredByMyself', target: 'ending', actions: 'markElsewhere' },
          { guard: 'isSwitchAccept' },
          { actions: 'toInvitee' },
        ],
        'im.rejected': [
          { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.reject' } } },
          { guard: 'answeredByMyself', target: 'ending', actions: 'markElsewhere' },
          { actions: 'toInvitee' },
        ],
        'im.timedOut': [
          { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.timeout' } } },
          { guard: 'isCaller', actions: 'toInvitee' },
          // The same crossing, where an IM group's caller withdraws with a TIMEOUT (someone had answered).
          { guard: and(['timeoutForMe', not('othersThanInviterHere')]), target: 'ending', actions: { type: 'markEnd', params: { reason: 'timeout' } } },
        ],
      },
    },
    ending: {
      description: 'Leaving the room; nothing more is reported for this call.',
      entry: ['abandonSwitch', 'stopChildren', 'exitRoom', 'sendWithdrawn'],
      exit: 'sendHeldReject',
      always: { guard: 'roomOut', target: 'ended' },
      after: { exitTimeout: { target: 'ended', actions: 'markOut' } },
      on: {
        // Ours only: after a glare merge, the room of the call we gave up may confirm our exit from it first.
        'room.exited': { guard: 'thisRoom', target: 'ended', actions: 'markOut' },
        'room.mediaDone': { actions: 'mediaResult' },
        'room.mediaFailed': { actions: 'mediaResult' },
        // Already ending: nothing more to do, as with no call at all.
        'call.hangup': { actions: 'settleOk' },
        // Nothing rings (hangup() resolved, the status says idle): nothing to do.
        'call.accept': { actions: 'settleNothing' },
        'call.reject': { actions: 'settleNothing' },
        'media.camera': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'media.mic': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'call.switch': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'call.invite': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'im.invited': { actions: 'sendBusyReject' },
        'im.switchRequested': { actions: 'rejectSwitchRequest' },
        // An accept that crossed our cancel or hangup: the acceptor must not wait for us (`answerLateAccept`).
        'im.accepted': [{ guard: 'isSwitchAccept' }, { actions: 'answerLateAccept' }],
        // Our cancel or hangup did not go: the others may wait on us; the user hears it.
        'im.sendFailed': [
          { guard: ({ context, event }) => failureToTell(context.late, event), actions: [{ type: 'notify', params: { notice: 'error' } }, 'answerLateAccept'] },
          // An invitation refused now is not told (the call is over): not noted as told either.
          { guard: ({ event }) => event.kind !== 'invite', actions: 'answerLateAccept' },
        ],
        '*': {},
      },
    },
    ended: {
      type: 'final',
      description: 'Over. CALL_END was reported if the user dialled or accepted this call.',
      entry: ['forgetRoom', { type: 'notify', params: { notice: 'ended' } }],
    },
  },
});
