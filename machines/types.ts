/**
 * Domain types shared by the machines, the adapters and the facade.
 *
 * Nothing here knows about a transport: a {@link WireSignal} is what a TSignaling
 * envelope *means*, not how it is encoded (that is `adapters/signalingCodec.ts`).
 */

/** 1 = audio call, 2 = video call (the spec's `type` / `callType`). */
export type CallType = 1 | 2;

/** A user ID as the spec allows it: `[A-Za-z0-9_-]`, non-empty. */
export type UserID = string;

/**
 * Why a call ended: the closed union carried by the call machine's final `output`.
 * - `hangup`: someone hung up after the call was answered (or the last peer left)
 * - `rejected` / `busy` / `noResponse`: every invitee declined, was busy or did not answer
 * - `cancelled`: the caller withdrew before the call was answered
 * - `timeout`: a ringing invite ran out of time (callee side)
 * - `kickedOut`: this user logged in elsewhere
 * - `answeredElsewhere`: another device of this user answered the invite (many devices), or the
 *   invite was taken over by another call (glare merge)
 * - `error`: signaling or media failed
 */
export type EndReason =
  | 'hangup'
  | 'rejected'
  | 'busy'
  | 'noResponse'
  | 'cancelled'
  | 'timeout'
  | 'kickedOut'
  | 'answeredElsewhere'
  | 'error';

/** Where an outgoing signal goes: some users one by one (C2C), or one IM group. */
export type Recipient = { readonly users: readonly UserID[] } | { readonly groupID: string };

export interface SignalBase {
  /** The invite this signal belongs to (accept, reject, cancel, timeout reuse the invite's ID). */
  readonly inviteID: string;
  /** The original inviter, whoever sends the signal. */
  readonly inviter: UserID;
  /** IM group ID for group invitations, `''` for C2C. */
  readonly groupID: string;
  /** The call type the signal carries (0 when a foreign client left it out). */
  readonly callType: CallType | 0;
}

/** A new invitation (TSignaling actionType 1). */
export interface InviteSignal extends SignalBase {
  readonly kind: 'invite';
  readonly invitees: readonly UserID[];
  /** TRTC numeric room ID chosen by the caller. */
  readonly roomID: number;
  /** Seconds; 0 = never times out. */
  readonly timeout: number;
  readonly onlineUserOnly: boolean;
  /** Group call: an IM group, several invitees or a `userIDs` list of two or more. */
  readonly isGroup: boolean;
  /** TUICallEngine marks answered 1v1 invites `consumed` so a replay does not ring again. */
  readonly consumed: boolean;
  /**
   * The envelope's `data` string exactly as received (set by the codec, opaque to the machines):
   * a timeout notice about this invite echoes it byte for byte, as TSignaling does.
   */
  readonly rawData?: string;
}

/** The invitee accepted (actionType 3). */
export interface AcceptSignal extends SignalBase {
  readonly kind: 'accept';
  readonly invitee: UserID;
  /**
   * Set when this accepts a media-switch request (spec 2.2 "Switch auto-accept"): the call type
   * the call switches to. `callType` is then the old type, as TRTCCalling sends it.
   */
  readonly switchTo?: CallType;
}

/** The invitee declined (actionType 4); `busy` when it was an automatic busy reply. */
export interface RejectSignal extends SignalBase {
  readonly kind: 'reject';
  readonly invitee: UserID;
  readonly busy: boolean;
}

/** The inviter withdrew the invitation (actionType 2). */
export interface CancelSignal extends SignalBase {
  readonly kind: 'cancel';
  /** Invitees that had not answered yet. */
  readonly invitees: readonly UserID[];
}

/** A no-answer notice (actionType 5), sent by whichever side's timer fired. */
export interface TimeoutSignal extends SignalBase {
  readonly kind: 'timeout';
  /** The users who did not answer. */
  readonly invitees: readonly UserID[];
  /**
   * The invite's TRTC room, when known. TSignaling repeats the invite's data in its notice, and
   * its receivers ignore a group timeout notice without `room_id` (spec 1.5).
   */
  readonly roomID?: number;
  /** The `data` string to send verbatim: the invite's, as received (TSignaling echoes it, spec 1.6). */
  readonly rawData?: string;
  /** Without `rawData`: the invite this notice is about (our own), whose data it repeats. */
  readonly invite?: InviteSignal;
}

/**
 * The "last one out" hangup notice: TRTCCalling sends it as an INVITE whose data has
 * `cmd: "hangup"` and `call_end` (the call's duration in seconds).
 */
export interface HangupSignal extends SignalBase {
  readonly kind: 'hangup';
  /** Who sent it (TRTCCalling puts the sender in `inviter` for a hangup invite). */
  readonly invitees: readonly UserID[];
  readonly callEnd: number;
}

/** A 1v1 request to switch the call's media type (spec 2.6); `callType` is the current (old) type, `to` the new one. */
export interface SwitchSignal extends SignalBase {
  readonly kind: 'switch';
  readonly invitees: readonly UserID[];
  readonly roomID: number;
  readonly to: CallType;
}

/** What one TSignaling message means. */
export type WireSignal =
  | InviteSignal
  | AcceptSignal
  | RejectSignal
  | CancelSignal
  | TimeoutSignal
  | HangupSignal
  | SwitchSignal;

export type WireSignalKind = WireSignal['kind'];

/** Why the codec refused a payload. Never thrown: returned. */
export type DecodeErrorReason =
  | 'notJson'
  | 'tooLarge'
  | 'notSignaling'
  | 'malformed'
  | 'unknownAction'
  | 'notCallSignal'
  | 'senderMismatch';

export type DecodeResult =
  | { readonly ok: true; readonly signal: WireSignal }
  | { readonly ok: false; readonly reason: DecodeErrorReason; readonly detail: string };

/** An error as reported by a port, carrying the spec's numeric code where one applies. */
export interface PortError {
  readonly code: number;
  readonly message: string;
  /**
   * What the port rejected with (or reported), untouched (the embedded client's `WsPortError` with its
   * `serverCode`, an `ImPortError` whose own `cause` is the SDK's error): the public error's `cause`.
   * The bridges make every `PortError` a machine gets (`toPortError`), so this is never a port error's
   * own `Error.cause`. Opaque to the machines: they pass it on and never read it, nor keep it in a context.
   */
  readonly cause?: unknown;
}
