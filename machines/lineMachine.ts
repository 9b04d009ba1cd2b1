/**
 * lineMachine: one per TRTCCalling instance. It owns the login, the busy policy, the
 * routing of signals to the live call, and which invitations may ring at all.
 *
 * ```
 *  ┌───────────┐ login() ┌───────────┐ IM ready ┌─ online ────────────────────────────┐
 *  │ loggedOut │────────►│ loggingIn │─────────►│ ┌──────┐ call() / ringable ┌──────┐ │
 *  └───────────┘◄────────└───────────┘          │ │ idle │──────────────────►│ busy │ │
 *        ▲       failed                         │ │      │◄──────────────────│(call)│ │
 *        │                                      │ └──────┘  call ended       └──────┘ │
 *        └──────────── logout() ────────────────└─────────────────┬─────────────────┘
 *                                                                   │ kicked (another login)
 *                                    login() ┌────────────┐◄────────┘
 *                         loggingIn ◄────────│ kickedOut  │
 *                                            └────────────┘
 * ```
 *
 * Policy, in one place:
 * - Busy: an invite that arrives while a call is live is answered busy automatically.
 * - Glare: an invite from the peer of our live 1v1 call goes to the call machine, which
 *   keeps the invite with the lower inviteID (see `callMachine`'s `glareLost`).
 * - Staleness: an invite whose age reaches its timeout (say, from an offline store) never
 *   rings; nor does one already cancelled (cancel overtook it) or already seen.
 */
import { and, assign, emit, enqueueActions, fromCallback, sendTo, setup } from 'xstate';
import { type CallOutput, callMachine } from './callMachine';
import { type CallInput, type CallMerged, type NoticeRelay, answersBusy, busyReject } from './callModel';
import { CORE_FAULT, type Command, type ImRequest, type ImSignal, type ImStatusSignal, type Notice, type RoomRequest, type RoomSignal } from './events';
import { failureToTell, heard, lateAccept, lineConfig, type LineConfig, type LineContext, mergeLate, NO_LATE_ACCEPTS, REPLY_BURST, refusal, spendReply, tellLate, tombstone } from './lineModel';
import { errorNotice, portRefusal, settle, settleNothing } from './callPlans';

export type LineEvent = Command | ImSignal | ImStatusSignal | RoomSignal | NoticeRelay | CallMerged;
export type { LineConfig } from './lineModel';

type E<T extends LineEvent['type']> = Extract<LineEvent, { type: T }>;

/**
 * Placeholder bridges: the composition root provides real ones. A request one of them gets is a
 * core fault, reported as an `error` notice, never dropped in silence.
 */
const unbridged = <R extends { readonly type: string }>(name: string) =>
  fromCallback<R>(({ receive, sendBack }) =>
    receive((request) => {
      const notice: Notice = { type: 'error', code: CORE_FAULT, message: `core fault: ${request.type} sent to no ${name} bridge` };
      sendBack({ type: 'notice', notice } satisfies NoticeRelay);
    }),
  );
const unbridgedIm = unbridged<ImRequest>('im');
const unbridgedRoom = unbridged<RoomRequest>('room');

/** The IM connection of a logged-in line: SDK_NOT_READY when it goes, SDK_READY when it is back. */
const CONNECTION = [
  { guard: 'connectionBack', actions: ['markConnected', { type: 'say', params: { type: 'line.ready' } }] },
  { guard: 'connectionLost', actions: ['noteConnection', { type: 'say', params: { type: 'line.notReady' } }] },
  // Still down: only how (reconnecting, or given up) may have changed.
  { guard: { type: 'isDown' }, actions: 'noteConnection' },
] as const;

/** accept() / reject() kicked out with a call live (an invitation ringing; from the KICKED_OUT listener, the call still ending): trtc-calling-js
 * answers it and TIM refuses (6014), so refused, not "nothing rang" (test/interop/kickedAnswer.test.ts). With no call live: the root's, nothing to answer. */
const KICKED_ANSWER = { guard: 'kicked', actions: { type: 'refuse', params: { reason: 'not logged in' } } } as const;

/** Sends an automatic reply if the budget of them allows (see `spendReply`), else drops it. */
function reply(
  context: LineContext,
  event: { readonly at: number },
  enqueue: { assign(patch: Pick<LineContext, 'replies'>): void; sendTo(to: 'im', request: ImRequest): void },
  request: ImRequest,
): void {
  const replies = spendReply(context.replies, event.at);
  if (replies === null) return;
  enqueue.assign({ replies });
  enqueue.sendTo('im', request);
}

export const lineMachine = setup({
  types: {
    context: {} as LineContext,
    input: {} as Partial<LineConfig>,
    events: {} as LineEvent,
    emitted: {} as Notice,
    // Named, so the declarations hold no index signature that the named children break (TS2411 under skipLibCheck: false).
    children: {} as { call: 'call'; im: 'im'; room: 'room' },
  },
  actors: { call: callMachine, im: unbridgedIm, room: unbridgedRoom },
  guards: {
    ringable: ({ context: c, event }) => {
      if (event.type !== 'im.invited' || c.self === null) return false;
      const s = event.signal;
      if (event.from === c.self || s.consumed || c.recent.includes(s.inviteID) || c.recent.includes(`${event.from} ${s.inviteID}`)) return false;
      if (s.groupID !== '' && !s.invitees.includes(c.self)) return false;
      return !(s.timeout > 0 && event.age >= s.timeout * 1000);
    },
    ofLiveCall: ({ context, event }) =>
      'signal' in event && context.current !== null && context.current.inviteIDs.includes(event.signal.inviteID),
    sendOfLiveCall: ({ context, event }) =>
      event.type === 'im.sendFailed' && context.current !== null && context.current.inviteIDs.includes(event.inviteID),
    /** A 1v1 invite from the one person our live 1v1 call is with: possibly glare. */
    fromPeer: ({ context, event }) =>
      event.type === 'im.invited' && !event.signal.isGroup && context.current?.peer === event.from,
    /**
     * An accept for a call this line dialled and has already ended (it crossed our cancel).
     * Only our own: another device of the same user may be in that call.
     */
    strayAccept: ({ context, event }) =>
      event.type === 'im.accepted' &&
      event.signal.switchTo === undefined &&
      event.signal.inviter === context.self &&
      context.recent.includes(event.signal.inviteID),
    /**
     * A media-switch request from the peer of our live 1v1 call, for its room: the call decides
     * about it. Many devices: the same peer may be in another call with another device of ours
     * (or ring it, or be called from it), and that call's request is not this one's to answer.
     */
    switchForLiveCall: ({ context, event }) =>
      event.type === 'im.switchRequested' && context.current?.peer === event.from && context.current.roomID === event.signal.roomID,
    /**
     * Many devices: what another device of ours sent (the IM hands each device its user's own
     * messages). It concerns that device's call; only the call ringing here listens (answered elsewhere).
     */
    fromMyself: ({ context, event }) => 'from' in event && event.from === context.self,
    /** Many devices: a switch request for a call that is not ours may be for another device of ours, which answers it. */
    oneOfManyDevices: ({ context }) => context.multiDevice,
    pendingLogout: ({ context }) => context.pendingLogout !== null,
    /** A login as the user this line is logged in as (not kicked out: that one logs in again for real; nor logging out). */
    sameUser: ({ context, event }) => event.type === 'line.login' && !context.kicked && context.pendingLogout === null && event.userID === context.self,
    /** The connection was lost and is back: SDK_READY again. */
    connectionBack: ({ context, event }) => event.type === 'im.connection' && event.state === 'connected' && context.connection !== 'connected',
    /** The connection of a ready line went down or is being re-established: SDK_NOT_READY. */
    connectionLost: ({ context, event }) =>
      event.type === 'im.connection' && event.state !== 'connected' && context.connection === 'connected' && !context.kicked,
    kicked: ({ context }) => context.kicked,
    /**
     * A failed send of a decline, cancel or hangup (an invitation's failure is the call's, told there;
     * so is the cancel sent after it in case it went after all: `failureToTell`).
     */
    answerOrEnd: ({ context, event }) => failureToTell(context.late, event),
    isDown: ({ event }) => event.type === 'im.connection' && event.state !== 'connected',
  },
  actions: {
    relayNotice: emit(({ event }) => (event as NoticeRelay).notice),
    say: emit((_, notice: Notice) => notice),
    settleOk: emit(({ event }) => settle((event as Command).id)),
    settleNothing: emit(({ event }) => settleNothing((event as Command).id)),
    refuse: emit(({ event }, params: { reason: string }) => refusal((event as Command).id, params.reason)),
    forwardToCall: sendTo('call', ({ event }) => event),
    /**
     * A command for the call: to it while it runs; settled here, as with no call, when it ended in this very
     * step (a listener of its last event, or a subscriber, asked before the line heard it was done: the call
     * would drop the command, and its promise never settled).
     */
    forwardCommand: enqueueActions(({ event, self, enqueue }) => {
      const call = (self.getSnapshot().children as { call?: { getSnapshot(): { status?: string } | undefined } }).call;
      const status = call?.getSnapshot()?.status;
      if (status !== 'done' && status !== 'error' && status !== 'stopped') return enqueue.sendTo('call', event);
      const id = (event as Command).id;
      if (event.type === 'call.hangup' || event.type === 'call.accept' || event.type === 'call.reject') enqueue.emit(settleNothing(id));
      else enqueue.emit(refusal(id, 'not in a call'));
    }),
    terminateCall: sendTo('call', ({ event }, params: { reason: 'hangup' | 'kickedOut' }) => ({ type: 'call.terminate' as const, reason: params.reason, at: 'at' in event ? event.at : 0 })),
    login: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'line.login') return;
      enqueue.assign({ self: event.userID, loginCommand: event.id, kicked: false });
      enqueue.sendTo('im', { type: 'im.login', userID: event.userID, userSig: event.userSig } satisfies ImRequest);
    }),
    settleLogin: emit(({ context, event }) =>
      settle(context.loginCommand ?? -1, event.type === 'im.loginFailed' ? portRefusal(event.error) : undefined),
    ),
    imLogout: sendTo('im', { type: 'im.logout' } satisfies ImRequest),
    abandonLogin: emit(({ context }) => refusal(context.loginCommand ?? -1, 'logged out before the login completed')),
    forgetUser: assign({ self: null, current: null, pendingLogout: null, connection: 'disconnected' as const }),
    markConnected: assign({ connection: 'connected' as const }),
    /** `connecting` is a reconnect in progress; `disconnected`, a connection that is down. */
    noteConnection: assign(({ event }) => ({
      connection: event.type === 'im.connection' && event.state === 'connecting' ? ('reconnecting' as const) : ('disconnected' as const),
    })),
    noteLogout: assign(({ event }) => ({ pendingLogout: (event as Command).id })),
    settleLogout: emit(({ context }) => settle(context.pendingLogout ?? -1)),
    noteKicked: assign({ kicked: true }),
    sayFailed: emit(({ event }) => errorNotice((event as E<'im.sendFailed'>).error)),
    sayKicked: emit(({ event }) => ({ type: 'line.kickedOut', reason: (event as E<'im.kickedOut'>).reason }) as const),
    trackCall: assign(({ event }) => ({
      current:
        event.type === 'call.dial'
          ? { inviteIDs: [event.inviteID], peer: event.userID, roomID: event.roomID }
          : event.type === 'call.groupDial'
            ? { inviteIDs: [...new Set([event.inviteID, ...Object.values(perInvitee(event) ?? {})])], peer: null, roomID: event.roomID }
            : event.type === 'call.join'
              ? { inviteIDs: [event.inviteID], peer: null, roomID: event.roomID }
              : event.type === 'im.invited'
              ? { inviteIDs: [event.signal.inviteID], peer: event.signal.isGroup ? null : event.from, roomID: event.signal.roomID }
              : null,
    })),
    addMerged: assign(({ context, event }) => {
      const merged = event as CallMerged;
      return {
        current: context.current && {
          ...context.current,
          inviteIDs: [...context.current.inviteIDs, merged.inviteID],
          roomID: merged.roomID ?? context.current.roomID,
        },
      };
    }),
    /** The call is over: none of its invites may ring again, however late a copy arrives. */
    endCall: assign(({ context, event }) => ({
      recent: (context.current?.inviteIDs ?? []).reduce(tombstone, context.recent),
      current: null,
      late: mergeLate(context.late, (event as { output?: CallOutput }).output?.late ?? NO_LATE_ACCEPTS),
    })),
    remember: assign(({ context, event }) => ({
      recent: 'signal' in event ? heard(context.recent, event.from, event.signal.inviteID) : context.recent,
    })),
    replyBusy: enqueueActions(({ context, event, enqueue }) => {
      if (!answersBusy(context)) return;
      if (event.type === 'im.invited' && context.self) reply(context, event, enqueue, busyReject(context.self, event.signal));
    }),
    /** Logged out while a kicked call ends: the login that waited for it is refused. */
    dropWaiting: enqueueActions(({ context, enqueue }) => {
      if (context.waiting === null) return;
      enqueue.emit(refusal(context.waiting.id, 'logged out'));
      enqueue.assign({ waiting: null });
    }),
    /** `login()` after a kick (from the KICKED_OUT listener, say) while the kicked call ends: it goes once it has. */
    loginAfterKick: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'line.login') return;
      // A logout() under way ends this line whatever the kick: the login is refused, not parked for ever.
      if (context.pendingLogout !== null) enqueue.emit(refusal(event.id, 'a logout is in progress'));
      else if (context.kicked && context.waiting === null) enqueue.assign({ waiting: event });
      else if (!context.kicked && event.userID === context.self) enqueue.emit(settleNothing(event.id));
      else enqueue.emit(refusal(event.id, 'already logged in'));
    }),
    /** The call is done: what waited for it is handled now, as if it came now. */
    takeWaiting: enqueueActions(({ context, enqueue }) => {
      if (context.waiting === null) return;
      enqueue.raise(context.waiting);
      enqueue.assign({ waiting: null });
    }),
    /**
     * Their accept crossed our cancel, or the IM refused the cancel of an ended call of ours: the
     * acceptor hears a hangup once both are known (`LateAccepts`); a cancel the IM took ends its call.
     */
    answerLateAccept: enqueueActions(({ context, event, enqueue }) => {
      const step = lateAccept(context.late, event);
      if (!step || !context.self || !('at' in event)) return;
      const { replies, told } = tellLate(context.replies, event.at, step.tell);
      enqueue.assign({ late: step.late, replies });
      for (const { from, inviteID, callType } of told) {
        enqueue.sendTo('im', {
          type: 'im.send',
          to: { users: [from] },
          signal: { kind: 'hangup', inviteID, inviter: context.self, groupID: '', callType, invitees: [from], callEnd: 0 },
          onlineUserOnly: false,
        } satisfies ImRequest);
      }
    }),
    /** A switch request for no call of ours: refused, so the requester's switch does not hang (spec 2.6). */
    refuseSwitch: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'im.switchRequested' || !context.self) return;
      const s = event.signal;
      reply(context, event, enqueue, {
        type: 'im.send',
        to: { users: [event.from] },
        signal: { kind: 'reject', inviteID: s.inviteID, inviter: s.inviter, groupID: '', callType: s.callType, invitee: context.self, busy: false },
        onlineUserOnly: false,
      });
    }),
    settleStrayMedia: emit(({ event }) =>
      event.type === 'room.mediaFailed' ? settle(event.commandId, portRefusal(event.error)) : settle(event.type === 'room.mediaDone' ? event.commandId : -1),
    ),
  },
}).createMachine({
  id: 'line',
  context: ({ input }) => ({
    ...lineConfig(input),
    self: null,
    loginCommand: null,
    current: null,
    recent: [],
    pendingLogout: null,
    kicked: false,
    connection: 'disconnected' as const,
    waiting: null,
    replies: { tokens: REPLY_BURST, at: 0 },
    late: NO_LATE_ACCEPTS,
  }),
  invoke: [
    { src: 'im', id: 'im', systemId: 'im' },
    { src: 'room', id: 'room', systemId: 'room' },
  ],
  initial: 'loggedOut',
  on: {
    notice: { actions: 'relayNotice' },
    'call.merged': { actions: 'addMerged' },
    // What the call that just ended sent and could not (its decline, cancel or hangup): the user hears it.
    // Not an invitation's (told by its call, if at all): the ledger notes only those the user heard of.
    'im.sendFailed': [{ guard: 'answerOrEnd', actions: ['sayFailed', 'answerLateAccept'] }, { guard: ({ event }) => event.kind !== 'invite', actions: 'answerLateAccept' }],
    'room.mediaDone': { actions: 'settleStrayMedia' },
    'room.mediaFailed': { actions: 'settleStrayMedia' },
    // Again as the user logged in (a remounted component): done, as TIM answers a repeated login; another user is refused.
    'line.login': [{ guard: 'sameUser', actions: 'settleNothing' }, { actions: { type: 'refuse', params: { reason: 'already logged in' } } }],
    'line.logout': { actions: { type: 'refuse', params: { reason: 'not logged in' } } }, // as TIM's logout (2024) under trtc-calling-js
    'call.dial': { actions: { type: 'refuse', params: { reason: 'not logged in' } } },
    'call.groupDial': { actions: { type: 'refuse', params: { reason: 'not logged in' } } },
    // Nothing to end or answer: nothing to do, as trtc-calling-js (hung up twice, a Decline tapped once logged out or kicked out).
    'call.accept': { actions: 'settleNothing' },
    'call.reject': { actions: 'settleNothing' },
    'call.hangup': { actions: 'settleNothing' },
    'media.camera': { actions: { type: 'refuse', params: { reason: 'not in a call' } } },
    'media.mic': { actions: { type: 'refuse', params: { reason: 'not in a call' } } },
    'call.switch': { actions: { type: 'refuse', params: { reason: 'not in a call' } } },
    'call.invite': { actions: { type: 'refuse', params: { reason: 'not in a call' } } },
    'call.join': { actions: { type: 'refuse', params: { reason: 'not logged in' } } },
  },
  states: {
    loggedOut: {
      description: 'No IM session. Only login() is possible.',
      on: { 'line.login': { target: 'loggingIn', actions: 'login' } },
    },
    loggingIn: {
      description: 'The IM is authenticating the userSig.',
      on: {
        'im.loggedIn': { target: 'online', actions: ['markConnected', 'settleLogin', { type: 'say', params: { type: 'line.ready' } }] },
        'im.loginFailed': { target: 'loggedOut', actions: ['settleLogin', 'forgetUser'] },
        'line.login': { actions: { type: 'refuse', params: { reason: 'a login is in progress' } } },
        'line.logout': { target: 'loggedOut', actions: ['imLogout', 'abandonLogin', 'settleOk', 'forgetUser'] },
      },
    },
    online: {
      description: 'Logged in: can call and be called. A lost IM connection is reported (SDK_NOT_READY) and so is its return (SDK_READY); calls go on meanwhile.',
      on: {
        'im.connection': CONNECTION,
      },
      initial: 'idle',
      states: {
        idle: {
          description: 'No call: an invitation rings, a dial starts a call.',
          on: {
            'call.dial': { target: 'busy', actions: ['trackCall', 'settleOk'] },
            'call.groupDial': { target: 'busy', actions: ['trackCall', 'settleOk'] },
            'call.join': { target: 'busy', actions: ['trackCall', 'settleOk'] },
            'im.invited': [{ guard: 'ringable', target: 'busy', actions: 'trackCall' }, { guard: 'fromMyself' }, { actions: 'remember' }],
            'im.accepted': { guard: 'strayAccept', actions: 'answerLateAccept' },
            'im.cancelled': [{ guard: 'fromMyself' }, { actions: 'remember' }],
            'im.timedOut': [{ guard: 'fromMyself' }, { actions: 'remember' }],
            // Nothing rings: nothing to do, as trtc-calling-js (a Decline tapped as the caller cancels).
            'call.accept': { actions: 'settleNothing' },
            'call.reject': { actions: 'settleNothing' },
            'call.hangup': { actions: 'settleNothing' },
            'im.switchRequested': [{ guard: 'oneOfManyDevices' }, { actions: 'refuseSwitch' }],
            'line.logout': { target: '#line.loggedOut', actions: ['imLogout', 'settleOk', 'forgetUser'] },
            'im.kickedOut': { target: '#line.kickedOut', actions: ['sayKicked', 'forgetUser'] },
          },
        },
        busy: {
          description: 'A call is live (dialing, ringing or connected); it is the invoked `call` actor.',
          invoke: {
            src: 'call',
            id: 'call',
            systemId: 'call',
            input: ({ context, event }): CallInput => callInput(context, event),
            onDone: [
              {
                guard: and(['kicked', 'pendingLogout']),
                target: '#line.kickedOut',
                actions: ['endCall', 'dropWaiting', 'settleLogout', 'forgetUser'],
              },
              { guard: 'kicked', target: '#line.kickedOut', actions: ['endCall', 'forgetUser', 'takeWaiting'] },
              { guard: 'pendingLogout', target: '#line.loggedOut', actions: ['endCall', 'imLogout', 'settleLogout', 'forgetUser'] },
              { target: 'idle', actions: 'endCall' },
            ],
          },
          on: {
            'call.dial': { actions: { type: 'refuse', params: { reason: 'already in a call' } } },
            'call.groupDial': { actions: { type: 'refuse', params: { reason: 'already in a call' } } },
            'call.join': { actions: { type: 'refuse', params: { reason: 'already in a call' } } },
            'call.invite': { actions: 'forwardCommand' },
            'call.accept': [KICKED_ANSWER, { actions: 'forwardCommand' }],
            'call.reject': [KICKED_ANSWER, { actions: 'forwardCommand' }],
            'call.hangup': { actions: 'forwardCommand' },
            'media.camera': { actions: 'forwardCommand' },
            'media.mic': { actions: 'forwardCommand' },
            'call.switch': { actions: 'forwardCommand' },
            'room.*': { actions: 'forwardToCall' },
            'im.sendFailed': { guard: 'sendOfLiveCall', actions: 'forwardToCall' },
            'im.switchRequested': [{ guard: 'switchForLiveCall', actions: 'forwardToCall' }, { guard: 'oneOfManyDevices' }, { actions: 'refuseSwitch' }],
            'im.invited': [
              { guard: 'ofLiveCall' },
              { guard: 'fromPeer', actions: 'forwardToCall' },
              { guard: 'ringable', actions: ['replyBusy', 'remember'] },
            ],
            'im.*': [
              { guard: 'ofLiveCall', actions: 'forwardToCall' },
              { guard: 'fromMyself' },
              { guard: 'strayAccept', actions: 'answerLateAccept' },
              { actions: 'remember' },
            ],
            'line.logout': [
              { guard: 'pendingLogout', actions: { type: 'refuse', params: { reason: 'a logout is in progress' } } },
              { actions: ['noteLogout', 'dropWaiting', { type: 'terminateCall', params: { reason: 'hangup' } }] },
            ],
            'im.kickedOut': { actions: ['noteKicked', 'sayKicked', { type: 'terminateCall', params: { reason: 'kickedOut' } }] },
            'line.login': { actions: 'loginAfterKick' },
            // Before `im.*` below: the connection is the line's business, not the call's.
            'im.connection': CONNECTION,
          },
        },
      },
    },
    kickedOut: {
      description: 'Another login of this user took over. login() again to come back.',
      on: {
        'line.login': { target: 'loggingIn', actions: 'login' },
        'line.logout': { target: 'loggedOut', actions: 'settleOk' },
        'call.accept': KICKED_ANSWER,
        'call.reject': KICKED_ANSWER,
      },
    },
  },
});

/** The call's input from what started it: our dial, or an invite that may ring. */
function callInput(context: LineContext, event: LineEvent): CallInput {
  const self = context.self ?? '';
  const shared = {
    self,
    noAnswerGraceMs: context.noAnswerGraceMs,
    ...(context.multiDevice ? { multiDevice: true } : {}),
    ...(context.busyHeld ? { busyHeld: true } : {}),
    exitTimeoutMs: context.exitTimeoutMs,
    aloneTimeoutMs: context.aloneTimeoutMs,
    leaveGraceMs: context.leaveGraceMs,
    missingMemberMs: context.missingMemberMs,
    startedAt: 'at' in event ? event.at : 0,
  };
  if (event.type === 'call.dial' || event.type === 'call.groupDial') {
    const group = event.type === 'call.groupDial';
    const inviteIDs = group ? perInvitee(event) : undefined;
    return {
      ...shared,
      role: 'caller',
      inviteID: event.inviteID,
      ...(inviteIDs ? { inviteIDs } : {}),
      inviter: self,
      invitees: group ? event.userIDs : [event.userID],
      groupID: group ? event.groupID : '',
      isGroup: group,
      callType: event.callType,
      roomID: event.roomID,
      timeout: event.timeout,
      age: 0,
      onlineUserOnly: false,
    };
  }
  if (event.type === 'call.join') {
    // Nobody invited us: the call is the group's, its inviter unknown; we answer nobody.
    return {
      ...shared,
      role: 'callee',
      joined: true,
      inviteID: event.inviteID,
      inviter: '',
      invitees: [self],
      groupID: event.groupID,
      isGroup: true,
      callType: event.callType,
      roomID: event.roomID,
      timeout: 0,
      age: 0,
      onlineUserOnly: false,
    };
  }
  const { signal: s, age } = event as E<'im.invited'>;
  return {
    ...shared,
    role: 'callee',
    inviteID: s.inviteID,
    inviter: s.inviter,
    invitees: s.invitees,
    groupID: s.groupID,
    isGroup: s.isGroup,
    callType: s.callType === 0 ? 1 : s.callType,
    roomID: s.roomID,
    timeout: s.timeout,
    age,
    onlineUserOnly: s.onlineUserOnly,
    ...(s.rawData !== undefined ? { inviteData: s.rawData } : {}),
  };
}

/** A C2C group dial's inviteID per invitee (see `call.groupDial`), or `undefined`. */
function perInvitee(event: E<'call.groupDial'>): Record<string, string> | undefined {
  const ids = event.inviteIDs;
  if (event.groupID !== '' || !ids || ids.length !== event.userIDs.length) return undefined;
  return Object.fromEntries(event.userIDs.map((u, i) => [u, ids[i] ?? event.inviteID]));
}

export type { CallOutput };
