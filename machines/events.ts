/**
 * The event vocabularies of the core (see shared/design/architecture.md):
 *
 * 1. Commands (facade -> machine): what the user asked for. Each carries an `id`, answered
 *    by exactly one `command.settled` notice, and `at`, the facade clock's time in ms.
 * 2. Signals (adapters -> machine): facts from the IM and the media room, stamped with `at`.
 * 3. Requests (machine -> adapters): sent to the actors registered as `im` and `room`.
 * 4. Notices (machine -> facade): emitted by the line machine; the projection in
 *    `src/projection.ts` turns them into the public TRTCCalling events.
 */
import type {
  AcceptSignal,
  CallType,
  CancelSignal,
  EndReason,
  HangupSignal,
  InviteSignal,
  PortError,
  Recipient,
  RejectSignal,
  SwitchSignal,
  TimeoutSignal,
  UserID,
  WireSignal,
} from './types';

export interface Stamped {
  /** Milliseconds on the injected clock when the command or signal was made. */
  readonly at: number;
}

// ---------------------------------------------------------------- 1. commands

export interface CommandBase extends Stamped {
  readonly id: number;
}

export type Command =
  | (CommandBase & { readonly type: 'line.login'; readonly userID: UserID; readonly userSig: string })
  | (CommandBase & { readonly type: 'line.logout' })
  | (CommandBase & {
      readonly type: 'call.dial';
      readonly userID: UserID;
      readonly inviteID: string;
      readonly roomID: number;
      readonly callType: CallType;
      readonly timeout: number;
    })
  | (CommandBase & {
      readonly type: 'call.groupDial';
      readonly userIDs: readonly UserID[];
      readonly inviteID: string;
      /**
       * Without an IM group: one inviteID per entry of `userIDs` (each invitee gets its own
       * invite, as from Tencent's client). Absent or of another length: `inviteID` for all.
       */
      readonly inviteIDs?: readonly string[];
      readonly roomID: number;
      readonly callType: CallType;
      readonly groupID: string;
      readonly timeout: number;
    })
  /** `expected`: the invitation that rang when the app asked without naming one (gone by now: nothing to do). */
  | (CommandBase & { readonly type: 'call.accept'; readonly inviteID?: string | undefined; readonly expected?: string | undefined })
  | (CommandBase & {
      readonly type: 'call.reject';
      readonly inviteID?: string | undefined;
      readonly busy: boolean;
    })
  | (CommandBase & { readonly type: 'call.hangup' })
  /**
   * More invitees for the group call in progress (groupCall() during it, inviteUser()): each gets
   * its own C2C invite, `inviteIDs[i]` for `userIDs[i]`.
   */
  | (CommandBase & { readonly type: 'call.invite'; readonly userIDs: readonly UserID[]; readonly inviteIDs: readonly string[] })
  /** joinInGroupCall(): enter a group call in progress without an invitation; `inviteID` names the call locally. */
  | (CommandBase & {
      readonly type: 'call.join';
      readonly groupID: string;
      readonly roomID: number;
      readonly callType: CallType;
      readonly inviteID: string;
    })
  /** switchToAudioCall() (`to` 1) / switchToVideoCall() (`to` 2); `inviteID` names the request on the wire. */
  | (CommandBase & { readonly type: 'call.switch'; readonly to: CallType; readonly inviteID: string })
  | (CommandBase & { readonly type: 'media.camera'; readonly on: boolean })
  | (CommandBase & { readonly type: 'media.mic'; readonly muted: boolean });

export type CommandType = Command['type'];

// ---------------------------------------------------------------- 2. signals

export interface ImSignalBase extends Stamped {
  /** The transport's sender (authenticated by the IM, never taken from the payload). */
  readonly from: UserID;
  /** How long the message was in transit or in the offline store, in ms. */
  readonly age: number;
}

export type ImSignal =
  | (ImSignalBase & { readonly type: 'im.invited'; readonly signal: InviteSignal })
  | (ImSignalBase & { readonly type: 'im.accepted'; readonly signal: AcceptSignal })
  | (ImSignalBase & { readonly type: 'im.rejected'; readonly signal: RejectSignal })
  | (ImSignalBase & { readonly type: 'im.cancelled'; readonly signal: CancelSignal })
  | (ImSignalBase & { readonly type: 'im.timedOut'; readonly signal: TimeoutSignal })
  | (ImSignalBase & { readonly type: 'im.hungUp'; readonly signal: HangupSignal })
  | (ImSignalBase & { readonly type: 'im.switchRequested'; readonly signal: SwitchSignal });

/** The machine event type for each kind of wire signal. */
export const SIGNAL_EVENT = {
  invite: 'im.invited',
  accept: 'im.accepted',
  reject: 'im.rejected',
  cancel: 'im.cancelled',
  timeout: 'im.timedOut',
  hangup: 'im.hungUp',
  switch: 'im.switchRequested',
} as const satisfies Record<WireSignal['kind'], ImSignal['type']>;

export type ImStatusSignal =
  | (Stamped & { readonly type: 'im.loggedIn' })
  | (Stamped & { readonly type: 'im.loginFailed'; readonly error: PortError })
  | (Stamped & { readonly type: 'im.loggedOut' })
  | (Stamped & { readonly type: 'im.kickedOut'; readonly reason: string })
  /** The IM connection changed: up, being re-established, or down (the port's view). */
  | (Stamped & { readonly type: 'im.connection'; readonly state: 'connected' | 'connecting' | 'disconnected' })
  | (Stamped & {
      readonly type: 'im.sendFailed';
      readonly inviteID: string;
      readonly kind: WireSignal['kind'];
      readonly error: PortError;
    });

export interface RoomSignalBase extends Stamped {
  readonly roomID: number;
}

/**
 * Facts about another member of the room. The room reports them; the call decides what they
 * mean for the user (see `memberMachine`): `memberJoined` it is in the room; `mediaArrived` its
 * media reached us (it counts as in the call: USER_ENTER); `connectionLost` / `connectionBack`
 * our media connection to it went down / came back; `memberLeft` it left the room.
 */
export type MemberFact = 'room.memberJoined' | 'room.mediaArrived' | 'room.connectionLost' | 'room.connectionBack' | 'room.memberLeft';

export type RoomSignal =
  | (RoomSignalBase & { readonly type: 'room.entered' })
  | (RoomSignalBase & { readonly type: 'room.enterFailed'; readonly error: PortError })
  | (RoomSignalBase & { readonly type: 'room.exited' })
  | (RoomSignalBase & { readonly type: MemberFact; readonly userID: UserID })
  /**
   * Our connection came back: who is in the room now. `resumed`: the server kept our place, so
   * whoever is not listed left meanwhile; otherwise we entered the room anew and the others
   * may still be on their way back.
   */
  | (RoomSignalBase & { readonly type: 'room.reconnected'; readonly members: readonly UserID[]; readonly resumed: boolean })
  | (RoomSignalBase & {
      readonly type: 'room.audioAvailable';
      readonly userID: UserID;
      readonly available: boolean;
    })
  | (RoomSignalBase & {
      readonly type: 'room.videoAvailable';
      readonly userID: UserID;
      readonly available: boolean;
    })
  | (RoomSignalBase & { readonly type: 'room.failed'; readonly error: PortError })
  | (RoomSignalBase & {
      readonly type: 'room.mediaDone';
      readonly commandId: number;
      readonly media: 'camera' | 'mic';
    })
  | (RoomSignalBase & {
      readonly type: 'room.mediaFailed';
      readonly commandId: number;
      readonly media: 'camera' | 'mic';
      readonly error: PortError;
    });

export type Signal = ImSignal | ImStatusSignal | RoomSignal;

// ---------------------------------------------------------------- 3. requests

export type ImRequest =
  | { readonly type: 'im.login'; readonly userID: UserID; readonly userSig: string }
  | { readonly type: 'im.logout' }
  | {
      readonly type: 'im.send';
      readonly to: Recipient;
      readonly signal: WireSignal;
      readonly onlineUserOnly: boolean;
    };

export type RoomRequest =
  | {
      readonly type: 'room.enter';
      readonly roomID: number;
      readonly userID: UserID;
      readonly video: boolean;
      readonly audioMuted: boolean;
      /**
       * A 1v1 call's inviter and invitee: the only users to exchange media with. Absent for a
       * group call, whose members may grow (invited into it, or joining it): the server's room
       * grants decide who may enter.
       */
      readonly participants?: readonly UserID[];
      /** The IM group a group call goes through (its invitations went to the group). */
      readonly groupID?: string;
      /** Entering without an invitation (joinInGroupCall): admitted as a member of `groupID`. */
      readonly joining?: boolean;
    }
  | { readonly type: 'room.exit'; readonly roomID: number }
  /** An invitation to this room ended before we answered it: what the room kept for it may go (see `RoomPort.forgetInvitation`). */
  | { readonly type: 'room.forget'; readonly roomID: number }
  | {
      readonly type: 'room.setCamera';
      readonly roomID: number;
      readonly commandId: number;
      readonly on: boolean;
    }
  | {
      readonly type: 'room.setMic';
      readonly roomID: number;
      readonly commandId: number;
      readonly muted: boolean;
    }
  /**
   * While the room is entered: what the user wants published now, for a capture still landing
   * (`RoomPort.preset`); `room.setCamera` / `room.setMic` still follow once in the room.
   */
  | { readonly type: 'room.preset'; readonly roomID: number; readonly video: boolean; readonly audioMuted: boolean };

// ---------------------------------------------------------------- 4. notices

/** Why a command was refused. `code` is the spec's error code where one applies. */
export interface CommandError {
  readonly code: number;
  readonly reason: string;
  /** `state` = the command is not allowed now; `port` = the backend failed it; `refused` = the other party declined it. */
  readonly kind: 'state' | 'port' | 'refused';
  /** `port`: the backend's error ({@link PortError.cause}), the public error's `cause`. */
  readonly cause?: unknown;
}

export type Notice =
  /** `nothing`: settled with nothing to do (accept() or reject() with no invitation ringing). */
  | { readonly type: 'command.settled'; readonly commandId: number; readonly error?: CommandError; readonly nothing?: true }
  | { readonly type: 'line.ready' }
  /** The IM connection of a logged-in line was lost (SDK_NOT_READY); `line.ready` follows when it is back. */
  | { readonly type: 'line.notReady' }
  | { readonly type: 'line.kickedOut'; readonly reason: string }
  | {
      readonly type: 'call.invited';
      readonly inviteID: string;
      readonly sponsor: UserID;
      readonly userIDList: readonly UserID[];
      readonly isFromGroup: boolean;
      readonly callType: CallType;
      readonly roomID: number;
    }
  | { readonly type: 'call.accepted'; readonly inviteID: string; readonly userID: UserID }
  | { readonly type: 'call.rejected'; readonly inviteID: string; readonly userID: UserID }
  | {
      readonly type: 'call.busy';
      readonly inviteID: string;
      readonly sponsor: UserID;
      readonly userID: UserID;
    }
  | {
      readonly type: 'call.noResponse';
      readonly inviteID: string;
      readonly sponsor: UserID;
      readonly userID: UserID;
      readonly userIDList: readonly UserID[];
    }
  | { readonly type: 'call.cancelled'; readonly inviteID: string; readonly sponsor: UserID }
  | {
      readonly type: 'call.timedOut';
      readonly inviteID: string;
      readonly sponsor: UserID;
      readonly userIDList: readonly UserID[];
    }
  | { readonly type: 'call.userEntered'; readonly inviteID: string; readonly userID: UserID }
  | { readonly type: 'call.userLeft'; readonly inviteID: string; readonly userID: UserID }
  | {
      readonly type: 'call.remoteVideo';
      readonly inviteID: string;
      readonly userID: UserID;
      readonly available: boolean;
    }
  | {
      readonly type: 'call.remoteAudio';
      readonly inviteID: string;
      readonly userID: UserID;
      readonly available: boolean;
    }
  /** The call switched between audio and video (either side asked; CALL_TYPE_CHANGED). */
  | {
      readonly type: 'call.typeChanged';
      readonly inviteID: string;
      readonly oldCallType: CallType;
      readonly newCallType: CallType;
    }
  | {
      readonly type: 'call.roster';
      readonly inviteID: string;
      readonly userIDList: readonly UserID[];
    }
  | {
      readonly type: 'call.ended';
      readonly inviteID: string;
      readonly sponsor: UserID;
      readonly reason: EndReason;
      /** Seconds the call was connected (0 if it never was). */
      readonly callEnd: number;
    }
  /** `cause`: the backend's error when a port failed ({@link PortError.cause}); ERROR's `cause`. */
  | { readonly type: 'error'; readonly code: number; readonly message: string; readonly cause?: unknown };

/**
 * The `error` notice code of a core fault: a request, report or notice that had no actor to go
 * to (no `im` or `room` bridge, no invitee actor, no line). Never silent: the user gets ERROR
 * with this code, and a call run without a line throws {@link MissingActorError}.
 */
export const CORE_FAULT = -1300;

/**
 * Many devices: a room refused our entry because another device of our user is in it (it
 * answered the same invitation first). The call ends `answeredElsewhere`, declining nothing.
 */
export const OTHER_DEVICE_IN_ROOM = -1402;

/** Thrown by a call that has something to deliver and nobody to deliver it to (see {@link CORE_FAULT}). */
export class MissingActorError extends Error {
  override readonly name = 'MissingActorError';
}

export type NoticeType = Notice['type'];
