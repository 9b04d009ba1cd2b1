/**
 * Helpers for the machine tiers (tier 1: pure `transition`, tier 2: `SimulatedClock`).
 *
 * - `steps(actions)` turns the executable actions returned by `initialTransition` /
 *   `transition` into plain, comparable records (`{ send, event }`, `{ emit }`, ...).
 * - Fixtures: inputs, commands and signals with the defaults one call uses
 *   (Alice calls Bob, invite `inv-5`, room 42, video, 30 s).
 * - `startCall(input)`: the call machine runs under a tiny host that stands in for the line:
 *   the host is registered as system ID `line` (where the call sends its notices and
 *   `call.merged`), the call as `call` (where its invitee actors report), and stand-in `im`
 *   and `room` actors as `im` / `room` (where the call sends its requests), as the line
 *   machine and `createCalling` register them. One ordered log records every request the
 *   stand-ins receive and every event the host receives. The inert scope of a pure
 *   `transition` has no system, so there the call would have nobody to tell.
 * - `startLine(config)`: the line machine (system ID `line`) with the same stand-ins,
 *   recording its emitted notices.
 */
import {
  type ActorRefFrom,
  type AnyEventObject,
  createActor,
  fromCallback,
  setup,
  SimulatedClock,
} from 'xstate';
import { type CallOutput, callMachine } from '../../machines/callMachine';
import type { CallEvent, CallInput, NoticeRelay } from '../../machines/callModel';
import type { inviteeMachine } from '../../machines/inviteeMachine';
import type { memberMachine } from '../../machines/memberMachine';
import type { Command, ImRequest, ImSignal, Notice, RoomRequest, RoomSignal } from '../../machines/events';
import { type LineConfig, type LineEvent, lineMachine } from '../../machines/lineMachine';
import type { AcceptSignal, CancelSignal, HangupSignal, InviteSignal, RejectSignal, TimeoutSignal, UserID } from '../../machines/types';

// ------------------------------------------------------------------ pure actions

/** One executable action, as a plain record. */
export type Step =
  | { readonly send: string; readonly event: unknown }
  | { readonly emit: unknown }
  | { readonly spawn: string; readonly input: unknown }
  | { readonly stop: string }
  | { readonly raise: unknown; readonly delay: number | undefined }
  | { readonly cancel: unknown }
  | { readonly action: string; readonly params: unknown };

const field = (o: unknown, key: string): unknown =>
  typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;

const actorId = (ref: unknown): string => String(field(ref, 'id'));

/** The actions returned by `transition` / `initialTransition`, as comparable records. */
export function steps(actions: readonly { readonly type: string; readonly params: unknown }[]): Step[] {
  return actions.map(({ type, params }): Step => {
    switch (type) {
      case 'xstate.sendTo':
        return { send: String(field(params, 'targetId') ?? actorId(field(params, 'to'))), event: field(params, 'event') };
      case 'xstate.emit':
        return { emit: field(params, 'event') };
      case 'xstate.spawnChild':
        return { spawn: String(field(params, 'id')), input: field(params, 'input') };
      case 'xstate.stopChild':
        return { stop: actorId(params) };
      case 'xstate.raise':
        return { raise: field(params, 'event'), delay: field(params, 'delay') as number | undefined };
      case 'xstate.cancel':
        return { cancel: field(params, 'sendId') };
      default:
        return { action: type, params };
    }
  });
}

/**
 * The event of the delayed `raise` (an `after` timer) among `actions`, so a pure test can
 * fire exactly the timer the machine scheduled. `E` is the machine's event type: XState's
 * `xstate.after.*` events are not part of it.
 */
export function scheduled<E>(actions: readonly { readonly type: string; readonly params: unknown }[]): {
  readonly event: E;
  readonly delay: number;
} {
  const raise = actions.find((a) => a.type === 'xstate.raise' && field(a.params, 'delay') !== undefined);
  if (!raise) throw new Error('no timer was scheduled');
  return { event: field(raise.params, 'event') as E, delay: field(raise.params, 'delay') as number };
}

// ------------------------------------------------------------------ fixtures

/** Alice dials Bob: invite `inv-5`, room 42, video, 30 s. */
export const callerInput = (over: Partial<CallInput> = {}): CallInput => ({
  self: 'alice',
  role: 'caller',
  inviteID: 'inv-5',
  inviter: 'alice',
  invitees: ['bob'],
  groupID: '',
  isGroup: false,
  callType: 2,
  roomID: 42,
  timeout: 30,
  age: 0,
  startedAt: 0,
  onlineUserOnly: false,
  noAnswerGraceMs: 5_000,
  exitTimeoutMs: 5_000,
  aloneTimeoutMs: 30_000,
  leaveGraceMs: 5_000,
  missingMemberMs: 10_000,
  ...over,
});

/** The `data` string of Alice's invite as Bob received it (his timeout notice echoes it). */
export const INVITE_DATA = '{"extraInfo":"","version":4,"call_type":2,"room_id":42,"businessID":"av_call","platform":"Web","data":{"cmd":"videoCall","room_id":42,"message":"","userIDs":["bob"]}}';

/** Bob is rung by Alice's `inv-5`. */
export const calleeInput = (over: Partial<CallInput> = {}): CallInput =>
  callerInput({ self: 'bob', role: 'callee', inviteData: INVITE_DATA, ...over });

const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;

export const inviteSignal = (over: Partial<InviteSignal> = {}): InviteSignal => ({
  kind: 'invite',
  ...base,
  invitees: ['bob'],
  roomID: 42,
  timeout: 30,
  onlineUserOnly: false,
  isGroup: false,
  consumed: false,
  ...over,
});

type At = { readonly at?: number; readonly age?: number };

/** IM signals as the bridge delivers them (`from` is the authenticated sender). */
export const im = {
  invited: (from: UserID, over: Partial<InviteSignal> = {}, { at = 0, age = 0 }: At = {}): ImSignal => ({
    type: 'im.invited',
    from,
    age,
    at,
    signal: inviteSignal({ inviter: from, ...over }),
  }),
  accepted: (from: UserID, over: Partial<AcceptSignal> = {}, at = 0): ImSignal => ({
    type: 'im.accepted',
    from,
    age: 0,
    at,
    signal: { kind: 'accept', ...base, invitee: from, ...over },
  }),
  rejected: (from: UserID, busy = false, over: Partial<RejectSignal> = {}, at = 0): ImSignal => ({
    type: 'im.rejected',
    from,
    age: 0,
    at,
    signal: { kind: 'reject', ...base, invitee: from, busy, ...over },
  }),
  cancelled: (from: UserID, invitees: UserID[], over: Partial<CancelSignal> = {}, at = 0): ImSignal => ({
    type: 'im.cancelled',
    from,
    age: 0,
    at,
    signal: { kind: 'cancel', ...base, invitees, ...over },
  }),
  timedOut: (from: UserID, invitees: UserID[], over: Partial<TimeoutSignal> = {}, at = 0): ImSignal => ({
    type: 'im.timedOut',
    from,
    age: 0,
    at,
    signal: { kind: 'timeout', ...base, invitees, ...over },
  }),
  hungUp: (from: UserID, invitees: UserID[], callEnd = 0, over: Partial<HangupSignal> = {}, at = 0): ImSignal => ({
    type: 'im.hungUp',
    from,
    age: 0,
    at,
    signal: { kind: 'hangup', ...base, inviter: from, invitees, callEnd, ...over },
  }),
};

/** Room signals for room 42 unless told. */
export const rm = {
  entered: (at = 0, roomID = 42): RoomSignal => ({ type: 'room.entered', roomID, at }),
  exited: (at = 0, roomID = 42): RoomSignal => ({ type: 'room.exited', roomID, at }),
  enterFailed: (at = 0, roomID = 42): RoomSignal => ({
    type: 'room.enterFailed',
    roomID,
    at,
    error: { code: -1, message: 'no camera' },
  }),
  /** Facts about another member (see `RoomEvent`). */
  joined: (userID: UserID, at = 0, roomID = 42): RoomSignal => ({ type: 'room.memberJoined', roomID, userID, at }),
  /** Its media arrived: a member we had not heard of yet joins and counts as in the call at once. */
  arrived: (userID: UserID, at = 0, roomID = 42): RoomSignal => ({ type: 'room.mediaArrived', roomID, userID, at }),
  lost: (userID: UserID, at = 0, roomID = 42): RoomSignal => ({ type: 'room.connectionLost', roomID, userID, at }),
  back: (userID: UserID, at = 0, roomID = 42): RoomSignal => ({ type: 'room.connectionBack', roomID, userID, at }),
  left: (userID: UserID, at = 0, roomID = 42): RoomSignal => ({ type: 'room.memberLeft', roomID, userID, at }),
  publishes: (userID: UserID, media: 'audio' | 'video', available: boolean, at = 0, roomID = 42): RoomSignal => ({
    type: media === 'audio' ? 'room.audioAvailable' : 'room.videoAvailable',
    roomID,
    userID,
    available,
    at,
  }),
  reconnected: (members: UserID[], resumed: boolean, at = 0, roomID = 42): RoomSignal => ({ type: 'room.reconnected', roomID, members, resumed, at }),
};

type Cmd<T extends Command['type']> = Extract<Command, { type: T }>;

/** Commands as the facade sends them. */
export const cmd = {
  login: (id: number, userID: UserID = 'alice'): Cmd<'line.login'> => ({ type: 'line.login', id, at: 0, userID, userSig: `sig-${userID}` }),
  logout: (id: number): Cmd<'line.logout'> => ({ type: 'line.logout', id, at: 0 }),
  dial: (id: number, userID: UserID = 'bob', inviteID = 'inv-5'): Cmd<'call.dial'> => ({
    type: 'call.dial',
    id,
    at: 0,
    userID,
    inviteID,
    roomID: 42,
    callType: 2,
    timeout: 30,
  }),
  accept: (id: number, inviteID?: string): Cmd<'call.accept'> => ({ type: 'call.accept', id, at: 0, inviteID }),
  reject: (id: number, busy = false, inviteID?: string): Cmd<'call.reject'> => ({ type: 'call.reject', id, at: 0, inviteID, busy }),
  hangup: (id: number, at = 0): Cmd<'call.hangup'> => ({ type: 'call.hangup', id, at }),
};

/** What the stand-in actors and the host saw, in order. */
export type Out =
  | { readonly im: ImRequest }
  | { readonly room: RoomRequest }
  | { readonly notice: Notice }
  | { readonly parent: AnyEventObject }
  | { readonly done: CallOutput };

/** Expected-log builders. */
export const out = {
  im: (request: ImRequest): Out => ({ im: request }),
  room: (request: RoomRequest): Out => ({ room: request }),
  notice: (notice: Notice): Out => ({ notice }),
  settled: (commandId: number): Out => ({ notice: { type: 'command.settled', commandId } }),
  refused: (commandId: number, reason: string): Out => ({
    notice: { type: 'command.settled', commandId, error: { code: -1203, reason, kind: 'state' } },
  }),
};

function recorders(log: Out[]) {
  return {
    im: fromCallback<ImRequest>(({ receive }) => {
      receive((request) => {
        log.push({ im: request });
      });
    }),
    room: fromCallback<RoomRequest>(({ receive }) => {
      receive((request) => {
        log.push({ room: request });
      });
    }),
  };
}

/** A log that can be drained: `take()` returns what arrived since the last `take()`. */
function drainable(log: Out[]) {
  return () => log.splice(0, log.length);
}

/** The event a parent receives when its invoked `call` reaches its final state (not a `LineEvent`). */
export const callDone = (output: CallOutput) =>
  ({ type: 'xstate.done.actor.call', actorId: 'call', output }) as unknown as LineEvent;

// ------------------------------------------------------------------ live call

/** `without`: stand-ins left out, to see what the call does when one is not there. */
export function startCall(input: CallInput, clock = new SimulatedClock(), without: readonly ('im' | 'room')[] = []) {
  const log: Out[] = [];
  const host = setup({
    types: {
      context: {} as { readonly input: CallInput },
      input: {} as CallInput,
      events: {} as AnyEventObject,
      children: {} as { call: 'call' },
    },
    actors: { call: callMachine, ...recorders(log) },
    actions: {
      record: ({ event }) => {
        log.push(event.type === 'notice' ? { notice: (event as NoticeRelay).notice } : { parent: event });
      },
      recordDone: (_, output: CallOutput) => {
        log.push({ done: output });
      },
    },
  }).createMachine({
    context: ({ input }) => ({ input }),
    invoke: [
      ...(['im', 'room'] as const).filter((id) => !without.includes(id)).map((id) => ({ src: id, id, systemId: id })),
      {
        src: 'call',
        id: 'call',
        systemId: 'call',
        input: ({ context }) => context.input,
        onDone: { actions: { type: 'recordDone', params: ({ event }) => event.output } },
      },
    ],
    on: { '*': { actions: 'record' } },
  });
  const actor = createActor(host, { input, clock, systemId: 'line' });
  const call = actor.getSnapshot().children.call as ActorRefFrom<typeof callMachine>;
  actor.start();
  return {
    clock,
    call,
    send: (event: CallEvent) => call.send(event),
    value: () => call.getSnapshot().value,
    status: () => call.getSnapshot().status,
    context: () => call.getSnapshot().context,
    invitee: (userID: UserID) => call.getSnapshot().children[`invitee:${userID}`] as ActorRefFrom<typeof inviteeMachine> | undefined,
    member: (userID: UserID) => call.getSnapshot().children[`member:${userID}`] as ActorRefFrom<typeof memberMachine> | undefined,
    take: drainable(log),
  };
}

// ------------------------------------------------------------------ live line

export function startLine(config: Partial<LineConfig> = {}, clock = new SimulatedClock()) {
  const log: Out[] = [];
  const actor = createActor(lineMachine.provide({ actors: recorders(log) }), { input: config, clock, systemId: 'line' });
  actor.on('*', (notice) => {
    log.push({ notice });
  });
  actor.start();
  return {
    clock,
    actor,
    send: (event: Parameters<typeof actor.send>[0]) => actor.send(event),
    value: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
    call: () => actor.getSnapshot().children.call as ActorRefFrom<typeof callMachine> | undefined,
    take: drainable(log),
  };
}
