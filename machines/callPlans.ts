/**
 * What the call machine's actions do, as pure functions from (context, event) to
 * {@link Effects}: a context patch, notices for the user, requests for the `im` and `room`
 * actors, and events for invitee actors. `applyEffects` turns them into XState actions.
 * Keeping the decisions pure keeps them testable without an actor.
 */
import type { AnyActorRef, AnyEventObject } from 'xstate';
import {
  type CallContext,
  type CallEvent,
  type Participant,
  hangupRequests,
  inviteIdOf,
  isPresent,
  noAnswerNotices,
  pendingInvitees,
  relay,
} from './callModel';
import { type CommandError, CORE_FAULT, type ImRequest, MissingActorError, type Notice, type RoomRequest } from './events';
import type { InviteeEvent } from './inviteeMachine';
import { noteDeclined } from './lineModel';
import { overrulable, overruled } from './callDeclinedAccept';
import { type MemberEvent, type MemberInput, memberId } from './memberMachine';
import type { PortError, UserID } from './types';

/** A room fact for the member actor of `userID`; `spawn`: start one for it when it has none (or a finished one). */
export interface ToMember {
  readonly userID: UserID;
  readonly event: MemberEvent;
  readonly spawn: 'never' | 'ifAbsent' | 'ifNotActive';
}

export interface Effects {
  readonly patch?: Partial<CallContext>;
  readonly notices?: readonly Notice[];
  readonly im?: readonly ImRequest[];
  readonly room?: readonly RoomRequest[];
  readonly invitees?: readonly { readonly userID: UserID; readonly type: InviteeEvent['type']; readonly at: number }[];
  readonly members?: readonly ToMember[];
  /** An event for every live member actor except those listed (who the room says is there). */
  readonly membersBut?: { readonly keep: readonly UserID[]; readonly event: MemberEvent };
  readonly parent?: readonly AnyEventObject[];
}

export const NONE: Effects = {};

export const inviteeId = (userID: UserID) => `invitee:${userID}`;

export const settle = (commandId: number, error?: CommandError): Notice =>
  error ? { type: 'command.settled', commandId, error } : { type: 'command.settled', commandId };

/** Settles a command that had nothing to do (see the notice's `nothing`). */
export const settleNothing = (commandId: number): Notice => ({ type: 'command.settled', commandId, nothing: true });

/** `-1203` is TUICallEngine's "request refused in current state". */
export const stateError = (reason: string): CommandError => ({ code: -1203, reason, kind: 'state' });

/** A port's failure as a command's refusal: its code, its message, and what the port rejected with as the cause. */
export const portRefusal = ({ code, message, cause }: PortError): CommandError => ({ code, reason: message, kind: 'port', cause });

/** A port's failure as the user's `ERROR`, its cause with it. */
export const errorNotice = ({ code, message, cause }: PortError): Notice => ({ type: 'error', code, message, cause });

/** The slice of XState's action arguments that `applyEffects` needs. */
export interface ActionScope {
  readonly context: Pick<CallContext, 'inviteID' | 'leaveGraceMs' | 'missingMemberMs' | 'cameraAsks'>;
  readonly self: { getSnapshot(): { readonly children: Record<string, AnyActorRef | undefined> } };
  readonly system: { get(id: string): AnyActorRef | undefined };
  readonly enqueue: {
    assign(patch: Partial<CallContext>): void;
    sendTo(target: AnyActorRef | string, event: AnyEventObject): void;
    spawnChild(src: 'member', options: { id: string; input: MemberInput }): void;
    stopChild(id: string): void;
  };
}

/** Running, and not `gone`: a member's terminal state (not final, see memberMachine), after which a fresh actor follows a return. */
const live = (ref: AnyActorRef | undefined): ref is AnyActorRef => ref?.getSnapshot().status === 'active' && ref.getSnapshot().value !== 'gone';

/**
 * Enqueues the effects in a fixed order: state first, then invitees and members, then the
 * world, then the line. Nothing is dropped in silence: a request, invitee event or notice with
 * no actor to go to is a core fault, reported to the line as an `error` notice (code
 * {@link CORE_FAULT}); with no line either (a call run on its own) it throws.
 */
export function applyEffects(a: ActionScope, fx: Effects): void {
  const faults: string[] = [];
  if (fx.patch) a.enqueue.assign(fx.patch);
  // Read only when needed: the snapshot cannot be read while the actor starts (entry actions).
  const children = fx.invitees?.length || fx.members?.length || fx.membersBut ? (a.self.getSnapshot().children ?? {}) : {};
  for (const { userID, type, at } of fx.invitees ?? []) {
    const child = children[inviteeId(userID)];
    // A finished invitee has decided already; only one never spawned is a fault.
    if (live(child)) a.enqueue.sendTo(child, { type, at } satisfies InviteeEvent);
    else if (!child) faults.push(`${type} for invitee ${userID}, who has no actor`);
  }
  for (const { userID, event, spawn } of fx.members ?? []) {
    const id = memberId(userID);
    const child = children[id];
    if (live(child)) a.enqueue.sendTo(child, event);
    else if (spawn === 'ifNotActive' || (spawn === 'ifAbsent' && !child)) {
      if (child) a.enqueue.stopChild(id);
      a.enqueue.spawnChild('member', { id, input: { userID, leaveGraceMs: a.context.leaveGraceMs, missingMemberMs: a.context.missingMemberMs } });
      a.enqueue.sendTo(id, event);
    }
  }
  if (fx.membersBut) {
    const keep = new Set(fx.membersBut.keep.map(memberId));
    for (const [id, child] of Object.entries(children))
      if (id.startsWith('member:') && !keep.has(id) && live(child)) a.enqueue.sendTo(child, fx.membersBut.event);
  }
  const im = a.system.get('im');
  const room = a.system.get('room');
  for (const request of fx.im ?? []) {
    if (im) a.enqueue.sendTo(im, request);
    else faults.push(`${request.type}${'signal' in request ? ` (${request.signal.kind})` : ''} with no im actor`);
  }
  let cameraAsks = 0;
  for (const request of fx.room ?? []) {
    if (!room) faults.push(`${request.type} with no room actor`);
    else {
      a.enqueue.sendTo(room, request);
      if (request.type === 'room.setCamera') cameraAsks++;
    }
  }
  if (cameraAsks > 0) a.enqueue.assign({ cameraAsks: a.context.cameraAsks + cameraAsks });
  const line = a.system.get('line');
  const toLine = [...(fx.parent ?? []), ...(fx.notices ?? []).map(relay)];
  if (!line) {
    if (toLine.length > 0) faults.push(`${toLine.length} event(s) for the line, which is not there`);
    if (faults.length > 0) throw new MissingActorError(`call ${a.context.inviteID}: ${faults.join('; ')}`);
    return;
  }
  for (const event of toLine) a.enqueue.sendTo(line, event);
  for (const fault of faults)
    a.enqueue.sendTo(line, relay({ type: 'error', code: CORE_FAULT, message: `core fault: call ${a.context.inviteID}: ${fault}` }));
}

const OPEN = (s: string | undefined) => s === 'pending' || s === 'accepted';

function rosterNotice(c: CallContext, present: readonly Participant[]): Notice[] {
  return c.isGroup ? [{ type: 'call.roster', inviteID: c.inviteID, userIDList: present.map((p) => p.userID) }] : [];
}

/** Which room facts go to a member actor, and whether a fact may start one. */
const FACT: Record<string, { readonly type: MemberEvent['type']; readonly spawn: ToMember['spawn'] }> = {
  'room.memberJoined': { type: 'joined', spawn: 'ifNotActive' },
  'room.mediaArrived': { type: 'mediaArrived', spawn: 'ifNotActive' },
  'room.connectionLost': { type: 'connectionLost', spawn: 'never' },
  'room.connectionBack': { type: 'connectionBack', spawn: 'never' },
  // A member we never heard of may leave: a caller's answered invitee whose arrival we missed.
  'room.memberLeft': { type: 'left', spawn: 'ifAbsent' },
  'room.audioAvailable': { type: 'audio', spawn: 'ifAbsent' },
  'room.videoAvailable': { type: 'video', spawn: 'ifAbsent' },
};

/** A room fact about another member: its member actor decides what it means. */
export function memberFact(c: CallContext, e: CallEvent): Effects {
  if (!('userID' in e) || !('roomID' in e) || e.userID === c.self) return NONE;
  const fact = FACT[e.type];
  if (!fact) return NONE;
  const event: MemberEvent =
    (e.type === 'room.audioAvailable' || e.type === 'room.videoAvailable')
      ? { type: fact.type as 'audio' | 'video', available: e.available, at: e.at }
      : { type: fact.type as Exclude<MemberEvent['type'], 'audio' | 'video'>, at: e.at };
  return { members: [{ userID: e.userID, event, spawn: fact.spawn }] };
}

/** Our connection came back: members the room no longer lists left (resumed) or are missing. */
export function roomReconnected(_: CallContext, e: CallEvent): Effects {
  if (e.type !== 'room.reconnected') return NONE;
  return { membersBut: { keep: e.members, event: { type: e.resumed ? 'left' : 'missing', at: e.at } } };
}

/** A member counts as in the call (its media arrived); for a caller it also answers that invite. */
export function memberEntered(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'member.entered' || e.userID === c.self || isPresent(c, e.userID)) return NONE;
  const u = e.userID;
  // Another device of one who declined came in: it accepted after all, the call goes on with it (`callDeclinedAccept`).
  const back = overrulable(c, u);
  const open = OPEN(c.roster[u]) || back;
  const present = [...c.present, { userID: u, audio: e.audio, video: e.video }];
  return {
    patch: {
      present,
      connectedAt: c.connectedAt ?? e.at,
      ...(open ? { roster: { ...c.roster, [u]: 'accepted' as const } } : {}),
      ...(back ? overruled(c, u) : {}),
    },
    invitees: open ? [...(back ? [{ userID: u, type: 'overrule' as const, at: e.at }] : []), { userID: u, type: 'entered', at: e.at }] : [],
    notices: [
      ...(c.roster[u] === 'pending' || back ? [{ type: 'call.accepted' as const, inviteID: c.inviteID, userID: u }] : []),
      { type: 'call.userEntered', inviteID: c.inviteID, userID: u },
      ...rosterNotice(c, present),
      // What it publishes is news once it is in the call; never `false` on arrival.
      ...(e.audio ? [{ type: 'call.remoteAudio' as const, inviteID: c.inviteID, userID: u, available: true }] : []),
      ...(e.video ? [{ type: 'call.remoteVideo' as const, inviteID: c.inviteID, userID: u, available: true }] : []),
    ],
  };
}

/** A member is out of the call (it left, or it was lost). */
export function memberLeft(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'member.left') return NONE;
  const u = e.userID;
  const wasIn = c.roster[u] === 'accepted' || c.roster[u] === 'joined';
  const roster = wasIn ? { ...c.roster, [u]: 'left' as const } : c.roster;
  const invitees = wasIn ? [{ userID: u, type: 'left' as const, at: e.at }] : [];
  if (!isPresent(c, u)) return { patch: { roster }, invitees };
  const present = c.present.filter((p) => p.userID !== u);
  return {
    patch: { roster, present },
    invitees,
    notices: [{ type: 'call.userLeft', inviteID: c.inviteID, userID: u }, ...rosterNotice(c, present)],
  };
}

/** A member in the call started or stopped publishing audio or video. */
export function memberMedia(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'member.media') return NONE;
  const { media } = e;
  const current = c.present.find((p) => p.userID === e.userID);
  if (!current || current[media] === e.available) return NONE;
  return {
    patch: { present: c.present.map((p) => (p.userID === e.userID ? { ...p, [media]: e.available } : p)) },
    notices: [
      {
        type: media === 'audio' ? 'call.remoteAudio' : 'call.remoteVideo',
        inviteID: c.inviteID,
        userID: e.userID,
        available: e.available,
      },
    ],
  };
}

/** An invitee actor reports a new status: mirror it and tell the user what it means. */
export function inviteeChanged(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'invitee.changed') return NONE;
  const { userID: u, status } = e;
  if (c.roster[u] === undefined || c.roster[u] === status) return NONE;
  const roster = { ...c.roster, [u]: status };
  // Its own answer (not our timer's, nor an invite never sent): a late accept of its other device is told (`LateAccepts.declined`).
  const declined = { roster, late: noteDeclined(c.late, u, inviteIdOf(c, u)) };
  const base = { inviteID: c.inviteID, userID: u };
  switch (status) {
    case 'accepted':
      return { patch: { roster }, notices: [{ type: 'call.accepted', ...base }] };
    case 'rejected':
      return { patch: declined, notices: [{ type: 'call.rejected', ...base }] };
    case 'busy':
      return { patch: declined, notices: [{ type: 'call.busy', ...base, sponsor: c.inviter }] };
    case 'noResponse': {
      const noResponse = [...c.noResponse, u];
      return {
        // One never reached stays so (the reason when nobody was: see `declineReason`).
        patch: c.roster[u] === 'unreached' ? { noResponse } : { ...(e.via === 'peer' ? declined : { roster }), noResponse },
        // Our own timer decided: tell the invitee, whose client may never have rung.
        im: e.via === 'timer' ? noAnswerNotices(c, u) : [],
        notices: [{ type: 'call.noResponse', ...base, sponsor: c.inviter, userIDList: noResponse }],
      };
    }
    default:
      return { patch: { roster } };
  }
}

/** What our hangup owes the others (see `hangupRequests`); invitees still ringing are cancelled. */
export const onHangup = (c: CallContext, e: CallEvent): Effects => ({
  im: hangupRequests(c, (e.type === 'call.hangup' || e.type === 'call.terminate') && c.room === 'in'),
  invitees: pendingInvitees(c).map((userID) => ({ userID, type: 'cancel' as const, at: 'at' in e ? e.at : c.startedAt })),
});

/** Once in the room, publish what the user chose while we were entering. */
export function syncPublished(c: CallContext): Effects {
  const room: RoomRequest[] = [];
  if (c.camera !== c.published.video)
    room.push({ type: 'room.setCamera', roomID: c.roomID, commandId: -1, on: c.camera });
  if (c.micMuted !== c.published.audioMuted)
    room.push({ type: 'room.setMic', roomID: c.roomID, commandId: -1, muted: c.micMuted });
  return { patch: { room: 'in', published: { video: c.camera, audioMuted: c.micMuted } }, room };
}

/** openCamera / closeCamera / setMicMute: applied now when in the room, else on entering. */
export function setMedia(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'media.camera' && e.type !== 'media.mic') return NONE;
  if (e.type === 'media.camera' && e.on && c.callType === 1)
    return { notices: [settle(e.id, stateError('an audio call has no camera'))] };
  const patch: Partial<CallContext> =
    e.type === 'media.camera' ? { camera: e.on } : { micMuted: e.muted };
  if (c.room === 'entering') {
    // Published once in the room (syncPublished), but a capture landing meanwhile lands so now.
    const next = { ...c, ...patch };
    const preset: RoomRequest = { type: 'room.preset', roomID: c.roomID, video: next.camera, audioMuted: next.micMuted };
    return { patch, notices: [settle(e.id)], room: [preset] };
  }
  if (c.room !== 'in') return { patch, notices: [settle(e.id)] };
  const published =
    e.type === 'media.camera' ? { ...c.published, video: e.on } : { ...c.published, audioMuted: e.muted };
  const request: RoomRequest =
    e.type === 'media.camera'
      ? { type: 'room.setCamera', roomID: c.roomID, commandId: e.id, on: e.on }
      : { type: 'room.setMic', roomID: c.roomID, commandId: e.id, muted: e.muted };
  return { patch: { ...patch, published }, room: [request] };
}

/**
 * The room applied (or failed to apply) a camera or microphone change. A failed camera change
 * leaves the camera off, unless another change waits behind it: the room answers in order, and
 * the last answer says what the camera is.
 */
export function mediaResult(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'room.mediaDone' && e.type !== 'room.mediaFailed') return NONE;
  const camera = e.media === 'camera';
  const cameraAsks = Math.max(0, c.cameraAsks - 1);
  if (e.type === 'room.mediaDone') {
    const notices = e.commandId >= 0 ? [settle(e.commandId)] : [];
    return camera ? { patch: { cameraAsks }, notices } : notices.length > 0 ? { notices } : NONE;
  }
  return {
    patch: !camera ? {} : cameraAsks > 0 ? { cameraAsks } : { cameraAsks, camera: false, published: { ...c.published, video: false } },
    notices: [errorNotice(e.error), ...(e.commandId >= 0 ? [settle(e.commandId, portRefusal(e.error))] : [])],
  };
}
