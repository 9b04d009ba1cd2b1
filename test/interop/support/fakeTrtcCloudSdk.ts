/**
 * What `require("trtc-cloud-js-sdk")` returns inside a TUICallEngine party's page: TRTCCloud (the
 * v2 "cloud" API over TRTC Web SDK v5) as TUICallEngine 3.1.7 calls it, over the shared
 * {@link FakeTrtcCloud}, whose rooms our backend's trtc-js-sdk v4 clients join too: one media
 * service for every kind of party.
 *
 * The mapping (read from trtc-cloud-js-sdk 2.12.0's `trtc-cloud-js-sdk.js` and `.d.ts`):
 * - `enterRoom({ sdkAppId, userId, userSig, roomId, strRoomId, role })` joins the room, then emits
 *   `onEnterRoom(elapsed ms)` (> 0) and resolves; a failure emits `onEnterRoom(code < 0)`.
 *   `roomId` wins when both are given (TRTC's rule); a string room is a room of its own (TRTC:
 *   the string "123" and the number 123 are different rooms), joined by a v4 client made with
 *   `useStringRoomId`.
 * - `startLocalAudio()` / `startLocalPreview(view)` capture and publish (in the room, or on entering
 *   it); `muteLocalAudio(m)` / `muteLocalVideo(m)` mute the published track (remote users get
 *   `onUserAudioAvailable` / `onUserVideoAvailable`); `stopLocalPreview()` drops the camera track;
 *   `exitRoom()` leaves and emits `onExitRoom(0)`.
 * - Remote users: `onRemoteUserEnterRoom(userId)` / `onRemoteUserLeaveRoom(userId)` (TRTC v5's
 *   REMOTE_USER_ENTER / EXIT: the v4 room's `peer-join` / `peer-leave`), their published tracks as
 *   `onUserAudioAvailable(userId, bool)` / `onUserVideoAvailable(userId, bool)`, the audio
 *   subscribed automatically (v5 plays remote audio by itself), video shown by `startRemoteView`.
 * - Devices: one camera, microphone and speaker, as the fake TRTC module lists them; device errors
 *   come from the fake room's device knobs (`rtc.setDevices`).
 * Volume evaluation and network quality are accepted and never reported (no timer runs forever).
 */
import type { RemoteStream } from 'trtc-js-sdk';
import type { FakeClient, FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';
import { FakeLocalStream, FakeMediaStreamTrack } from '../../tencent/fakes/fakeStreams';
import type { Clock } from '../../../adapters/clock';

type Listener = (...args: unknown[]) => void;

/** The enums TUICallEngine reads from the module (values of trtc-cloud-js-sdk.d.ts). */
const ENUMS = {
  TRTCVideoStreamType: { TRTCVideoStreamTypeBig: 0, TRTCVideoStreamTypeSmall: 1, TRTCVideoStreamTypeSub: 2 },
  TRTCRoleType: { TRTCRoleAnchor: 20, TRTCRoleAudience: 21 },
  TRTCDeviceType: { TRTCDeviceTypeUnknow: -1, TRTCDeviceTypeMic: 0, TRTCDeviceTypeSpeaker: 1, TRTCDeviceTypeCamera: 2 },
  TRTCVideoFillMode: { TRTCVideoFillMode_Fill: 0, TRTCVideoFillMode_Fit: 1 },
  TRTCVideoMirrorType: { TRTCVideoMirrorType_Auto: 0, TRTCVideoMirrorType_Enable: 1, TRTCVideoMirrorType_Disable: 2 },
  TRTCVideoRotation: { TRTCVideoRotation0: 0, TRTCVideoRotation90: 1, TRTCVideoRotation180: 2, TRTCVideoRotation270: 3 },
  // The resolutions the engine's quality table names (it reads no others).
  TRTCVideoResolution: { TRTCVideoResolution_640_480: 62, TRTCVideoResolution_1280_720: 112, TRTCVideoResolution_1920_1080: 114 },
  TRTCAppScene: { TRTCAppSceneVideoCall: 0, TRTCAppSceneLIVE: 1, TRTCAppSceneAudioCall: 2, TRTCAppSceneVoiceChatRoom: 3 },
} as const;

/** What the fake's `getSDKVersion()` reports: trtc-cloud-js-sdk 2.10.8's TRTC (call-engine-js 3.3.4 pins it). */
const TRTC_CLOUD_VERSION = '5.15.0';

/** One page's TRTCCloud (`getTRTCShareInstance`: one per page). */
export class FakeTRTCCloud {
  readonly #listeners = new Map<string, Listener[]>();
  #client: FakeClient | null = null;
  #stream: FakeLocalStream | null = null;
  #audio = false;
  #video = false;
  #audioMuted = false;
  #videoMuted = false;
  #preview: string | null = null;
  readonly #remotes = new Map<string, RemoteStream>();
  #work: Promise<void> = Promise.resolve();

  constructor(
    private readonly trtc: FakeTrtcModule,
    private readonly clock: Clock,
  ) {}

  on(event: string, fn: Listener): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), fn]);
  }
  off(event: string, fn: Listener): void {
    this.#listeners.set(event, (this.#listeners.get(event) ?? []).filter((l) => l !== fn));
  }
  /** Those of `event`, or all (call-engine-js 3.3.4 drops its own `onDeviceChange` ones this way). */
  removeAllListeners(event?: string): void {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
  }
  #emit(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) fn(...args);
  }

  async enterRoom(params: { sdkAppId: number; userId: string; userSig: string; roomId?: number; strRoomId?: string; role?: number }): Promise<void> {
    const started = this.clock.now();
    // TRTC: `roomId` when given (> 0), else the string room `strRoomId`, a room of its own kind.
    const numeric = typeof params.roomId === 'number' && params.roomId > 0;
    const config = { mode: 'rtc' as const, sdkAppId: params.sdkAppId, userId: params.userId, userSig: params.userSig };
    const client = this.trtc.createClient(numeric ? config : { ...config, useStringRoomId: true }) as FakeClient;
    this.#client = client;
    client.on('peer-join', ({ userId }) => this.#emit('onRemoteUserEnterRoom', userId));
    client.on('peer-leave', ({ userId }) => {
      this.#remotes.delete(userId);
      this.#emit('onRemoteUserLeaveRoom', userId);
    });
    client.on('stream-added', ({ stream }) => {
      this.#remotes.set(stream.getUserId(), stream);
      void client.subscribe(stream).catch(() => undefined);
    });
    client.on('stream-removed', ({ stream }) => {
      if (this.#remotes.get(stream.getUserId()) === stream) this.#remotes.delete(stream.getUserId());
    });
    client.on('unmute-audio', ({ userId }) => this.#emit('onUserAudioAvailable', userId, true));
    client.on('mute-audio', ({ userId }) => this.#emit('onUserAudioAvailable', userId, false));
    client.on('unmute-video', ({ userId }) => this.#emit('onUserVideoAvailable', userId, true));
    client.on('mute-video', ({ userId }) => this.#emit('onUserVideoAvailable', userId, false));
    try {
      await client.join({ roomId: numeric ? (params.roomId as number) : (params.strRoomId ?? '') });
    } catch (error) {
      this.#client = null;
      this.#emit('onEnterRoom', -1);
      throw error;
    }
    this.#emit('onEnterRoom', Math.max(1, this.clock.now() - started));
    await this.#sync();
  }

  async exitRoom(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await this.#work;
    this.#client = null;
    this.#stream?.close();
    this.#stream = null;
    this.#remotes.clear();
    await client.leave();
    client.destroy();
    this.#emit('onExitRoom', 0);
  }

  async startLocalAudio(_quality?: number): Promise<void> {
    this.#audio = true;
    // Captured again after a stopLocalAudio() (call-engine-js 3.3.4's openMicrophone()): published again.
    if (!this.#audioMuted && this.#stream?.hasAudio() && this.#stream.audioMuted) this.#stream.unmuteAudio();
    await this.#sync();
    this.#emit('onMicDidReady');
  }
  async stopLocalAudio(): Promise<void> {
    this.#audio = false;
    this.#stream?.muteAudio();
  }
  async muteLocalAudio(mute = true): Promise<void> {
    this.#audioMuted = mute;
    if (mute) this.#stream?.muteAudio();
    else this.#stream?.unmuteAudio();
  }
  /** `(autoStart, view)` as TUICallEngine 3.1.7 calls it, or `(view)` as call-engine-js 3.3.4 does. */
  async startLocalPreview(first: unknown, view?: unknown): Promise<void> {
    this.#video = true;
    this.#preview = domID(view ?? first);
    await this.#sync();
    this.#emit('onCameraDidReady');
  }
  /** Where the local preview plays (call-engine-js 3.3.4's openCamera() names its view so). */
  async updateLocalView(view: unknown): Promise<void> {
    this.#preview = domID(view);
    await this.#sync();
  }
  async stopLocalPreview(): Promise<void> {
    this.#video = false;
    this.#preview = null;
    await this.#sync();
  }
  async muteLocalVideo(mute = true): Promise<void> {
    this.#videoMuted = mute;
    if (mute) this.#stream?.muteVideo();
    else this.#stream?.unmuteVideo();
  }
  async startRemoteView(userId: string, view: unknown, _streamType: number): Promise<void> {
    const stream = this.#remotes.get(userId);
    const id = domID(view);
    if (stream && id) await stream.play(id);
  }
  async stopRemoteView(userId: string, _streamType: number): Promise<void> {
    this.#remotes.get(userId)?.stop();
  }
  async setVideoEncoderParam(_params?: object): Promise<void> {}
  async setVideoEncoderMirror(_mirror: boolean): Promise<void> {}
  /** call-engine-js 3.3.4 asks for the anchor role (20) as it answers or rings: the fake's only role. */
  async switchRole(_role: number): Promise<void> {}
  async setLocalRenderParams(_params: object): Promise<void> {}
  async setRemoteRenderParams(_userId: string, _streamType: number, _params: object): Promise<void> {}
  enableAudioVolumeEvaluation(_interval: number): void {}
  async callExperimentalAPI(_json: string): Promise<void> {}
  async getCameraDevicesList() {
    return (await this.trtc.getCameras()).map((d) => ({ deviceId: d.deviceId, deviceName: d.label }));
  }
  async getMicDevicesList() {
    return (await this.trtc.getMicrophones()).map((d) => ({ deviceId: d.deviceId, deviceName: d.label }));
  }
  async getSpeakerDevicesList() {
    return (await this.trtc.getSpeakers()).map((d) => ({ deviceId: d.deviceId, deviceName: d.label }));
  }
  getCurrentCameraDevice() {
    return { deviceId: 'camera-1', deviceName: 'fake camera-1' };
  }
  getCurrentMicDevice() {
    return { deviceId: 'mic-1', deviceName: 'fake mic-1' };
  }
  getCurrentSpeakerDevice() {
    return { deviceId: 'speaker-1', deviceName: 'fake speaker-1' };
  }
  async setCurrentCameraDevice(_deviceId: string): Promise<void> {}
  async setCurrentMicDevice(_deviceId: string): Promise<void> {}
  async setCurrentSpeakerDevice(_deviceId: string): Promise<void> {}

  /** Publishes what is asked for, once in a room (one step at a time). */
  #sync(): Promise<void> {
    this.#work = this.#work.then(() => this.#publish()).catch((error: unknown) => {
      this.#emit('onError', -1, String(error));
    });
    return this.#work;
  }

  async #publish(): Promise<void> {
    const client = this.#client;
    if (!client || client.room === null || (!this.#audio && !this.#video)) return;
    const stream = this.#stream;
    if (!stream) {
      const local = this.trtc.createStream({ audio: this.#audio, video: this.#video, userId: client.userId }) as FakeLocalStream;
      await local.initialize();
      if (this.#audioMuted) local.muteAudio();
      if (this.#videoMuted) local.muteVideo();
      if (this.#preview) await local.play(this.#preview);
      this.#stream = local;
      await client.publish(local);
      return;
    }
    if (this.#video && !stream.hasVideo()) {
      await stream.addTrack(new FakeMediaStreamTrack('video', 'camera-1'));
      if (this.#videoMuted) stream.muteVideo();
    }
    if (!this.#video && stream.videoTrack) await stream.removeTrack(stream.videoTrack);
    if (this.#audio && !stream.hasAudio()) await stream.addTrack(new FakeMediaStreamTrack('audio'));
    if (this.#preview && stream.playing !== this.#preview) await stream.play(this.#preview);
  }
}

function domID(view: unknown): string | null {
  if (typeof view === 'string') return view;
  if (typeof view === 'object' && view !== null && 'id' in view) return String((view as { id: unknown }).id);
  return null;
}

/**
 * `require("trtc-cloud-js-sdk")` for one page: `default.getTRTCShareInstance` and the enums.
 * call-engine-js 3.3.4 makes its call's TRTCCloud with the shared one's `createSubCloud()` (a
 * TRTCCloud of its own, on the same user's TRTC) and asks its `getSDKVersion()`.
 */
export function fakeTrtcCloudSdk(trtc: FakeTrtcModule, clock: Clock) {
  let shared: FakeTRTCCloud | null = null;
  const subClouds: FakeTRTCCloud[] = [];
  const make = () =>
    Object.assign(new FakeTRTCCloud(trtc, clock), {
      getSDKVersion: () => TRTC_CLOUD_VERSION,
      createSubCloud: () => {
        const sub = Object.assign(new FakeTRTCCloud(trtc, clock), { destroy: () => undefined });
        subClouds.push(sub);
        return sub;
      },
    });
  const TRTCCloud = {
    getTRTCShareInstance: (_config?: object) => (shared ??= make()),
    destroyTRTCShareInstance: () => {
      shared = null;
    },
  };
  return { __esModule: true, default: TRTCCloud, ...ENUMS, instance: () => shared, subClouds };
}
