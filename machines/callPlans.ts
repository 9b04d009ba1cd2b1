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
  isPresent,
  pendingInvitees,
  relay,
  timeoutRequest,
} from './callModel';
import type { CommandError, ImRequest, Notice, RoomRequest } from './events';
import type { InviteeEvent } from './inviteeMachine';
import type { UserID } from './types';

export interface Effects {
  readonly patch?: Partial<CallContext>;
  readonly notices?: readonly Notice[];
  readonly im?: readonly ImRequest[];
  readonly room?: readonly RoomRequest[];
  readonly invitees?: readonly { readonly userID: UserID; readonly type: InviteeEvent['type']; readonly at: number }[];
  readonly parent?: readonly AnyEventObject[];
}

export const NONE: Effects = {};

export const inviteeId = (userID: UserID) => `invitee:${userID}`;

export const settle = (commandId: number, error?: CommandError): Notice =>
  error ? { type: 'command.settled', commandId, error } : { type: 'command.settled', commandId };

/** `-1203` is TUICallEngine's "request refused in current state". */
export const stateError = (reason: string): CommandError => ({ code: -1203, reason, kind: 'state' });

/** The slice of XState's action arguments that `applyEffects` needs. */
export interface ActionScope {
  readonly self: { getSnapshot(): { readonly children: Record<string, AnyActorRef | undefined> } };
  readonly system: { get(id: string): AnyActorRef | undefined };
  readonly enqueue: {
    assign(patch: Partial<CallContext>): void;
    sendTo(target: AnyActorRef, event: AnyEventObject): void;
  };
}

/** Enqueues the effects in a fixed order: state first, then invitees, then the world, then the line. */
export function applyEffects(a: ActionScope, fx: Effects): void {
  if (fx.patch) a.enqueue.assign(fx.patch);
  for (const { userID, type, at } of fx.invitees ?? []) {
    const child = a.self.getSnapshot().children?.[inviteeId(userID)];
    // A finished invitee has nothing more to say; sending to it would throw.
    if (child && child.getSnapshot().status === 'active') a.enqueue.sendTo(child, { type, at } satisfies InviteeEvent);
  }
  const im = a.system.get('im');
  const room = a.system.get('room');
  for (const request of fx.im ?? []) if (im) a.enqueue.sendTo(im, request);
  for (const request of fx.room ?? []) if (room) a.enqueue.sendTo(room, request);
  // The line is found by its system ID, like the bridges: a call run on its own (a pure
  // transition, a graph traversal) simply has nobody to tell.
  const line = a.system.get('line');
  if (!line) return;
  for (const event of fx.parent ?? []) a.enqueue.sendTo(line, event);
  for (const notice of fx.notices ?? []) a.enqueue.sendTo(line, relay(notice));
}

const OPEN = (s: string | undefined) => s === 'pending' || s === 'accepted';

function rosterNotice(c: CallContext, present: readonly Participant[]): Notice[] {
  return c.isGroup ? [{ type: 'call.roster', inviteID: c.inviteID, userIDList: present.map((p) => p.userID) }] : [];
}

/** A remote member's media reached the room; for a caller it also answers that invite. */
export function userEntered(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'room.userEntered' || e.userID === c.self || isPresent(c, e.userID)) return NONE;
  const u = e.userID;
  const open = OPEN(c.roster[u]);
  const present = [...c.present, { userID: u, audio: false, video: false }];
  return {
    patch: {
      present,
      connectedAt: c.connectedAt ?? e.at,
      ...(open ? { roster: { ...c.roster, [u]: 'accepted' as const } } : {}),
    },
    invitees: open ? [{ userID: u, type: 'entered', at: e.at }] : [],
    notices: [
      ...(c.roster[u] === 'pending' ? [{ type: 'call.accepted' as const, inviteID: c.inviteID, userID: u }] : []),
      { type: 'call.userEntered', inviteID: c.inviteID, userID: u },
      ...rosterNotice(c, present),
    ],
  };
}

/** A member left the room. */
export function userLeft(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'room.userLeft') return NONE;
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

/** A member started or stopped publishing audio or video. */
export function remoteMedia(c: CallContext, e: CallEvent): Effects {
  if (e.type !== 'room.audioAvailable' && e.type !== 'room.videoAvailable') return NONE;
  const media = e.type === 'room.audioAvailable' ? 'audio' : 'video';
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
  const patch: Partial<CallContext> = { roster: { ...c.roster, [u]: status } };
  const base = { inviteID: c.inviteID, userID: u };
  switch (status) {
    case 'accepted':
      return { patch, notices: [{ type: 'call.accepted', ...base }] };
    case 'rejected':
      return { patch, notices: [{ type: 'call.rejected', ...base }] };
    case 'busy':
      return { patch, notices: [{ type: 'call.busy', ...base, sponsor: c.inviter }] };
    case 'noResponse': {
      const noResponse = [...c.noResponse, u];
      return {
        patch: { ...patch, noResponse },
        // Our own timer decided: tell the invitee, whose client may never have rung.
        im: e.via === 'timer' ? [timeoutRequest(c, [u], 'invitees')] : [],
        notices: [{ type: 'call.noResponse', ...base, sponsor: c.inviter, userIDList: noResponse }],
      };
    }
    default:
      return { patch };
  }
}

/** What our hangup owes the others (see `hangupRequests`); invitees still ringing are cancelled. */
export const onHangup = (c: CallContext, e: CallEvent): Effects => ({
  im: hangupRequests(c),
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
  if (c.room !== 'in') return { patch, notices: [settle(e.id)] };
  const published =
    e.type === 'media.camera' ? { ...c.published, video: e.on } : { ...c.published, audioMuted: e.muted };
  const request: RoomRequest =
    e.type === 'media.camera'
      ? { type: 'room.setCamera', roomID: c.roomID, commandId: e.id, on: e.on }
      : { type: 'room.setMic', roomID: c.roomID, commandId: e.id, muted: e.muted };
  return { patch: { ...patch, published }, room: [request] };
}

/** The room applied (or failed to apply) a camera or microphone change. */
export function mediaResult(c: CallContext, e: CallEvent): Effects {
  if (e.type === 'room.mediaDone') return e.commandId >= 0 ? { notices: [settle(e.commandId)] } : NONE;
  if (e.type !== 'room.mediaFailed') return NONE;
  const { code, message } = e.error;
  return {
    patch: e.media === 'camera' ? { camera: false, published: { ...c.published, video: false } } : {},
    notices: [
      { type: 'error', code, message },
      ...(e.commandId >= 0 ? [settle(e.commandId, { code, reason: message, kind: 'port' as const })] : []),
    ],
  };
}
