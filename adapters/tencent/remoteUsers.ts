/**
 * The other members of a TRTC room as the room port reports them. TRTC v4 tells about a
 * member in several events that may come in any order (`peer-join`, `stream-added`,
 * `stream-subscribed`, `mute-*` / `unmute-*`, `stream-updated`, `stream-removed`,
 * `peer-leave`); this turns them into the port's facts: `memberJoined` on `peer-join`,
 * `mediaArrived` once the member's stream is subscribed (then its audio and video
 * availability), changes of availability while it is there, and `memberLeft` once.
 */
import type { Client, RemoteStream } from 'trtc-js-sdk';
import type { UserID } from '../../machines/types';
import type { RoomEvent } from '../RoomPort';
import { TRTC_ERROR, rtcCode } from './trtcErrors';

interface Member {
  stream: RemoteStream | null;
  subscribed: boolean;
  /** From `mute-*` / `unmute-*` or the room's muted state; `undefined` = not told (counts as on). */
  audioMuted: boolean | undefined;
  videoMuted: boolean | undefined;
  /** What the port has said: entered, and the availability it last reported. */
  entered: boolean;
  audio: boolean;
  video: boolean;
  /** `memberLeft` was reported since the member last entered. */
  left: boolean;
  /** Where its video plays (`startRemoteView`), else `null`. */
  view: string | null;
}

/** Hooks of {@link RemoteUsers} into the room port. */
export interface RemoteUsersHost {
  /** The room the port is in (or entering), or `null`. */
  roomID(): number | null;
  emit(event: RoomEvent): void;
  /** Where a member's audio plays while its video is shown nowhere. */
  audioContainer(userID: UserID): string | HTMLDivElement;
  /** A playback or subscription failure (autoplay refused, element missing): reported, never thrown. */
  onPlayError(error: unknown): void;
}

/** The remote members of the current room. */
export class RemoteUsers {
  readonly #members = new Map<UserID, Member>();

  constructor(private readonly host: RemoteUsersHost) {}

  /** Listens to a client's member events; they count only while the port is in a room. */
  listen(client: Client): void {
    const inRoom = () => this.host.roomID() !== null;
    client.on('peer-join', ({ userId }) => inRoom() && this.#joined(userId));
    client.on('peer-leave', ({ userId }) => inRoom() && this.#peerLeft(userId));
    client.on('stream-added', ({ stream }) => inRoom() && this.#added(client, stream));
    client.on('stream-subscribed', ({ stream }) => inRoom() && this.#subscribed(client, stream));
    client.on('stream-updated', ({ stream }) => inRoom() && this.#announce(stream.getUserId()));
    client.on('stream-removed', ({ stream }) => inRoom() && this.#removed(stream));
    client.on('mute-audio', ({ userId }) => inRoom() && this.#muted(userId, 'audioMuted', true));
    client.on('unmute-audio', ({ userId }) => inRoom() && this.#muted(userId, 'audioMuted', false));
    client.on('mute-video', ({ userId }) => inRoom() && this.#muted(userId, 'videoMuted', true));
    client.on('unmute-video', ({ userId }) => inRoom() && this.#muted(userId, 'videoMuted', false));
  }

  /** Whether `userID`'s stream is subscribed (its video can be shown). */
  has(userID: UserID): boolean {
    return this.#members.get(userID)?.subscribed === true;
  }

  /** Shows `userID`'s video (and plays its audio) in the element `domID`. */
  async startView(userID: UserID, domID: string): Promise<void> {
    const m = this.#members.get(userID);
    if (!m?.stream || !m.subscribed) return;
    m.view = domID;
    m.stream.stop();
    await m.stream.play(domID);
  }

  /** Stops showing `userID`'s video in `domID` (in whichever element: `undefined`); its audio goes on playing, hidden. */
  stopView(userID: UserID, domID: string | undefined): void {
    const m = this.#members.get(userID);
    if (!m || m.view === null || (domID !== undefined && m.view !== domID)) return;
    m.view = null;
    m.stream?.stop();
    if (m.stream && m.subscribed) this.#play(userID, m.stream);
  }

  /** Forgets everyone (the port left the room), stopping their playback. Reports nothing. */
  clear(): void {
    for (const m of this.#members.values()) m.stream?.stop();
    this.#members.clear();
  }

  #joined(userID: UserID): void {
    if (this.#members.has(userID)) return;
    this.#member(userID);
    this.#emit({ type: 'memberJoined', userID });
  }

  #member(userID: UserID): Member {
    let m = this.#members.get(userID);
    if (!m) {
      m = { stream: null, subscribed: false, audioMuted: undefined, videoMuted: undefined, entered: false, audio: false, video: false, left: false, view: null };
      this.#members.set(userID, m);
    }
    return m;
  }

  #added(client: Client, stream: RemoteStream): void {
    if (stream.getType() !== 'main') return; // screen sharing is not a participant
    const m = this.#member(stream.getUserId());
    m.stream = stream;
    m.subscribed = false;
    // A failed subscription leaves the member unannounced; its peer-leave still reports it.
    // A stream unpublished before we subscribed is TRTC's "normal interaction" (REMOTE_STREAM_NOT_EXIST).
    client.subscribe(stream, { audio: true, video: true }).catch((error: unknown) => {
      if (rtcCode(error) !== TRTC_ERROR.REMOTE_STREAM_NOT_EXIST) this.host.onPlayError(error);
    });
  }

  #subscribed(client: Client, stream: RemoteStream): void {
    const userID = stream.getUserId();
    const m = this.#member(userID);
    if (m.stream !== stream) return;
    m.subscribed = true;
    // The room's view of its mute state, in case the mute events came before we listened.
    const state = client.getRemoteMutedState().find((s) => s.userId === userID);
    if (state) {
      m.audioMuted = state.audioMuted;
      m.videoMuted = state.videoMuted;
    }
    if (!m.entered) {
      m.entered = true;
      m.left = false;
      this.#emit({ type: 'mediaArrived', userID });
    }
    if (m.view === null) this.#play(userID, stream);
    this.#announce(userID);
  }

  #removed(stream: RemoteStream): void {
    const userID = stream.getUserId();
    const m = this.#members.get(userID);
    if (!m || m.stream !== stream) return;
    stream.stop();
    m.stream = null;
    m.subscribed = false;
    m.view = null;
    if (m.entered) this.#leave(userID, m);
  }

  #peerLeft(userID: UserID): void {
    const m = this.#members.get(userID);
    this.#members.delete(userID);
    m?.stream?.stop();
    // Also reported for a member whose stream never came (it answered but never published).
    if (!m || !m.left) this.#leave(userID, m);
  }

  #leave(userID: UserID, m: Member | undefined): void {
    if (m) Object.assign(m, { entered: false, audio: false, video: false, left: true });
    this.#emit({ type: 'memberLeft', userID });
  }

  #muted(userID: UserID, field: 'audioMuted' | 'videoMuted', muted: boolean): void {
    this.#member(userID)[field] = muted;
    this.#announce(userID);
  }

  /** Reports what changed in `userID`'s availability since it was last reported. */
  #announce(userID: UserID): void {
    const m = this.#members.get(userID);
    if (!m?.entered || !m.stream) return;
    const audio = m.subscribed && m.stream.hasAudio() && m.audioMuted !== true;
    const video = m.subscribed && m.stream.hasVideo() && m.videoMuted !== true;
    if (audio !== m.audio) {
      m.audio = audio;
      this.#emit({ type: 'audioAvailable', userID, available: audio });
    }
    if (video !== m.video) {
      m.video = video;
      this.#emit({ type: 'videoAvailable', userID, available: video });
    }
  }

  #play(userID: UserID, stream: RemoteStream): void {
    stream.play(this.host.audioContainer(userID)).catch((error: unknown) => this.host.onPlayError(error));
  }

  #emit(event: DistributiveOmit<RoomEvent, 'roomID'>): void {
    const roomID = this.host.roomID();
    if (roomID !== null) this.host.emit({ ...event, roomID } as RoomEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
