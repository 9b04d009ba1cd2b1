/**
 * The public event names and payloads: `TRTCCalling.EVENT` with the exact string values of
 * trtc-calling-js, and the payload map that types `on(name, callback)`.
 */
import type { DeviceInfo } from '../adapters/mediaDevices';
import type { NetworkQuality } from '../adapters/RoomPort';
import type { EndReason } from '../machines/types';

export const EVENT = {
  /** Invitee declined. To the inviter. */
  REJECT: 'onReject',
  /** Invitee did not answer in time. To the inviter. */
  NO_RESP: 'onNoResp',
  /** Invitee was in another call. To the inviter. */
  LINE_BUSY: 'onLineBusy',
  /** A new invitation. To the invitee. */
  INVITED: 'onInvited',
  /** The ringing invitation was withdrawn. To the invitee. */
  CALLING_CANCEL: 'onCallingCancel',
  /** The ringing invitation timed out. To the invitee. */
  CALLING_TIMEOUT: 'onCallingTimeout',
  /** A remote user's media reached the call. */
  USER_ENTER: 'onUserEnter',
  /** A remote user left the call. */
  USER_LEAVE: 'onUserLeave',
  /** The call this user dialled or accepted is over (exactly once per call). */
  CALL_END: 'onCallEnd',
  /** Same as CALL_END (trtc-calling-js has both names). */
  CALLING_END: 'onCallEnd',
  /** This user logged in elsewhere. */
  KICKED_OUT: 'onKickedOut',
  /** A remote user turned the camera on or off. */
  USER_VIDEO_AVAILABLE: 'onUserVideoAvailable',
  /** A remote user turned the microphone on or off. */
  USER_AUDIO_AVAILABLE: 'onUserAudioAvailable',
  /** An invitee accepted (the invitee's ID, unlike trtc-calling-js which reports the local user). */
  USER_ACCEPT: 'onUserAccept',
  /** Something failed: media devices, the network, or a listener threw. */
  ERROR: 'onError',
  /** Logged in and ready to call. */
  SDK_READY: 'sdkReady',
  /**
   * The call switched between audio and video, whichever side asked (beyond the seed's API:
   * TUICallEngine's `onCallTypeChanged`; trtc-calling-js 1.0.6 switches without an event).
   */
  CALL_TYPE_CHANGED: 'onCallTypeChanged',
  /** Group calls: who is in the call's room now. */
  GROUP_CALL_INVITEE_LIST_UPDATE: 'onGroupCallInviteeListUpdate',
  /**
   * Each speaker's voice volume (the local user's and each remote member's, 0-100 as TRTC's
   * `audio-volume`), about every 200 ms while in a call, and only while someone listens: the
   * backend measures from the first listener on and stops with the last.
   */
  USER_VOICE_VOLUME: 'onUserVoiceVolume',
  /**
   * Beyond the seed's API (TUICallEngine's ON_USER_NETWORK_QUALITY_CHANGED, named as issue 11 asks):
   * the network quality of the local user and of each remote member, on TRTC's scale (0 unknown,
   * 1 excellent, 2 good, 3 poor, 4 bad, 5 very bad, 6 down), every 2 s in a call while someone listens.
   */
  NETWORK_QUALITY: 'onNetworkQuality',
  /**
   * The IM connection of a logged-in user was lost (the backend is reconnecting, or gave up);
   * SDK_READY follows when it is back. The snapshot's `connection` says which. Listed in
   * trtc-calling-js's README (its 1.0.6 `EVENT` table has no such key); beyond the seed's API.
   */
  SDK_NOT_READY: 'sdkNotReady',
  /**
   * Beyond the seed's API (TUICallEngine's event, its official spelling): the cameras,
   * microphones or speakers changed (one plugged in or out), with the lists and the devices in
   * use. A device in use that went away mid-call has been replaced by then (or ERROR 60004 /
   * 60003 follows).
   */
  DEVICED_UPDATED: 'onDeviceUpdated',
} as const;

export type EventName = (typeof EVENT)[keyof typeof EVENT];

/**
 * The events that report measurements (several a second in a call): the room measures only
 * while one of them has a listener, so whoever listens to "everything" (a recorder, a log)
 * leaves these out unless it wants them.
 */
export const MEASUREMENT_EVENTS: readonly EventName[] = [EVENT.USER_VOICE_VOLUME, EVENT.NETWORK_QUALITY];

/** Every event name but the {@link MEASUREMENT_EVENTS}. */
export const NOTICE_EVENTS: readonly EventName[] = [...new Set(Object.values(EVENT))].filter((n) => !MEASUREMENT_EVENTS.includes(n));

/**
 * `TRTCCalling.CALL_TYPE`: trtc-calling-js's TypeScript enum as it is at run time, `UNKNOWN` and the
 * reverse mapping included (`CALL_TYPE[type]` names a call type), so code written for it reads the same.
 */
export const CALL_TYPE = { UNKNOWN: 0, AUDIO_CALL: 1, VIDEO_CALL: 2, 0: 'UNKNOWN', 1: 'AUDIO_CALL', 2: 'VIDEO_CALL' } as const;

export interface UserPayload {
  readonly userID: string;
}

/** The payload each event's listeners receive. */
export interface EventPayloads {
  onReject: UserPayload;
  onNoResp: {
    readonly userID: string;
    /** The spec's timed-out users: every invitee of this call told by a NO_RESP so far, this one last (not one still ringing). */
    readonly userIDList: readonly string[];
    readonly sponsor: string;
  };
  onLineBusy: { readonly userID: string; readonly sponsor: string };
  onInvited: {
    readonly sponsor: string;
    readonly userIDList: readonly string[];
    readonly isFromGroup: boolean;
    readonly inviteData: { readonly version: number; readonly callType: 1 | 2; readonly roomID: number };
    readonly inviteID: string;
  };
  onCallingCancel: { readonly inviteID: string; readonly sponsor: string };
  onCallingTimeout: { readonly inviteID: string; readonly sponsor: string; readonly userIDList: readonly string[] };
  onUserEnter: UserPayload;
  onUserLeave: UserPayload;
  onCallEnd: {
    readonly inviteID: string;
    /** The call's inviter. */
    readonly userID: string;
    /** Seconds the call was connected; 0 if it never was. */
    readonly callEnd: number;
    readonly reason: EndReason;
  };
  onKickedOut: { readonly reason: string };
  onUserVideoAvailable: { readonly userID: string; readonly isVideoAvailable: boolean };
  onUserAudioAvailable: { readonly userID: string; readonly isAudioAvailable: boolean };
  onUserAccept: UserPayload;
  /**
   * `cause`: the backend's own error, where one failed (on the embedded server a `WsPortError` with its
   * `serverCode`; on tencent an `ImPortError` or `RoomPortError` whose `cause` is the SDK's error).
   */
  onError: { readonly code: number; readonly msg: string; readonly cause?: unknown };
  /** trtc-calling-js's payload: TSignaling's SDK_READY as it hands it on, named `'ts_im_ready'` (its `data` undefined there, absent here). */
  sdkReady: { readonly name: 'ts_im_ready'; readonly data?: undefined };
  onGroupCallInviteeListUpdate: { readonly userIDList: readonly string[] };
  onCallTypeChanged: { readonly oldCallType: 1 | 2; readonly newCallType: 1 | 2 };
  /** trtc-calling-js's payload, TRTC's `audio-volume` result: one entry per speaker, the local user first. */
  onUserVoiceVolume: { readonly volumeMap: readonly { readonly userId: string; readonly audioVolume: number }[] };
  /** TUICallEngine's payload: one entry per user, the local user first. */
  onNetworkQuality: { readonly networkQualityList: readonly { readonly userId: string; readonly quality: NetworkQuality }[] };
  /** As `sdkReady`'s: TSignaling's SDK_NOT_READY event, named `'ts_im_not_ready'` (trtc-calling-js 1.0.6 hands it on to no app). */
  sdkNotReady: { readonly name: 'ts_im_not_ready' };
  /** TUICallEngine's payload: every list, and the device of each kind in use (null: none). */
  onDeviceUpdated: {
    readonly cameraList: readonly DeviceInfo[];
    readonly microphoneList: readonly DeviceInfo[];
    readonly speakerList: readonly DeviceInfo[];
    readonly currentCamera: DeviceInfo | null;
    readonly currentMicrophone: DeviceInfo | null;
    readonly currentSpeaker: DeviceInfo | null;
  };
}

/** One event as delivered: its name and payload. */
export type PublicEvent = { [K in EventName]: { readonly name: K; readonly payload: EventPayloads[K] } }[EventName];
