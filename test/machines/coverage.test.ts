/**
 * Path coverage with `xstate/graph` (issue 6).
 *
 * For each machine, `getShortestPaths` generates paths over an event catalogue built from the
 * machine's own event types, with values that satisfy (and some that fail) the guards given
 * the current context. Then, against the machine definition (walked from `machine.root`, see
 * `test/support/graphCoverage.ts`, which also states how a transition counts as taken):
 * 1. every state node is reached by some generated path;
 * 2. every transition with a target is taken by some generated path, unless it is in the
 *    allow-list below with a reason;
 * 3. the generated paths are real: every path `getShortestPaths` generated (one per abstract
 *    state), and the shortest one to every state node and through every transition, is
 *    replayed on a real actor, which must end in the same state value and abstract state,
 *    and reach the same state node or take the same transition.
 *
 * The call machine runs without its line, and the line machine with an inert stand-in for its
 * call (the call is covered on its own): a forwarded event never ends the call behind the
 * traversal's back, and the call's end is the catalogue's `xstate.done.actor.call` event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine, setup } from 'xstate';
import { type CallOutput, callMachine } from '../../machines/callMachine';
import type { CallContext, CallEvent, CallInput } from '../../machines/callModel';
import type { Command, ImSignal, RoomSignal } from '../../machines/events';
import { type InviteeEvent, type InviteeInput, type InviteeStatus, inviteeMachine } from '../../machines/inviteeMachine';
import { type LineEvent, lineMachine } from '../../machines/lineMachine';
import { type MemberContext, type MemberEvent, type MemberInput, memberMachine } from '../../machines/memberMachine';
import type { LineContext } from '../../machines/lineModel';
import type { InviteSignal, UserID } from '../../machines/types';
import { callerInput, calleeInput } from '../support/machineHarness';
import {
  allTransitionDefinitions,
  type Coverage,
  coverage,
  definedTransitions,
  doneEvents,
  type Exploration,
  explore,
  replay,
  stateNodes,
  timerEvents,
  untakenBranches,
} from '../support/graphCoverage';

/** Every event's clock time. Times only feed durations, never a guard. */
const T = 1_000;
const ERROR = { code: -1, message: 'boom' } as const;
const LIMIT = 2_000_000;

const unique = <X,>(xs: readonly X[]): X[] => [...new Set(xs)];

// ------------------------------------------------------------------ call machine

const caller1v1 = callerInput();
const callee1v1 = calleeInput();

const CALL_INPUTS: Record<string, CallInput> = {
  '1v1 caller, timeout 30': caller1v1,
  '1v1 caller, timeout 0': { ...caller1v1, timeout: 0 },
  'group caller, 2 invitees': { ...caller1v1, invitees: ['bob', 'carol'], isGroup: true },
  '1v1 callee, timeout 30': callee1v1,
  '1v1 callee, timeout 0': { ...callee1v1, timeout: 0 },
  'group callee in an IM group': { ...callee1v1, invitees: ['bob', 'carol'], groupID: 'grp-1', isGroup: true },
  'joiner of the IM group\'s call (joinInGroupCall)': { ...callee1v1, joined: true, inviter: '', invitees: ['bob'], groupID: 'grp-1', isGroup: true, timeout: 0 },
};

/**
 * What an invitee actor can report next, read from the invitee machine: the statuses (= its
 * state names) that the state named like the current status has transitions to.
 */
const NEXT_STATUS = (status: InviteeStatus): InviteeStatus[] => {
  const node = inviteeMachine.root.states[status];
  if (!node) return [];
  return unique([...node.transitions.values()].flat().flatMap((t) => (t.target ?? []).map((n) => n.key as InviteeStatus)));
};

/** Everything a guard or the catalogue reads; camera, mic, times and reasons are left out. */
function serializeCall(s: AnyMachineSnapshot): string {
  const c = s.context as CallContext;
  return JSON.stringify([
    s.value,
    s.status,
    c.role,
    c.inviteID,
    c.inviter,
    c.invitees,
    c.isGroup,
    c.groupID,
    c.roomID,
    c.timeout > 0,
    c.roster,
    c.present.map((p) => p.userID).sort(),
    c.room,
    c.callType,
    c.switching !== null,
    c.glareHeld?.inviteID ?? null,
  ]);
}

function inviteFrom(from: UserID, inviteID: string, self: UserID, extra: Partial<InviteSignal> = {}): ImSignal {
  const signal: InviteSignal = {
    kind: 'invite',
    inviteID,
    inviter: from,
    groupID: '',
    callType: 2,
    invitees: [self],
    roomID: 77,
    timeout: 30,
    onlineUserOnly: false,
    isGroup: false,
    consumed: false,
    ...extra,
  };
  return { type: 'im.invited', from, at: T, age: 0, signal };
}

function callEvents(s: AnyMachineSnapshot): AnyEventObject[] {
  if (s.status !== 'active') return [];
  const c = s.context as CallContext;
  const me = c.self;
  const im = { at: T, age: 0 } as const;
  const base = { inviteID: c.inviteID, inviter: c.inviter, groupID: c.groupID, callType: c.callType } as const;
  const others = unique([c.inviter, ...c.invitees, ...c.present.map((p) => p.userID)]).filter((u) => u !== me);
  const inviteesButMe = c.invitees.filter((u) => u !== me);
  const someoneElse = c.invitees.find((u) => u !== me && u !== c.inviter) ?? 'zoe';
  const present = c.present.map((p) => p.userID).sort();
  const fromInviter = c.inviter !== me;
  const room = (e: Record<string, unknown> & { type: RoomSignal['type'] }, roomID = c.roomID) => ({ ...e, roomID, at: T }) as RoomSignal;

  const commands: Command[] = [
    { type: 'call.accept', id: 1, at: T },
    { type: 'call.accept', id: 2, at: T, inviteID: c.inviteID },
    { type: 'call.accept', id: 3, at: T, inviteID: 'inv-x' },
    { type: 'call.reject', id: 4, at: T, busy: false },
    { type: 'call.reject', id: 5, at: T, inviteID: 'inv-x', busy: false },
    { type: 'call.reject', id: 6, at: T, busy: true },
    { type: 'call.hangup', id: 7, at: T },
    { type: 'media.camera', id: 8, at: T, on: true },
    { type: 'media.camera', id: 9, at: T, on: false },
    { type: 'media.mic', id: 10, at: T, muted: true },
    { type: 'media.mic', id: 11, at: T, muted: false },
    { type: 'call.switch', id: 12, at: T, to: 1, inviteID: 'sw-5' },
    { type: 'call.switch', id: 13, at: T, to: 2, inviteID: 'sw-5' },
    // Inviting someone already in the call (a no-op). Someone new would multiply the walk's states by
    // the new invitee's statuses: invitations into a call are covered in callMachine.invite.test.ts.
    { type: 'call.invite', id: 15, at: T, userIDs: c.invitees.slice(0, 1), inviteIDs: ['inv-x'] },
  ];

  // The peer answers our switch request ('sw-5'), or asks for one of its own ('sw-1' sorts first).
  const peer = c.role === 'caller' ? c.invitees[0] : c.inviter;
  const switchBase = { inviteID: 'sw-5', inviter: me, groupID: '', callType: c.callType } as const;
  const switching: ImSignal[] =
    peer === undefined || peer === me
      ? []
      : [
          ...(c.switching
            ? ([
                { type: 'im.accepted', from: peer, ...im, signal: { kind: 'accept', ...switchBase, invitee: peer, switchTo: c.switching.to } },
                { type: 'im.rejected', from: peer, ...im, signal: { kind: 'reject', ...switchBase, invitee: peer, busy: false } },
              ] satisfies ImSignal[])
            : []),
          { type: 'im.switchRequested', from: peer, ...im, signal: { kind: 'switch', inviteID: 'sw-1', inviter: peer, groupID: '', callType: c.callType, invitees: [me], roomID: c.roomID, to: c.callType === 2 ? 1 : 2 } },
          { type: 'im.switchRequested', from: peer, ...im, signal: { kind: 'switch', inviteID: 'sw-9', inviter: peer, groupID: '', callType: c.callType, invitees: [me], roomID: c.roomID, to: c.callType === 2 ? 1 : 2 } },
        ];

  const signals: ImSignal[] = [
    ...switching,
    // Glare: the 1v1 invitee invites us too, with an inviteID that sorts before or after ours.
    ...(!c.isGroup && c.invitees[0] !== undefined && c.invitees[0] !== me
      ? ['inv-1', 'inv-9'].filter((id) => id !== c.inviteID).map((id) => inviteFrom(c.invitees[0]!, id, me))
      : []),
    // Someone else's group call: answered busy.
    inviteFrom('zoe', 'inv-7', me, { groupID: 'grp-9', isGroup: true, invitees: [me, 'yan'] }),
    ...inviteesButMe.flatMap((u): ImSignal[] => [
      { type: 'im.accepted', from: u, ...im, signal: { kind: 'accept', ...base, invitee: u } },
      { type: 'im.rejected', from: u, ...im, signal: { kind: 'reject', ...base, invitee: u, busy: false } },
      { type: 'im.rejected', from: u, ...im, signal: { kind: 'reject', ...base, invitee: u, busy: true } },
      // The invitee's own timer decided (sent to the inviter).
      { type: 'im.timedOut', from: u, ...im, signal: { kind: 'timeout', ...base, invitees: [u] } },
    ]),
    ...(fromInviter
      ? ([
          { type: 'im.cancelled', from: c.inviter, ...im, signal: { kind: 'cancel', ...base, invitees: [me] } },
          { type: 'im.cancelled', from: c.inviter, ...im, signal: { kind: 'cancel', ...base, invitees: [] } },
          { type: 'im.cancelled', from: c.inviter, ...im, signal: { kind: 'cancel', ...base, invitees: [someoneElse] } },
          { type: 'im.timedOut', from: c.inviter, ...im, signal: { kind: 'timeout', ...base, invitees: [me] } },
          { type: 'im.timedOut', from: c.inviter, ...im, signal: { kind: 'timeout', ...base, invitees: [] } },
          { type: 'im.timedOut', from: c.inviter, ...im, signal: { kind: 'timeout', ...base, invitees: [someoneElse] } },
        ] satisfies ImSignal[])
      : []),
    // Many devices: another device of ours accepted, declined, or said busy (which ends nothing here).
    ...(c.role === 'callee'
      ? ([
          { type: 'im.accepted', from: me, ...im, signal: { kind: 'accept', ...base, invitee: me } },
          { type: 'im.rejected', from: me, ...im, signal: { kind: 'reject', ...base, invitee: me, busy: false } },
          { type: 'im.rejected', from: me, ...im, signal: { kind: 'reject', ...base, invitee: me, busy: true } },
        ] satisfies ImSignal[])
      : []),
    // A cancel naming us, from someone who is not the inviter: not for us.
    ...others
      .filter((u) => u !== c.inviter)
      .slice(0, 1)
      .map((u): ImSignal => ({ type: 'im.cancelled', from: u, ...im, signal: { kind: 'cancel', ...base, invitees: [me] } })),
    // "The call is over" notices: naming us, or naming only the sender.
    ...others.flatMap((u): ImSignal[] => [
      { type: 'im.hungUp', from: u, ...im, signal: { kind: 'hangup', ...base, inviter: u, invitees: [me], callEnd: 0 } },
      { type: 'im.hungUp', from: u, ...im, signal: { kind: 'hangup', ...base, inviter: u, invitees: [u], callEnd: 0 } },
    ]),
    ...others.slice(0, 1).map((u): ImSignal => ({
      type: 'im.switchRequested',
      from: u,
      ...im,
      signal: { kind: 'switch', ...base, invitees: [me], roomID: c.roomID, to: 1 },
    })),
  ];

  const status: CallEvent[] = [
    { type: 'im.sendFailed', at: T, inviteID: c.inviteID, kind: 'invite', error: ERROR },
    { type: 'im.sendFailed', at: T, inviteID: c.inviteID, kind: 'accept', error: ERROR },
  ];

  const rooms: RoomSignal[] = [
    room({ type: 'room.entered' }),
    room({ type: 'room.entered' }, 99),
    room({ type: 'room.enterFailed', error: ERROR }),
    room({ type: 'room.exited' }),
    room({ type: 'room.failed', error: ERROR }),
    // Facts about the others go to member actors (their reports are in `members` below).
    ...others.slice(0, 1).flatMap((userID) =>
      (['room.memberJoined', 'room.mediaArrived', 'room.connectionLost', 'room.memberLeft'] as const).map((type) => room({ type, userID })),
    ),
    ...others.slice(0, 1).map((userID) => room({ type: 'room.mediaArrived', userID }, 99)),
    room({ type: 'room.reconnected', members: [], resumed: false }),
    ...present
      .slice(0, 1)
      .flatMap((userID) =>
        [true, false].flatMap((available) => [
          room({ type: 'room.audioAvailable', userID, available }),
          room({ type: 'room.videoAvailable', userID, available }),
        ]),
      ),
    room({ type: 'room.mediaDone', commandId: 8, media: 'camera' }),
    room({ type: 'room.mediaDone', commandId: -1, media: 'mic' }),
    room({ type: 'room.mediaFailed', commandId: 8, media: 'camera', error: ERROR }),
  ];

  const reports: CallEvent[] = Object.entries(c.roster).flatMap(([userID, current]) =>
    NEXT_STATUS(current).flatMap((status): CallEvent[] => [
      { type: 'invitee.changed', userID, status, via: 'peer', at: T },
      ...(status === 'noResponse' ? [{ type: 'invitee.changed' as const, userID, status, via: 'timer' as const, at: T }] : []),
    ]),
  );

  // What member actors report: someone arrives; someone in the call (or answered) leaves or is lost.
  const members: CallEvent[] = [
    ...others.filter((u) => !present.includes(u)).map((userID): CallEvent => ({ type: 'member.entered', userID, audio: true, video: false, at: T })),
    ...others
      .filter((u) => present.includes(u) || c.roster[u] === 'accepted')
      .flatMap((userID): CallEvent[] => [
        { type: 'member.left', userID, cause: 'left', entered: present.includes(userID), at: T },
        { type: 'member.left', userID, cause: 'lost', entered: present.includes(userID), at: T },
      ]),
    ...present.slice(0, 1).map((userID): CallEvent => ({ type: 'member.media', userID, media: 'video', available: true, at: T })),
  ];

  const line: CallEvent[] = [
    { type: 'call.terminate', reason: 'hangup', at: T },
    { type: 'call.terminate', reason: 'kickedOut', at: T },
  ];

  return [...commands, ...signals, ...status, ...rooms, ...reports, ...members, ...line, ...timerEvents(s)];
}

// ------------------------------------------------------------------ invitee machine

const INVITEE_INPUTS: Record<string, InviteeInput> = {
  'no-answer timer (35 s)': { userID: 'bob', noAnswerMs: 35_000, startedAt: 0 },
  'no timer (timeout 0)': { userID: 'bob', noAnswerMs: 0, startedAt: 0 },
};

const INVITEE_TYPES: readonly InviteeEvent['type'][] = ['accept', 'reject', 'busy', 'timeout', 'cancel', 'entered', 'left', 'unreached', 'overrule'];

function inviteeEvents(s: AnyMachineSnapshot): AnyEventObject[] {
  if (s.status !== 'active') return [];
  return [...INVITEE_TYPES.map((type): InviteeEvent => ({ type, at: T })), ...timerEvents(s)];
}

const serializeInvitee = (s: AnyMachineSnapshot): string =>
  JSON.stringify([s.value, s.status, (s.context as InviteeInput).noAnswerMs > 0]);

// ------------------------------------------------------------------ member machine

const MEMBER_INPUTS: Record<string, MemberInput> = {
  'grace 5 s, missing 10 s': { userID: 'bob', leaveGraceMs: 5_000, missingMemberMs: 10_000 },
};

function memberEvents(s: AnyMachineSnapshot): AnyEventObject[] {
  if (s.status !== 'active') return [];
  const facts = (['joined', 'mediaArrived', 'connectionLost', 'connectionBack', 'left', 'missing'] as const).map((type): MemberEvent => ({ type, at: T }));
  return [...facts, { type: 'audio', available: true, at: T }, { type: 'video', available: false, at: T }, ...timerEvents(s)];
}

const serializeMember = (s: AnyMachineSnapshot): string => {
  const c = s.context as MemberContext;
  return JSON.stringify([s.value, s.status, c.entered, c.audio, c.video]);
};

// ------------------------------------------------------------------ line machine

/** Stands in for the invoked call: takes every forwarded event and never finishes by itself. */
const inertCall = setup({ types: { input: {} as CallInput, output: {} as CallOutput } }).createMachine({ id: 'call' });
const line = lineMachine.provide({ actors: { call: inertCall as unknown as typeof callMachine } });

const ME = 'alice';

function serializeLine(s: AnyMachineSnapshot): string {
  const c = s.context as LineContext;
  // A tombstone by its inviteID (who left it, see `heard`, would multiply the states for nothing a guard reads twice).
  const recent = [...new Set(c.recent.map((t) => t.slice(t.indexOf(' ') + 1)))].sort();
  return JSON.stringify([s.value, s.status, c.self, c.loginCommand !== null, c.current, recent, c.pendingLogout !== null, c.kicked, c.connection === 'connected']);
}

function lineEvents(s: AnyMachineSnapshot): AnyEventObject[] {
  if (s.status !== 'active') return [];
  const c = s.context as LineContext;
  const im = { at: T, age: 0 } as const;
  const commands: Command[] = [
    { type: 'line.login', id: 1, at: T, userID: ME, userSig: 'sig' },
    { type: 'line.logout', id: 2, at: T },
    { type: 'call.dial', id: 3, at: T, userID: 'bob', inviteID: 'inv-5', roomID: 42, callType: 2, timeout: 30 },
    { type: 'call.groupDial', id: 4, at: T, userIDs: ['bob', 'carol'], inviteID: 'inv-6', roomID: 43, callType: 1, groupID: '', timeout: 30 },
    { type: 'call.accept', id: 5, at: T },
    { type: 'call.reject', id: 6, at: T, busy: false },
    { type: 'call.hangup', id: 7, at: T },
    { type: 'media.camera', id: 8, at: T, on: true },
    { type: 'media.mic', id: 9, at: T, muted: true },
    { type: 'call.switch', id: 10, at: T, to: 1, inviteID: 'sw-5' },
    { type: 'call.invite', id: 11, at: T, userIDs: ['carol'], inviteIDs: ['inv-c'] },
    { type: 'call.join', id: 12, at: T, groupID: 'grp-1', roomID: 77, callType: 2, inviteID: 'inv-j' },
  ];
  const status: LineEvent[] = [
    { type: 'im.connection', at: T, state: 'connected' },
    { type: 'im.connection', at: T, state: 'connecting' },
    { type: 'im.connection', at: T, state: 'disconnected' },
    { type: 'im.loggedIn', at: T },
    { type: 'im.loginFailed', at: T, error: ERROR },
    { type: 'im.loggedOut', at: T },
    { type: 'im.kickedOut', at: T, reason: 'logged in elsewhere' },
    { type: 'im.sendFailed', at: T, inviteID: 'inv-5', kind: 'invite', error: ERROR },
    { type: 'im.sendFailed', at: T, inviteID: 'inv-x', kind: 'invite', error: ERROR },
  ];
  const base = (inviteID: string, inviter: UserID) => ({ inviteID, inviter, groupID: '', callType: 2 }) as const;
  const signals: ImSignal[] = [
    // Rings when idle; while our 1v1 dial to bob is live it is glare (forwarded to the call).
    inviteFrom('bob', 'inv-1', ME),
    inviteFrom('bob', 'inv-1', ME, { consumed: true }),
    { ...inviteFrom('bob', 'inv-1', ME), age: 30_000 },
    inviteFrom(ME, 'inv-1', ME),
    inviteFrom('carol', 'inv-7', ME, { groupID: 'grp-1', isGroup: true, invitees: [ME, 'bob'] }),
    inviteFrom('carol', 'inv-7', ME, { groupID: 'grp-1', isGroup: true, invitees: ['bob'] }),
    // An accept of our dial: live while it lasts, stray after (it crossed our cancel).
    { type: 'im.accepted', from: 'bob', ...im, signal: { kind: 'accept', ...base('inv-5', ME), invitee: 'bob' } },
    { type: 'im.accepted', from: 'carol', ...im, signal: { kind: 'accept', ...base('inv-1', 'bob'), invitee: 'carol' } },
    { type: 'im.cancelled', from: 'bob', ...im, signal: { kind: 'cancel', ...base('inv-1', 'bob'), invitees: [ME] } },
    { type: 'im.timedOut', from: 'bob', ...im, signal: { kind: 'timeout', ...base('inv-1', 'bob'), invitees: [ME] } },
    { type: 'im.hungUp', from: 'bob', ...im, signal: { kind: 'hangup', ...base('inv-5', 'bob'), invitees: [ME], callEnd: 0 } },
    // A switch request: from the peer of our live 1v1 call (the call decides), or from anyone else (refused).
    { type: 'im.switchRequested', from: 'bob', ...im, signal: { kind: 'switch', ...base('sw-1', 'bob'), invitees: [ME], roomID: 42, to: 1 } },
  ];
  const rooms: RoomSignal[] = [
    { type: 'room.entered', roomID: 42, at: T },
    { type: 'room.mediaDone', roomID: 42, at: T, commandId: 8, media: 'camera' },
    { type: 'room.mediaFailed', roomID: 42, at: T, commandId: 8, media: 'camera', error: ERROR },
  ];
  const fromCall: LineEvent[] = [
    { type: 'notice', notice: { type: 'call.roster', inviteID: 'inv-6', userIDList: ['bob'] } },
    // A glare merge happens at most once per call.
    ...(c.current && !c.current.inviteIDs.includes('inv-1') ? [{ type: 'call.merged' as const, inviteID: 'inv-1' }] : []),
  ];
  const done = doneEvents(s, { inviteID: c.current?.inviteIDs[0] ?? '', reason: 'hangup' } satisfies CallOutput);
  return [...commands, ...status, ...signals, ...rooms, ...fromCall, ...done, ...timerEvents(s)];
}

// ------------------------------------------------------------------ the suites

/**
 * Transitions that truly cannot be taken, per machine: `source --event--> target` -> why.
 * Empty: every transition with a target is taken. The test below checks that each entry names
 * a transition of the machine that is really not taken, so the list cannot go stale.
 */
const ALLOWED_UNTAKEN: Record<string, ReadonlyMap<string, string>> = {
  callMachine: new Map(),
  inviteeMachine: new Map(),
  memberMachine: new Map(),
  lineMachine: new Map(),
};

interface Subject {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly inputs: Record<string, unknown>;
  readonly events: (s: AnyMachineSnapshot) => readonly AnyEventObject[];
  readonly serializeState: (s: AnyMachineSnapshot) => string;
}

const SUBJECTS: readonly Subject[] = [
  { name: 'callMachine', machine: callMachine, inputs: CALL_INPUTS, events: callEvents, serializeState: serializeCall },
  { name: 'inviteeMachine', machine: inviteeMachine, inputs: INVITEE_INPUTS, events: inviteeEvents, serializeState: serializeInvitee },
  { name: 'memberMachine', machine: memberMachine, inputs: MEMBER_INPUTS, events: memberEvents, serializeState: serializeMember },
  { name: 'lineMachine', machine: line, inputs: { 'default config': {} }, events: lineEvents, serializeState: serializeLine },
];

const summary: string[] = [];
afterAll(() => {
  if (summary.length) console.log(`xstate/graph coverage\n${summary.join('\n')}`);
});

describe.each(SUBJECTS.map((s) => [s.name, s] as const))('%s: path coverage with xstate/graph', (name, subject) => {
  const { machine } = subject;
  const allowed = ALLOWED_UNTAKEN[name] ?? new Map<string, string>();
  let explorations: Exploration[] = [];
  let result: Coverage;

  beforeAll(() => {
    explorations = Object.entries(subject.inputs).map(([label, input]) =>
      explore(machine, { label, input, events: subject.events, serializeState: subject.serializeState, limit: LIMIT }),
    );
    result = coverage(machine, explorations, new Set(allowed.keys()));
    const states = explorations.reduce((n, x) => n + x.paths.length, 0);
    const steps = explorations.reduce((n, x) => n + x.steps, 0);
    const untaken = untakenBranches(machine, explorations);
    const branches = allTransitionDefinitions(machine).length;
    summary.push(
      `  ${name}: state nodes ${result.states.covered}/${result.states.total}, ` +
        `transitions ${result.transitions.covered}/${result.transitions.total}` +
        (allowed.size ? ` (${allowed.size} allowed uncovered)` : '') +
        `, guarded branches (targeted or not) ${branches - untaken.length}/${branches}` +
        `; ${explorations.length} input(s), ${states} abstract states, ${steps} steps`,
    );
    if (untaken.length) summary.push(`    guarded branches never taken (informational):\n      ${untaken.join('\n      ')}`);
  }, 120_000);

  it('reaches every state node', () => {
    expect(result.states.missing).toEqual([]);
    expect(result.states.total).toBe(stateNodes(machine).length);
  });

  it('takes every transition that has a target (read from the machine definition)', () => {
    expect(result.transitions.missing).toEqual([]);
  });

  it('keeps the allow-list honest: each entry exists and is really not taken', () => {
    const defined = definedTransitions(machine);
    const taken = new Set(explorations.flatMap((x) => [...x.transitionWitness.keys()]));
    for (const key of allowed.keys()) {
      expect(defined.has(key), `${key} is not a transition of ${name}`).toBe(true);
      expect(taken.has(key), `${key} is taken after all: remove it from the allow-list`).toBe(false);
    }
  });

  it('generated paths are real: replayed on an actor, they end in the same state and take the same transition', () => {
    let replayed = 0;
    for (const x of explorations) {
      const check = (what: string, events: readonly AnyEventObject[], value: unknown, state: string, mustTake?: string, mustReach?: string) => {
        const run = replay(machine, x.input, events);
        const where = `${name} [${x.label}] ${what} via ${events.map((e) => e.type).join(' -> ') || '(initial)'}`;
        expect(run.error, where).toBeUndefined();
        expect(run.value, where).toEqual(value);
        // The abstract state too: the parts of the context the guards read are the same.
        expect(subject.serializeState(run.snapshot), where).toBe(state);
        if (mustTake) expect(run.taken.has(mustTake), `${where} did not take ${mustTake}`).toBe(true);
        if (mustReach) expect(run.nodes.has(mustReach), `${where} did not reach ${mustReach}`).toBe(true);
        replayed++;
      };
      // Every path `getShortestPaths` generated (one per abstract state), ...
      for (const p of x.paths) {
        const state = subject.serializeState(p.state);
        check(`state ${state}`, p.events, p.state.value, state);
      }
      // ... the shortest one to every state node, and through every transition.
      for (const [id, w] of x.stateWitness) check(`state node ${id}`, w.events, w.value, w.state, undefined, id);
      for (const [key, w] of x.transitionWitness) check(`transition ${key}`, w.events, w.value, w.state, key);
    }
    expect(replayed).toBeGreaterThan(0);
    summary.push(`  ${name}: ${replayed} generated paths replayed on real actors`);
  });
});
