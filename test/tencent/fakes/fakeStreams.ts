/**
 * Fake TRTC v4 streams and media tracks, implementing trtc-js-sdk's `LocalStream` and
 * `RemoteStream` and the DOM's `MediaStreamTrack`. No media flows: a stream knows its tracks,
 * their mute state and where it is played; the room (fakeTrtc.ts) tells the others.
 */
import type {
  AudioProfileString,
  LocalStream,
  PlaybackOptions,
  RemoteStream,
  RemoteStreamType,
  ScreenProfile,
  ScreenProfileString,
  StreamEventMap,
  VideoProfile,
  VideoProfileString,
} from 'trtc-js-sdk';

/** What a fake stream reports to the fake room. */
export interface StreamHost {
  /** `domID` now shows (`play`) or no longer shows (`stop`) the stream, for `viewer`. */
  view(binding: { viewer: string; kind: 'local' | 'remote'; userID: string; domID: string } | null, stream: object): void;
  /** A published local stream's track was muted, unmuted or added. */
  changed(stream: FakeLocalStream, what: 'mute-audio' | 'unmute-audio' | 'mute-video' | 'unmute-video' | 'track-added' | 'track-removed'): void;
}

let nextTrack = 1;

/** A media track with no media. */
export class FakeMediaStreamTrack extends EventTarget implements MediaStreamTrack {
  contentHint = '';
  enabled = true;
  readonly id = `track-${nextTrack++}`;
  readonly label: string;
  readonly muted = false;
  onended: MediaStreamTrack['onended'] = null;
  onmute: MediaStreamTrack['onmute'] = null;
  onunmute: MediaStreamTrack['onunmute'] = null;
  readyState: MediaStreamTrackState = 'live';

  constructor(
    readonly kind: 'audio' | 'video',
    /** The device it captures from (a camera's id), when known. */
    readonly deviceId?: string,
  ) {
    super();
    this.label = `fake ${kind}`;
  }
  async applyConstraints(): Promise<void> {}
  clone(): MediaStreamTrack {
    return new FakeMediaStreamTrack(this.kind);
  }
  getCapabilities(): MediaTrackCapabilities {
    return {};
  }
  getConstraints(): MediaTrackConstraints {
    return {};
  }
  getSettings(): MediaTrackSettings {
    return this.deviceId === undefined ? {} : { deviceId: this.deviceId };
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** Its device went away: the track ends by itself, and says so (`stop()` says nothing, as in browsers). */
  unplugged(): void {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

const unsupported = (what: string): never => {
  throw new Error(`the fake TRTC does not support ${what}`);
};

/** What local and remote streams share. */
abstract class FakeStream {
  #playing: string | null = null;

  constructor(
    protected readonly host: StreamHost,
    /** The user this stream belongs to. */
    readonly owner: string,
    readonly id: string,
  ) {}

  protected abstract binding(domID: string): { viewer: string; kind: 'local' | 'remote'; userID: string; domID: string };

  /** Where it plays now (an element id), or `null`. */
  get playing(): string | null {
    return this.#playing;
  }

  async play(elementId: string | HTMLDivElement, _options?: PlaybackOptions): Promise<void> {
    const domID = typeof elementId === 'string' ? elementId : elementId.id;
    this.#playing = domID;
    this.host.view(this.binding(domID), this);
  }
  stop(): void {
    this.#playing = null;
    this.host.view(null, this);
  }
  async resume(): Promise<void> {}
  getId(): string {
    return this.id;
  }
  getUserId(): string {
    return this.owner;
  }
  async setAudioOutput(_deviceId: string): Promise<void> {}
  setAudioVolume(_volume: number): void {}
  getAudioLevel(): number {
    return 0;
  }
  getVideoFrame(): string | null {
    return null;
  }
  on<K extends keyof StreamEventMap>(_event: K, _handler: (event: StreamEventMap[K]) => void): void {}
  off(_event: string, _handler?: unknown): void {}
}

/** A local stream: captured tracks (per the browser's devices), mute state, `addTrack`. */
export class FakeLocalStream extends FakeStream implements LocalStream {
  audioTrack: FakeMediaStreamTrack | null = null;
  videoTrack: FakeMediaStreamTrack | null = null;
  audioMuted = false;
  videoMuted = false;
  published = false;
  closed = false;
  readonly switched: { type: 'audio' | 'video'; deviceId: string }[] = [];

  constructor(
    host: StreamHost,
    owner: string,
    id: string,
    private readonly capture: () => Promise<{ audio: FakeMediaStreamTrack | null; video: FakeMediaStreamTrack | null }>,
    /** Opens another camera (`switchDevice('video', id)`); rejects as `getUserMedia` does when it cannot. */
    private readonly reopen: (cameraId: string) => Promise<FakeMediaStreamTrack> = async (cameraId) => new FakeMediaStreamTrack('video', cameraId),
  ) {
    super(host, owner, id);
  }

  protected binding(domID: string) {
    return { viewer: this.owner, kind: 'local' as const, userID: this.owner, domID };
  }

  async initialize(): Promise<void> {
    const { audio, video } = await this.capture();
    this.audioTrack = audio;
    this.videoTrack = video;
  }
  close(): void {
    this.closed = true;
    this.audioTrack?.stop();
    this.videoTrack?.stop();
    this.stop();
  }
  muteAudio(): boolean {
    return this.#mute('audio', true);
  }
  muteVideo(): boolean {
    return this.#mute('video', true);
  }
  unmuteAudio(): boolean {
    return this.#mute('audio', false);
  }
  unmuteVideo(): boolean {
    return this.#mute('video', false);
  }
  hasAudio(): boolean {
    return this.audioTrack !== null;
  }
  hasVideo(): boolean {
    return this.videoTrack !== null;
  }
  getAudioTrack(): MediaStreamTrack | null {
    return this.audioTrack;
  }
  getVideoTrack(): MediaStreamTrack | null {
    return this.videoTrack;
  }
  async addTrack(track: MediaStreamTrack): Promise<void> {
    if (track.kind === 'video' && this.videoTrack === null && track instanceof FakeMediaStreamTrack) this.videoTrack = track;
    else if (track.kind === 'audio' && this.audioTrack === null && track instanceof FakeMediaStreamTrack) this.audioTrack = track;
    else return unsupported('addTrack of a track the stream has');
    this.videoMuted = track.kind === 'video' ? false : this.videoMuted;
    if (this.published) this.host.changed(this, 'track-added');
  }
  /** TRTC v4 removes only the video track of a published stream (trtc-calling-js's switch to audio does this). */
  async removeTrack(track: MediaStreamTrack): Promise<void> {
    if (track.kind !== 'video' || track !== this.videoTrack) return unsupported('removeTrack of anything but the stream\'s video track');
    this.videoTrack = null;
    this.videoMuted = false;
    if (this.published) this.host.changed(this, 'track-removed');
  }
  async replaceTrack(_track: MediaStreamTrack): Promise<void> {
    unsupported('replaceTrack');
  }
  /** As TRTC v4: the camera's track is replaced (the others see no change), the old one stopped. */
  async switchDevice(type: 'audio' | 'video', deviceId: string): Promise<void> {
    this.switched.push({ type, deviceId });
    const old = this.videoTrack;
    if (type !== 'video' || old === null) return;
    const track = await this.reopen(deviceId);
    track.enabled = !this.videoMuted;
    this.videoTrack = track;
    old.stop();
  }
  setAudioProfile(_profile: AudioProfileString): void {}
  /** Every `setVideoProfile` call, in order. */
  readonly profiles: (VideoProfileString | VideoProfile)[] = [];
  setVideoProfile(profile: VideoProfileString | VideoProfile): void {
    this.profiles.push(profile);
  }
  setScreenProfile(_profile: ScreenProfileString | ScreenProfile): void {}
  setVideoContentHint(_hint: 'motion' | 'detail' | 'text'): void {}
  setAudioCaptureVolume(_volume: Number): Boolean {
    return true;
  }

  #mute(kind: 'audio' | 'video', muted: boolean): boolean {
    const track = kind === 'audio' ? this.audioTrack : this.videoTrack;
    if (track === null) return false;
    const field = kind === 'audio' ? 'audioMuted' : 'videoMuted';
    if (this[field] === muted) return true;
    this[field] = muted;
    track.enabled = !muted;
    if (this.published) this.host.changed(this, `${muted ? 'mute' : 'unmute'}-${kind}`);
    return true;
  }
}

/** A subscriber's view of another member's published local stream. */
export class FakeRemoteStream extends FakeStream implements RemoteStream {
  constructor(
    host: StreamHost,
    readonly source: FakeLocalStream,
    /** The subscriber. */
    readonly viewer: string,
    id: string,
  ) {
    super(host, source.owner, id);
  }

  protected binding(domID: string) {
    return { viewer: this.viewer, kind: 'remote' as const, userID: this.owner, domID };
  }

  getType(): RemoteStreamType {
    return 'main';
  }
  close(): void {
    this.stop();
  }
  muteAudio(): boolean {
    return false;
  }
  muteVideo(): boolean {
    return false;
  }
  unmuteAudio(): boolean {
    return false;
  }
  unmuteVideo(): boolean {
    return false;
  }
  hasAudio(): boolean {
    return this.source.hasAudio();
  }
  hasVideo(): boolean {
    return this.source.hasVideo();
  }
  getAudioTrack(): MediaStreamTrack | null {
    return this.source.audioTrack;
  }
  getVideoTrack(): MediaStreamTrack | null {
    return this.source.videoTrack;
  }
}
