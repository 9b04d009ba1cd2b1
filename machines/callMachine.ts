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
import { and, not } from 'xstate';
import { callSetup } from './callMachineSetup';
import { initialContext } from './callModel';
import { anyLate, failureToTell } from './lineModel';

export type { CallOutput } from './callMachineSetup';

export const callMachine = callSetup.createMachine({
  id: 'call',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => ({
    inviteID: context.inviteID,
    reason: context.reason ?? 'hangup',
    ...(anyLate(context.late) ? { late: context.late } : {}),
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
        { guard: 'answeredOrJoined', target: 'inCall' },
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
      always: { guard: 'nobodyLeft', target: 'ending', actions: 'markEmptyEnd' },
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
        // Many devices: another of ours declined, or its ring ran out, as our ACCEPT went. A cloud that holds answers
        // (embedded, memory) passes no answer after ours; Tencent IM passes both, and the caller takes the first
        // that lands: ours, the call goes on; theirs, the caller leaves (and tells our late ACCEPT). Theirs decides.
        'im.rejected': [
          { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.reject' } } },
          { guard: 'answeredByMyself' },
          { actions: 'toInvitee' },
        ],
        'im.timedOut': [
          { guard: 'answersOurSwitch', actions: { type: 'toSwitch', params: { type: 'switch.timeout' } } },
          { guard: 'isCaller', actions: 'toInvitee' },
          // The same crossing, where an IM group's caller withdraws with a TIMEOUT (someone had answered).
          {
            guard: and(['fromInviter', 'timeoutForMe', not('othersThanInviterHere')]),
            target: 'ending',
            actions: { type: 'markEnd', params: { reason: 'timeout' } },
          },
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
