/**
 * The media side of a backend: one room at a time per user, identified by the TRTC numeric
 * room ID the caller chose. Implementations: the memory room (tests), WebRTC mesh, TRTC.
 */
import type { PortError, UserID } from '../machines/types';
import type { Unsubscribe } from './ImPort';
import type { RoomDevices } from './mediaDevices';

export interface EnterOptions {
  readonly userID: UserID;
  /** Publish the camera (video calls). */
  readonly video: boolean;
  /** Publish the microphone muted. */
  readonly audioMuted: boolean;
  /**
   * The users the call invited (its inviter and invitees): a room that negotiates media with
   * each member itself (WebRTC mesh) refuses anyone else. Absent: whoever the room admits.
   */
  readonly participants?: readonly UserID[];
  /** The IM group a group call goes through (its invitations went to the group). */
  readonly groupID?: string;
  /**
   * Entering without an invitation (joinInGroupCall): a room that guards entry (the embedded
   * server, the memory room) admits a member of `groupID` into a call made through that group.
   */
  readonly joining?: boolean;
}

/**
 * What a room tells about the other members: facts, never policy. Whether a member counts as
 * in the call, and when it counts as gone, the call machine decides (`memberMachine`).
 *
 * - `memberJoined`: the member is in the room (it may have no media yet).
 * - `mediaArrived`: its media reached us (a room that carries no media of its own, such as the
 *   embedded server's signaling room or the memory room, reports it with `memberJoined`).
 *   The user's USER_ENTER follows it.
 * - `connectionLost` / `connectionBack`: our media connection to it went down / came back.
 * - `memberLeft`: it left the room (the room said so).
 * - `audioAvailable` / `videoAvailable`: what it publishes, whenever the room learns it (also
 *   before its media arrived). A newcomer publishing nothing is announced without them.
 * - `reconnected`: our own connection came back; `members` are in the room now. `resumed`: we
 *   kept our place, so whoever is not listed left meanwhile; else we entered anew and the
 *   others may still be on their way back.
 * - `failed`: we lost the room for good (kicked by the server, network lost).
 * `roomID` names the room each fact concerns.
 */
export type RoomEvent =
  | {
      readonly type: 'memberJoined' | 'mediaArrived' | 'connectionLost' | 'connectionBack' | 'memberLeft';
      readonly roomID: number;
      readonly userID: UserID;
    }
  | {
      readonly type: 'audioAvailable' | 'videoAvailable';
      readonly roomID: number;
      readonly userID: UserID;
      readonly available: boolean;
    }
  | { readonly type: 'reconnected'; readonly roomID: number; readonly members: readonly UserID[]; readonly resumed: boolean }
  | { readonly type: 'failed'; readonly roomID: number; readonly error: PortError };

/** One speaker's level: 0 (silence) to 100 (full scale), like TRTC's `audioVolume`. */
export interface VoiceVolume {
  readonly userID: UserID;
  readonly volume: number;
}

/** TRTC's network quality scale: 0 unknown, 1 excellent, 2 good, 3 poor, 4 bad, 5 very bad, 6 down. */
export type NetworkQuality = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** One user's network quality: ours (the local user) or our link to a remote member. */
export interface UserNetworkQuality {
  readonly userID: UserID;
  readonly quality: NetworkQuality;
}

/** How often a room measures what {@link RoomPort.watchVoiceVolume} and {@link RoomPort.watchNetworkQuality} report. */
export const STATS_INTERVAL = { volumeMs: 200, networkMs: 2000 } as const;

/**
 * Rejections of a `RoomPort` use this error shape; `code` follows the spec (60003-60006); `cause`: what
 * failed below it (the browser's `getUserMedia` error, TRTC's error, the embedded server's refusal).
 */
export class RoomPortError extends Error implements PortError {
  override readonly name = 'RoomPortError';
  constructor(
    readonly code: number,
    message: string,
    /** A machine-readable cause when the backend gives one (e.g. `roomInUse`). */
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Device lists, switching and video quality are optional (`RoomDevices`): a port without them has none. */
export interface RoomPort extends RoomDevices {
  /**
   * Optional: acquires the devices a call will publish (the camera only when `video`) before
   * any signal is sent, so `call()` and `accept()` can reject with 60003-60006 and nobody is
   * invited or answered with media that cannot come. `enter` uses what was prepared.
   */
  prepare?(options: { readonly video: boolean }): Promise<void>;
  /**
   * Optional (with `prepare`): the command that prepared will not enter (refused, or it found
   * nothing to answer): what was captured is released now, and a capture still under way as it
   * lands, so the camera's light does not stay on until the capture's own timeout.
   */
  unprepare?(): void;
  /**
   * Optional: what the user wants published now, told while `enter` is under way (the call's
   * camera and microphone commands reach `setCamera` / `setMicMuted` only once it is in). A room
   * that captures while it enters lands its capture so: a microphone muted meanwhile lands
   * disabled, a camera closed meanwhile is stopped as it lands, and neither is ever sent.
   */
  preset?(media: { readonly video: boolean; readonly audioMuted: boolean }): void;
  /**
   * Optional: true when `enter` takes a capture `prepare()` started that is still under way, and
   * fails with its error if it fails: `call()` and `accept()` then send their signals while the
   * devices are captured (WebRTC), instead of after.
   */
  readonly capturesWhileEntering?: boolean;
  /**
   * Optional (with `capturesWhileEntering`): the error a capture of these devices would fail with,
   * when the browser already says one of them is denied to the page (the Permissions API), else
   * null; `call()` and `groupCall()` ask before they invite anyone, as the capture itself may only
   * fail once the invitation is out.
   */
  permissionDenied?(media: { readonly video: boolean }): Promise<RoomPortError | null>;
  /**
   * Optional: claims `roomID` for a call about to be dialled, on backends whose server hands
   * rooms to calls (embedded). Not waited for: the room's enter and the invitation are written
   * right behind it, and the server refuses both when it refuses the claim (a room ID in use by
   * another call: `RoomPortError` with reason `roomInUse`), so nobody is invited.
   */
  reserve?(roomID: number): Promise<void>;
  /** Joins and publishes; resolves once in the room. */
  enter(roomID: number, options: EnterOptions): Promise<void>;
  /** Leaves the room it is in (a no-op when in none). */
  exit(): Promise<void>;
  setCamera(on: boolean): Promise<void>;
  setMicMuted(muted: boolean): Promise<void>;
  startLocalView(videoViewDomID: string): Promise<void>;
  /** Stops the local view in `videoViewDomID`; without one, wherever it plays (as trtc-calling-js's needs only a user). */
  stopLocalView(videoViewDomID?: string): Promise<void>;
  startRemoteView(userID: UserID, videoViewDomID: string): Promise<void>;
  /** Stops `userID`'s view in `videoViewDomID`; without one, every view of that user. */
  stopRemoteView(userID: UserID, videoViewDomID?: string): Promise<void>;
  onEvent(listener: (event: RoomEvent) => void): Unsubscribe;
  /**
   * Optional: each speaker's level (the local user first, then each remote member) about every
   * {@link STATS_INTERVAL}.volumeMs while in a room. The room measures only while someone
   * watches: from the first listener on, until the last one unsubscribes.
   */
  watchVoiceVolume?(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe;
  /**
   * Optional: the local user's network quality and that of our link to each remote member,
   * about every {@link STATS_INTERVAL}.networkMs while in a room, measured only while watched.
   */
  watchNetworkQuality?(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe;
  /**
   * Optional: an invitation to `roomID` ended before we answered it (declined, withdrawn, timed
   * out, answered on another device): drop what was kept for that room, such as the caller's
   * offer and network addresses handed early while it rang (WebRTC over the embedded server).
   */
  forgetInvitation?(roomID: number): void;
  /**
   * Optional: leaves any room at once and releases everything the port holds (devices captured
   * by `prepare`, media connections). What must reach the others (leaving the room) is written
   * before it returns, so it works from a page's `pagehide`; the promise settles when done.
   */
  dispose?(): Promise<void>;
}
