/**
 * `TrtcRoomPort`: the {@link RoomPort} over TRTC Web SDK v4 (trtc-js-sdk), used the way
 * TRTCCalling uses it (spec/wire-protocol.md 3.5): an `rtc` client created with the IM login's
 * userSig, a numeric room, one published local stream (microphone, and camera for video calls),
 * every remote main stream subscribed, mute and unmute for the camera and microphone.
 * Device lists and switching are extra methods here, as TRTCCalling has them.
 */
import type { Client, LocalStream } from 'trtc-js-sdk';
import type { UserID } from '../../machines/types';
import type { Unsubscribe } from '../ImPort';
import { RoomPortError, type EnterOptions, type RoomEvent, type RoomPort, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import { type DeviceChange, type DeviceInfo, type VideoProfile, deviceInfo } from '../mediaDevices';
import type { CredentialStore, TencentCredentials } from './credentials';
import { RemoteUsers } from './remoteUsers';
import { loadTrtc, type TrtcModule } from './sdk';
import { TrtcStats } from './trtcStats';
import { MEDIA_ERROR, TRTC_ERROR, deviceError, rtcCode, rtcError } from './trtcErrors';

/** Options of {@link TrtcRoomPort}. */
export interface TrtcRoomPortOptions {
  /** The login TRTC signs in with (the backend shares its IM port's). */
  readonly credentials: CredentialStore;
  /** The trtc-js-sdk module (`import TRTC from 'trtc-js-sdk'`); without it, it is loaded on first use. */
  readonly TRTC?: TrtcModule;
  /** Where the trtc-js-sdk module comes from when none is given (default: a dynamic import). */
  readonly loadTrtc?: () => Promise<TrtcModule>;
  /** Where a member's audio plays while its video is shown nowhere (default: a hidden `div`). */
  readonly audioContainer?: (userID: UserID) => string | HTMLDivElement;
  /** Where a listener's exception or a playback failure goes (default `console.error`). */
  readonly onError?: (error: unknown) => void;
  /** Where `devicechange` is heard (default `navigator.mediaDevices`, as trtc-calling-js listens). */
  readonly deviceEvents?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

/** The largest TRTC numeric room ID (trtc-js-sdk takes 1..4294967294). */
const MAX_ROOM_ID = 4_294_967_294;

/** A hidden `div` per member for its audio, made only where there is a DOM. */
function hiddenAudioContainer(userID: UserID): string | HTMLDivElement {
  const id = `_headless_calling_audio-${userID}`;
  const doc = globalThis.document;
  if (doc === undefined) return id;
  const existing = doc.getElementById(id);
  if (existing instanceof HTMLDivElement) return existing;
  const div = doc.createElement('div');
  div.id = id;
  div.style.display = 'none';
  doc.body.appendChild(div);
  return div;
}

/** The room port over one TRTC client per login. */
export class TrtcRoomPort implements RoomPort {
  readonly #options: TrtcRoomPortOptions;
  readonly #listeners = new Set<(event: RoomEvent) => void>();
  readonly #remote: RemoteUsers;
  readonly #stats: TrtcStats;
  #trtc: Promise<TrtcModule> | null = null;
  #supported: Promise<boolean> | null = null;
  #client: { readonly client: Client; readonly key: string } | null = null;
  #roomID: number | null = null;
  #entering: Promise<void> | null = null;
  #local: LocalStream | null = null;
  #userID: UserID | null = null;
  #camera = false;
  #micMuted = false;
  #localView: string | null = null;
  readonly #devices: { microphoneId?: string; cameraId?: string } = {};
  #profile: VideoProfile | null = null;
  readonly #deviceListeners = new Set<(change: DeviceChange) => void>();

  constructor(options: TrtcRoomPortOptions) {
    this.#options = options;
    this.#remote = new RemoteUsers({
      roomID: () => this.#roomID,
      emit: (event) => this.#emit(event),
      audioContainer: options.audioContainer ?? hiddenAudioContainer,
      onPlayError: (error) => this.#report(error),
    });
    this.#stats = new TrtcStats({ inRoomAs: () => (this.#roomID !== null && this.#local ? this.#userID : null) }, (error) => this.#report(error));
  }

  async enter(roomID: number, options: EnterOptions): Promise<void> {
    if (this.#roomID !== null || this.#entering) throw new RoomPortError(MEDIA_ERROR.UNKNOWN, 'already in a room');
    if (!Number.isInteger(roomID) || roomID < 1 || roomID > MAX_ROOM_ID) {
      throw new RoomPortError(MEDIA_ERROR.UNKNOWN, `invalid roomID ${roomID}`);
    }
    this.#entering = this.#enter(roomID, options);
    try {
      await this.#entering;
    } finally {
      this.#entering = null;
    }
  }

  async exit(): Promise<void> {
    if (this.#entering) await this.#entering.catch(() => undefined);
    const roomID = this.#roomID;
    const client = this.#client?.client;
    const local = this.#local;
    if (roomID === null || !client) return;
    // Out first, so nothing TRTC says while we leave is reported.
    this.#roomID = null;
    this.#local = null;
    this.#remote.clear();
    if (local) await client.unpublish(local).catch(() => undefined);
    await client.leave().catch(() => undefined);
    local?.close();
  }

  async setCamera(on: boolean): Promise<void> {
    const local = this.#local;
    if (!local || on === this.#camera) return;
    if (!on) local.muteVideo();
    else if (local.getVideoTrack()?.readyState === 'ended') {
      // Its camera was unplugged (see #cameraLost): capture again from one plugged in now.
      const camera = (await (await this.#module()).getCameras())[0];
      if (!camera) throw new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'no camera');
      await this.#useCamera(local, camera.deviceId).catch((e: unknown) => Promise.reject(deviceError(e, 'camera')));
      local.unmuteVideo();
    } else if (local.hasVideo()) local.unmuteVideo();
    else {
      await local.addTrack(await this.#cameraTrack());
      this.#watchCamera(local);
    }
    this.#camera = on;
  }

  async setMicMuted(muted: boolean): Promise<void> {
    const local = this.#local;
    if (!local || muted === this.#micMuted) return;
    if (muted) local.muteAudio();
    else local.unmuteAudio();
    this.#micMuted = muted;
  }

  async startLocalView(videoViewDomID: string): Promise<void> {
    if (this.#local) requireElement(videoViewDomID);
    else requireDomID(videoViewDomID); // its element may come before the capture
    this.#localView = videoViewDomID;
    if (this.#local) await this.#playLocal(this.#local, videoViewDomID);
  }

  async stopLocalView(videoViewDomID?: string): Promise<void> {
    if (videoViewDomID !== undefined) requireDomID(videoViewDomID);
    if (this.#localView === null || (videoViewDomID !== undefined && this.#localView !== videoViewDomID)) return;
    this.#localView = null;
    this.#local?.stop();
  }

  async startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    requireElement(videoViewDomID);
    if (!this.#remote.has(userID)) throw new RoomPortError(MEDIA_ERROR.UNKNOWN, `${userID} is not in the room`);
    await this.#remote.startView(userID, videoViewDomID);
  }

  async stopRemoteView(userID: UserID, videoViewDomID?: string): Promise<void> {
    if (videoViewDomID !== undefined) requireDomID(videoViewDomID);
    this.#remote.stopView(userID, videoViewDomID);
  }

  onEvent(listener: (event: RoomEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** TRTC's `audio-volume`, evaluated every 200 ms while watched (see {@link TrtcStats}). */
  watchVoiceVolume(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe {
    return this.#stats.watchVoiceVolume(listener);
  }

  /** TRTC's `network-quality` (every 2 s): the uplink for us, the downlink for each remote member. */
  watchNetworkQuality(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe {
    return this.#stats.watchNetworkQuality(listener);
  }

  /** The cameras TRTC sees (`TRTC.getCameras()`). */
  async getCameras(): Promise<DeviceInfo[]> {
    return (await (await this.#module()).getCameras()).map(deviceInfo);
  }

  /** The microphones TRTC sees (`TRTC.getMicrophones()`). */
  async getMicrophones(): Promise<DeviceInfo[]> {
    return (await (await this.#module()).getMicrophones()).map(deviceInfo);
  }

  /** The speakers TRTC sees (`TRTC.getSpeakers()`). */
  async getSpeakers(): Promise<DeviceInfo[]> {
    return (await (await this.#module()).getSpeakers()).map(deviceInfo);
  }

  currentDevices(): { readonly camera?: string; readonly microphone?: string } {
    const { cameraId, microphoneId } = this.#devices;
    return { ...(cameraId ? { camera: cameraId } : {}), ...(microphoneId ? { microphone: microphoneId } : {}) };
  }

  /** TRTC's `LocalStream.setVideoProfile`: now in a call, and for the next streams. */
  async setVideoQuality(profile: VideoProfile): Promise<void> {
    this.#profile = profile;
    this.#local?.setVideoProfile({ ...profile });
  }

  /**
   * `devicechange` of the page (TRTC v4 has no device event of its own; trtc-calling-js listens
   * there too), and the camera in use unplugged: replaced by another one or, with none, reported.
   */
  onDeviceChange(listener: (change: DeviceChange) => void): Unsubscribe {
    const target = this.#options.deviceEvents ?? globalThis.navigator?.mediaDevices;
    const changed = (): void => this.#deviceChanged(listener, {});
    target?.addEventListener('devicechange', changed);
    this.#deviceListeners.add(listener);
    return () => {
      target?.removeEventListener('devicechange', changed);
      this.#deviceListeners.delete(listener);
    };
  }

  /** Uses this camera (`video`) or microphone (`audio`): now if in a call, and for the next ones. */
  async switchDevice(params: { deviceType: 'video' | 'audio'; deviceId: string }): Promise<void> {
    if (params.deviceType === 'video') this.#devices.cameraId = params.deviceId;
    else this.#devices.microphoneId = params.deviceId;
    const local = this.#local;
    if (!local) return;
    const switched = params.deviceType === 'video' ? this.#useCamera(local, params.deviceId) : local.switchDevice('audio', params.deviceId);
    await switched.catch((e: unknown) => Promise.reject(rtcError(e)));
  }

  /** Leaves any room and drops the TRTC client. */
  async dispose(): Promise<void> {
    await this.exit();
    this.#client?.client.destroy();
    this.#client = null;
  }

  async #enter(roomID: number, options: EnterOptions): Promise<void> {
    const trtc = await this.#module();
    if (!(await this.#isSupported(trtc))) throw new RoomPortError(MEDIA_ERROR.NOT_SUPPORTED, 'this browser does not support WebRTC');
    const client = this.#clientFor(trtc, options.userID);
    await this.#requireDevices(trtc, options.video ? 'both' : 'microphone');
    const local = trtc.createStream({ userId: options.userID, audio: true, video: options.video, ...this.#devices });
    if (this.#profile) local.setVideoProfile({ ...this.#profile });
    let joined = false;
    this.#roomID = roomID;
    try {
      await local.initialize().catch((e: unknown) => Promise.reject(deviceError(e, options.video ? 'both' : 'microphone')));
      if (options.audioMuted) local.muteAudio();
      await client.join({ roomId: roomID });
      joined = true;
      await client.publish(local);
    } catch (error) {
      this.#roomID = null;
      this.#remote.clear();
      if (joined) await client.leave().catch(() => undefined);
      local.close();
      throw rtcError(error);
    }
    this.#local = local;
    this.#watchCamera(local);
    this.#userID = options.userID;
    this.#camera = options.video;
    this.#micMuted = options.audioMuted;
    if (this.#localView !== null) await this.#playLocal(local, this.#localView);
  }

  #module(): Promise<TrtcModule> {
    const given = this.#options.TRTC;
    this.#trtc ??= given ? Promise.resolve(given) : (this.#options.loadTrtc ?? loadTrtc)();
    return this.#trtc;
  }

  /** TRTC.checkSystemRequirements, asked once. */
  #isSupported(trtc: TrtcModule): Promise<boolean> {
    this.#supported ??= trtc.checkSystemRequirements().then(
      (check) => check.result,
      () => false,
    );
    return this.#supported;
  }

  /** The client for the current login, made anew when the login changed. */
  #clientFor(trtc: TrtcModule, userID: UserID): Client {
    const creds: TencentCredentials | null = this.#options.credentials.current;
    if (!creds) throw new RoomPortError(MEDIA_ERROR.UNKNOWN, 'not logged in to Tencent IM');
    if (creds.userID !== userID) throw new RoomPortError(MEDIA_ERROR.UNKNOWN, `logged in as ${creds.userID}, not ${userID}`);
    const key = `${creds.sdkAppId}\n${creds.userID}\n${creds.userSig}`;
    if (this.#client?.key === key) return this.#client.client;
    this.#client?.client.destroy();
    const client = trtc.createClient({ mode: 'rtc', sdkAppId: creds.sdkAppId, userId: creds.userID, userSig: creds.userSig, autoSubscribe: false });
    this.#remote.listen(client);
    this.#stats.listen(client);
    client.on('client-banned', (ban) => this.#failed(client, TRTC_ERROR.CLIENT_BANNED, `removed from the room (${ban.reason}): ${ban.message}`, ban));
    client.on('error', (error) => this.#failed(client, rtcCode(error) ?? MEDIA_ERROR.UNKNOWN, error.message, error));
    this.#client = { client, key };
    return client;
  }

  /** Spec 3.4: no microphone is 60003 and, for a video call, no camera is 60004. */
  async #requireDevices(trtc: TrtcModule, media: 'microphone' | 'camera' | 'both'): Promise<void> {
    // A device list that cannot be read is no verdict: capturing will tell.
    if (media !== 'camera' && (await trtc.getMicrophones().catch(() => [null])).length === 0) {
      throw new RoomPortError(MEDIA_ERROR.NO_MICROPHONE, 'no microphone');
    }
    if (media !== 'microphone' && (await trtc.getCameras().catch(() => [null])).length === 0) {
      throw new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'no camera');
    }
  }

  /**
   * A camera that ends by itself (unplugged) is replaced by another one (`switchDevice`), so the
   * call never freezes on its last frame; with none left the camera goes off for the others and
   * 60004 is told, as on the WebRTC backend.
   */
  /** The stream captures from camera `deviceId` now (TRTC replaces its track), and the new track is watched. */
  async #useCamera(local: LocalStream, deviceId: string): Promise<void> {
    await local.switchDevice('video', deviceId);
    this.#devices.cameraId = deviceId;
    this.#watchCamera(local);
  }

  #watchCamera(local: LocalStream): void {
    const track = local.getVideoTrack();
    track?.addEventListener('ended', () => void this.#cameraLost(local, track), { once: true });
  }

  async #cameraLost(local: LocalStream, track: MediaStreamTrack): Promise<void> {
    if (this.#local !== local || local.getVideoTrack() !== track) return; // replaced or closed by us
    const lostId = track.getSettings().deviceId;
    const cameras = await (await this.#module()).getCameras().catch(() => []);
    const other = cameras.find((d) => d.deviceId !== lostId);
    if (other && this.#local === local) {
      try {
        await this.#useCamera(local, other.deviceId);
        this.#deviceEmit({ lost: 'camera', fallback: deviceInfo(other) });
        return;
      } catch {
        // the other camera cannot be opened either: as if there were none
      }
    }
    if (this.#local !== local) return;
    this.#deviceEmit({ lost: 'camera', error: new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'the camera in use was unplugged and no other can be opened') });
    await this.setCamera(false).catch((error: unknown) => this.#report(error));
  }

  #deviceEmit(change: DeviceChange): void {
    for (const listener of [...this.#deviceListeners]) this.#deviceChanged(listener, change);
  }

  #deviceChanged(listener: (change: DeviceChange) => void, change: DeviceChange): void {
    try {
      listener(change);
    } catch (error) {
      this.#report(error);
    }
  }

  /** A camera track for a stream that was published without video. */
  async #cameraTrack(): Promise<MediaStreamTrack> {
    const trtc = await this.#module();
    await this.#requireDevices(trtc, 'camera');
    const camera = trtc.createStream({ audio: false, video: true, ...(this.#userID ? { userId: this.#userID } : {}), ...this.#devices });
    if (this.#profile) camera.setVideoProfile({ ...this.#profile });
    await camera.initialize().catch((e: unknown) => Promise.reject(deviceError(e, 'camera')));
    const track = camera.getVideoTrack();
    if (!track) throw new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'no camera');
    return track;
  }

  async #playLocal(local: LocalStream, domID: string): Promise<void> {
    local.stop();
    await local.play(domID, { muted: true }).catch((error: unknown) => this.#report(error));
  }

  /** TRTC removed us from the room or failed for good (`cause`: what it said): the call decides what follows. */
  #failed(client: Client, code: number, message: string, cause: unknown): void {
    if (this.#client?.client !== client || this.#roomID === null) return;
    this.#emit({ type: 'failed', roomID: this.#roomID, error: new RoomPortError(code, message, undefined, { cause }) });
  }

  #emit(event: RoomEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    (this.#options.onError ?? console.error)(error);
  }
}

function requireDomID(domID: string): void {
  if (typeof domID !== 'string' || domID === '') throw new RoomPortError(MEDIA_ERROR.UNKNOWN, 'empty videoViewDomID');
}

/** A view's element: where there is a DOM, an id naming no element is the app's parameter (-1202), as on WebRTC. */
function requireElement(domID: string): void {
  requireDomID(domID);
  const doc = globalThis.document;
  if (doc !== undefined && doc.getElementById(domID) === null) throw new RoomPortError(-1202, `no element with id "${domID}"`, 'invalidParameter');
}
