/**
 * callMachine: one call, from the first invite to the last CALL_END. Invoked by the line
 * machine (id `call`); the caller side spawns one `inviteeMachine` per invitee.
 *
 * ```
 *  caller                           callee
 *  ┌─────────┐ glare lost          ┌─────────┐ reject / cancel / timeout
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
 * Timers (named delays, from input): `ringTimeout` (callee: the invite's timeout less its
 * age), each invitee's `noAnswer` (caller: timeout + grace), `exitTimeout` (ending).
 */
import { assign, enqueueActions, not, setup } from 'xstate';
import {
  type CallContext,
  type CallEvent,
  type CallInput,
  type CallMerged,
  anyAnswered,
  answerRequest,
  busyReject,
  cancelRequest,
  declineReason,
  durationAt,
  everyoneDeclined,
  hangupRequest,
  initialContext,
  inviteSignal,
  isMember,
  isPresent,
  nobodyLeft,
  timeoutRequest,
  toInvitees,
} from './callModel';
import {
  type Effects,
  applyEffects,
  inviteeChanged,
  inviteeId,
  mediaResult,
  onHangup,
  remoteMedia,
  setMedia,
  settle,
  stateError,
  syncPublished,
  userEntered,
  userLeft,
} from './callPlans';
import type { Command, Notice } from './events';
import { inviteeMachine } from './inviteeMachine';
import type { EndReason, UserID } from './types';

export interface CallOutput {
  readonly inviteID: string;
  readonly reason: EndReason;
}

type E<T extends CallEvent['type']> = Extract<CallEvent, { type: T }>;

/** The user the event is about: the room member, or the IM sender. */
const subject = (e: CallEvent): UserID | undefined =>
  e.type === 'room.userLeft' ? e.userID : e.type === 'im.hungUp' ? e.from : undefined;

export const callMachine = setup({
  types: {
    context: {} as CallContext,
    input: {} as CallInput,
    events: {} as CallEvent,
    output: {} as CallOutput,
  },
  actors: { invitee: inviteeMachine },
  delays: {
    ringTimeout: ({ context: c }) => Math.max(0, c.timeout * 1000 - c.age),
    exitTimeout: ({ context: c }) => c.exitTimeoutMs,
    aloneTimeout: ({ context: c }) => c.aloneTimeoutMs,
  },
  guards: {
    isCaller: ({ context }) => context.role === 'caller',
    hasTimeout: ({ context }) => context.timeout > 0,
    fromInviter: ({ context, event }) => 'from' in event && event.from === context.inviter,
    /** A timeout notice about us (in a group it may be about another invitee). */
    timeoutForMe: ({ context: c, event }) =>
      event.type === 'im.timedOut' &&
      (event.signal.invitees.includes(c.self) || (event.signal.invitees.length === 0 && event.from === c.inviter)),
    /** The inviter withdrew the invitation from us (a group cancel may name only others). */
    cancelForMe: ({ context: c, event }) =>
      event.type === 'im.cancelled' &&
      event.from === c.inviter &&
      (event.signal.invitees.length === 0 || event.signal.invitees.includes(c.self)),
    /** Our own invite could not be sent. */
    inviteFailed: ({ context, event }) =>
      event.type === 'im.sendFailed' && event.kind === 'invite' && event.inviteID === context.inviteID,
    /** Nobody is in the room with us, and nobody is still being invited. */
    alone: ({ context: c }) => c.present.length === 0 && !Object.values(c.roster).includes('pending'),
    matchesInvite: ({ context, event }) =>
      (event.type === 'call.accept' || event.type === 'call.reject') &&
      (event.inviteID === undefined || event.inviteID === context.inviteID),
    /** Glare: the invitee of our 1v1 dial invited us too, and its invite sorts first. */
    glareLost: ({ context: c, event }) =>
      event.type === 'im.invited' &&
      !c.isGroup &&
      !event.signal.isGroup &&
      event.from === c.invitees[0] &&
      event.signal.inviteID < c.inviteID,
    /** The other half of a glare we won (its invite sorts after ours): say nothing. */
    glareWon: ({ context: c, event }) =>
      event.type === 'im.invited' && !c.isGroup && event.from === c.invitees[0] && event.signal.inviteID > c.inviteID,
    anyAnswered: ({ context }) => anyAnswered(context),
    everyoneDeclined: ({ context }) => everyoneDeclined(context),
    /** Caller: everyone who answered has gone and nobody else may still come. */
    nobodyLeft: ({ context }) => context.present.length === 0 && nobodyLeft(context) && anyAnswered(context),
    namesMe: ({ context, event }) => event.type === 'im.hungUp' && event.signal.invitees.includes(context.self),
    /** The last member we were talking to (or waiting for) leaves. */
    lastOneLeaving: ({ context: c, event }) => {
      const u = subject(event);
      return u !== undefined && (isPresent(c, u) || c.roster[u] === 'accepted') && nobodyLeft(c, u);
    },
    roomOut: ({ context }) => context.room === 'out',
    thisRoom: ({ context, event }) => 'roomID' in event && event.roomID === context.roomID,
    kickedOut: ({ event }) => event.type === 'call.terminate' && event.reason === 'kickedOut',
  },
  actions: {
    userEntered: enqueueActions((a) => applyEffects(a, userEntered(a.context, a.event))),
    userLeft: enqueueActions((a) => applyEffects(a, userLeft(a.context, a.event))),
    remoteMedia: enqueueActions((a) => applyEffects(a, remoteMedia(a.context, a.event))),
    inviteeChanged: enqueueActions((a) => applyEffects(a, inviteeChanged(a.context, a.event))),
    setMedia: enqueueActions((a) => applyEffects(a, setMedia(a.context, a.event))),
    mediaResult: enqueueActions((a) => applyEffects(a, mediaResult(a.context, a.event))),
    syncPublished: enqueueActions((a) => applyEffects(a, syncPublished(a.context))),
    /** Our hangup: cancel those still ringing, tell those who answered but never came. */
    sendHangupRequests: enqueueActions((a) => applyEffects(a, onHangup(a.context, a.event))),
    /** Hands an IM answer to the invitee actor it concerns. */
    toInvitee: enqueueActions((a) => {
      const e = a.event;
      const fx: Effects =
        e.type === 'im.accepted'
          ? { invitees: [{ userID: e.from, type: 'accept', at: e.at }] }
          : e.type === 'im.rejected'
            ? { invitees: [{ userID: e.from, type: e.signal.busy ? 'busy' : 'reject', at: e.at }] }
            : e.type === 'im.timedOut'
              ? { invitees: e.signal.invitees.map((userID) => ({ userID, type: 'timeout' as const, at: e.at })) }
              : {};
      applyEffects(a, fx);
    }),
    spawnInvitees: enqueueActions(({ context: c, enqueue }) => {
      const noAnswerMs = c.timeout > 0 ? c.timeout * 1000 + c.noAnswerGraceMs : 0;
      for (const userID of c.invitees)
        enqueue.spawnChild('invitee', { id: inviteeId(userID), input: { userID, noAnswerMs, startedAt: c.startedAt } });
    }),
    stopInvitees: enqueueActions(({ context: c, enqueue }) => {
      for (const userID of Object.keys(c.roster)) enqueue.stopChild(inviteeId(userID));
    }),
    enterRoom: enqueueActions((a) => {
      const c = a.context;
      applyEffects(a, {
        patch: { room: 'entering', published: { video: c.camera, audioMuted: c.micMuted } },
        room: [{ type: 'room.enter', roomID: c.roomID, userID: c.self, video: c.camera, audioMuted: c.micMuted }],
      });
    }),
    exitRoom: enqueueActions((a) => {
      if (a.context.room !== 'out') applyEffects(a, { room: [{ type: 'room.exit', roomID: a.context.roomID }] });
    }),
    markOut: assign({ room: 'out' as const }),
    sendInvite: enqueueActions((a) =>
      applyEffects(a, {
        im: [{ type: 'im.send', to: toInvitees(a.context, a.context.invitees), signal: inviteSignal(a.context), onlineUserOnly: a.context.onlineUserOnly }],
      }),
    ),
    sendAccept: enqueueActions((a) => applyEffects(a, { im: [answerRequest(a.context, 'accept')] })),
    sendReject: enqueueActions((a) =>
      applyEffects(a, { im: [answerRequest(a.context, 'reject', a.event.type === 'call.reject' && a.event.busy)] }),
    ),
    sendCalleeTimeout: enqueueActions((a) => applyEffects(a, { im: [timeoutRequest(a.context, [a.context.self], 'inviter')] })),
    sendBusyReject: enqueueActions((a) => {
      if (a.event.type === 'im.invited') applyEffects(a, { im: [busyReject(a.context.self, a.event.signal)] });
    }),
    /** "Last one out": tell whoever left that the call is over, with its duration. */
    sendHangupToLeaver: enqueueActions((a) => {
      const u = subject(a.event);
      if (u !== undefined && a.event.type === 'room.userLeft')
        applyEffects(a, { im: [hangupRequest(a.context, [u], durationAt(a.context, a.event.at))] });
    }),
    /** Glare lost: withdraw our invite and become the callee of theirs. */
    mergeIntoTheirInvite: enqueueActions((a) => {
      const { context: c, event } = a;
      if (event.type !== 'im.invited') return;
      const s = event.signal;
      applyEffects(a, {
        im: [cancelRequest(c, c.invitees)],
        parent: [{ type: 'call.merged', inviteID: s.inviteID } satisfies CallMerged],
        patch: {
          role: 'callee',
          inviteID: s.inviteID,
          inviter: s.inviter,
          invitees: s.invitees,
          roomID: s.roomID,
          callType: s.callType || c.callType,
          timeout: s.timeout,
          roster: {},
        },
        notices: [{ type: 'call.accepted', inviteID: s.inviteID, userID: s.inviter }],
      });
    }),
    notify: enqueueActions((a, params: { notice: 'invited' | 'cancelled' | 'timedOut' | 'ended' | 'error' }) => {
      const c = a.context;
      const notices: Notice[] = [];
      if (params.notice === 'invited')
        notices.push({ type: 'call.invited', inviteID: c.inviteID, sponsor: c.inviter, userIDList: c.invitees, isFromGroup: c.isGroup, callType: c.callType, roomID: c.roomID });
      if (params.notice === 'cancelled') notices.push({ type: 'call.cancelled', inviteID: c.inviteID, sponsor: c.inviter });
      if (params.notice === 'timedOut')
        notices.push({ type: 'call.timedOut', inviteID: c.inviteID, sponsor: c.inviter, userIDList: [c.self] });
      if (params.notice === 'ended' && c.answered)
        notices.push({ type: 'call.ended', inviteID: c.inviteID, sponsor: c.inviter, reason: c.reason ?? 'hangup', callEnd: c.callEnd });
      if (params.notice === 'error' && 'error' in a.event)
        notices.push({ type: 'error', code: a.event.error.code, message: a.event.error.message });
      applyEffects(a, { notices });
    }),
    settleOk: enqueueActions((a) => applyEffects(a, { notices: [settle((a.event as Command).id)] })),
    settleRefused: enqueueActions((a, params: { reason: string }) =>
      applyEffects(a, { notices: [settle((a.event as Command).id, stateError(params.reason))] }),
    ),
    markAnswered: assign({ answered: true }),
    markEnd: assign(({ context, event }, params: { reason: EndReason }) => ({
      reason: context.reason ?? params.reason,
      callEnd: durationAt(context, 'at' in event ? event.at : undefined),
    })),
    markDeclined: assign(({ context }) => ({ reason: context.reason ?? declineReason(context) })),
  },
}).createMachine({
  id: 'call',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => ({ inviteID: context.inviteID, reason: context.reason ?? 'hangup' }),
  initial: 'starting',
  // Shared by every live state; `ending` swallows whatever it does not handle itself.
  on: {
    'room.userEntered': { guard: 'thisRoom', actions: 'userEntered' },
    'room.userLeft': [
      { guard: 'lastOneLeaving', target: '.ending', actions: ['userLeft', 'sendHangupToLeaver', { type: 'markEnd', params: { reason: 'hangup' } }] },
      { guard: 'thisRoom', actions: 'userLeft' },
    ],
    // A hangup notice names whoever's call is over: in TRTCCalling, the one who left.
    'im.hungUp': { guard: 'namesMe', target: '.ending', actions: { type: 'markEnd', params: { reason: 'hangup' } } },
    'room.audioAvailable': { guard: 'thisRoom', actions: 'remoteMedia' },
    'room.videoAvailable': { guard: 'thisRoom', actions: 'remoteMedia' },
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
    'im.accepted': { actions: 'toInvitee' },
    'im.rejected': { actions: 'toInvitee' },
    'im.timedOut': { actions: 'toInvitee' },
    'im.invited': { actions: 'sendBusyReject' },
    'im.sendFailed': { actions: { type: 'notify', params: { notice: 'error' } } },
    'call.accept': { actions: { type: 'settleRefused', params: { reason: 'no invitation is ringing' } } },
    'call.reject': { actions: { type: 'settleRefused', params: { reason: 'no invitation is ringing' } } },
    'call.hangup': { target: '.ending', actions: ['settleOk', 'sendHangupRequests', { type: 'markEnd', params: { reason: 'hangup' } }] },
    'call.terminate': [
      { guard: 'kickedOut', target: '.ending', actions: { type: 'markEnd', params: { reason: 'kickedOut' } } },
      { target: '.ending', actions: ['sendHangupRequests', { type: 'markEnd', params: { reason: 'hangup' } }] },
    ],
  },
  states: {
    starting: {
      description: 'Routes a new call by role: the caller dials, the callee rings.',
      always: [{ guard: 'isCaller', target: 'dialing' }, { target: 'ringing' }],
    },
    dialing: {
      description: 'Caller: invitations sent and the room entered early; waiting for a first answer.',
      entry: ['spawnInvitees', 'enterRoom', 'sendInvite'],
      always: [
        { guard: 'anyAnswered', target: 'inCall' },
        { guard: 'everyoneDeclined', target: 'ending', actions: 'markDeclined' },
      ],
      on: {
        'im.invited': [
          { guard: 'glareLost', target: 'accepting', actions: ['stopInvitees', 'exitRoom', 'mergeIntoTheirInvite'] },
          { guard: 'glareWon' },
          { actions: 'sendBusyReject' },
        ],
        'im.sendFailed': {
          guard: 'inviteFailed',
          target: 'ending',
          actions: [{ type: 'notify', params: { notice: 'error' } }, 'sendHangupRequests', { type: 'markEnd', params: { reason: 'error' } }],
        },
        'call.hangup': { target: 'ending', actions: ['settleOk', 'sendHangupRequests', { type: 'markEnd', params: { reason: 'cancelled' } }] },
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
          { actions: { type: 'settleRefused', params: { reason: 'inviteID does not match the ringing invitation' } } },
        ],
        'call.reject': [
          { guard: 'matchesInvite', target: 'ended', actions: ['settleOk', 'sendReject', { type: 'markEnd', params: { reason: 'rejected' } }] },
          { actions: { type: 'settleRefused', params: { reason: 'inviteID does not match the ringing invitation' } } },
        ],
        'call.hangup': { actions: { type: 'settleRefused', params: { reason: 'the call is ringing: use reject() to decline it' } } },
        'im.cancelled': { guard: 'cancelForMe', target: 'ended', actions: [{ type: 'notify', params: { notice: 'cancelled' } }, { type: 'markEnd', params: { reason: 'cancelled' } }] },
        'im.hungUp': { guard: 'fromInviter', target: 'ended', actions: [{ type: 'notify', params: { notice: 'cancelled' } }, { type: 'markEnd', params: { reason: 'cancelled' } }] },
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
        'room.enterFailed': {
          guard: 'thisRoom',
          target: 'ending',
          actions: ['markOut', { type: 'notify', params: { notice: 'error' } }, 'sendReject', { type: 'markEnd', params: { reason: 'error' } }],
        },
        'call.hangup': { target: 'ending', actions: ['settleOk', 'sendReject', { type: 'markEnd', params: { reason: 'hangup' } }] },
        'im.cancelled': { guard: 'cancelForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'cancelled' } } },
        'im.timedOut': { guard: 'timeoutForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'timeout' } } },
      },
    },
    inCall: {
      description: 'Answered: media flows between whoever is in the room.',
      always: { guard: 'nobodyLeft', target: 'ending', actions: { type: 'markEnd', params: { reason: 'hangup' } } },
      initial: 'together',
      states: {
        together: {
          description: 'Someone else is in the room, or still being invited.',
          always: { guard: 'alone', target: 'alone' },
        },
        alone: {
          description: 'Nobody else has come (or all left) and nobody is being invited: ends unless someone arrives.',
          always: { guard: not('alone'), target: 'together' },
          after: { aloneTimeout: { target: '#call.ending', actions: { type: 'markEnd', params: { reason: 'hangup' } } } },
        },
      },
      on: {
        // An accept that crossed the caller's cancel: over at once, never a hung call.
        'im.cancelled': { guard: 'cancelForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'cancelled' } } },
        'im.timedOut': [
          { guard: 'isCaller', actions: 'toInvitee' },
          { guard: 'timeoutForMe', target: 'ending', actions: { type: 'markEnd', params: { reason: 'timeout' } } },
        ],
      },
    },
    ending: {
      description: 'Leaving the room; nothing more is reported for this call.',
      entry: ['stopInvitees', 'exitRoom'],
      always: { guard: 'roomOut', target: 'ended' },
      after: { exitTimeout: { target: 'ended', actions: 'markOut' } },
      on: {
        'room.exited': { target: 'ended', actions: 'markOut' },
        'room.mediaDone': { actions: 'mediaResult' },
        'room.mediaFailed': { actions: 'mediaResult' },
        'call.hangup': { actions: { type: 'settleRefused', params: { reason: 'the call is already ending' } } },
        'call.accept': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'call.reject': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'media.camera': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'media.mic': { actions: { type: 'settleRefused', params: { reason: 'the call is ending' } } },
        'im.invited': { actions: 'sendBusyReject' },
        '*': {},
      },
    },
    ended: {
      type: 'final',
      description: 'Over. CALL_END was reported if the user dialled or accepted this call.',
      entry: { type: 'notify', params: { notice: 'ended' } },
    },
  },
});
