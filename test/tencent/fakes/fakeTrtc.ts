/**
 * A fake TRTC for tests: an in-process room server (`FakeTrtcCloud`), one trtc-js-sdk v4
 * "module" per browser (`FakeTrtcModule implements TrtcModule`) with its own simulated devices,
 * and clients implementing trtc-js-sdk's `Client`. Every notification goes through the injected
 * clock with the cloud's latency. What TRTC v4 does, as the room port depends on it:
 * `peer-join`, `stream-added` (then the publisher's mute state as `mute-*` / `unmute-*`),
 * `stream-subscribed` after `subscribe`, `mute-*` / `unmute-*` for published tracks,
 * `stream-updated` + `unmute-video` on `addTrack`, `stream-removed`, `peer-leave`,
 * `client-banned` (a second client of the same user, or `ban()`), `error` (`fail()`),
 * `audio-volume` every `interval` ms once `enableAudioVolumeEvaluation(interval)` (levels from
 * `setAudioVolume`, 0 for a muted microphone; `interval <= 0` stops it), `network-quality` when a
 * test calls `setNetworkQuality` (real TRTC sends it every 2 s; here only on demand, so that
 * no timer runs forever).
 */
import type { CheckResult, Client, ClientConfig, LocalStream, NetworkQuality, RemoteMutedState, StreamConfig } from 'trtc-js-sdk';
import type { Clock } from '../../../adapters/clock';
import type { TrtcModule } from '../../../adapters/tencent/sdk';
import { FakeClient, FakeRtcError } from './fakeClient';
import { FakeLocalStream, FakeMediaStreamTrack, FakeRemoteStream, type StreamHost } from './fakeStreams';

export { FakeClient, FakeRtcError } from './fakeClient';

/** A browser's simulated devices (defaults: everything present and allowed). */
export interface FakeDevices {
  microphone?: boolean;
  camera?: boolean;
  /** The cameras plugged in (default `['camera-1']`; none when `camera` is false). */
  cameras?: readonly string[];
  permission?: 'granted' | 'denied';
  webrtc?: boolean;
}

/** A view binding: what plays where, for whom. */
export interface FakeView {
  readonly viewer: string;
  readonly kind: 'local' | 'remote';
  readonly userID: string;
  readonly domID: string;
}

/** A `getUserMedia`-style failure (`DOMException` name). */
function mediaError(name: 'NotAllowedError' | 'NotFoundError', message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface Member {
  readonly client: FakeClient;
  stream: FakeLocalStream | null;
  /** Each other member's view of this member's current stream. */
  readonly remotes: Map<FakeClient, FakeRemoteStream>;
}

/** The room server. */
export class FakeTrtcCloud implements StreamHost {
  readonly #rooms = new Map<number | string, Member[]>();
  readonly #devices = new Map<string, FakeDevices>();
  #views: { binding: FakeView; stream: object }[] = [];
  #nextID = 1;
  readonly #volumes = new Map<string, number>();
  /** Each client's volume evaluation: its interval and pending timer. */
  readonly #evaluations = new Map<FakeClient, { readonly interval: number; timer: unknown }>();

  /**
   * How long a `join()` takes, when a test sets it; else the latency. TRTC's room entry takes a few
   * round trips (hundreds of ms), an IM message one: an answer sent as a device starts entering can
   * reach the caller, and the caller leave, before the device is in.
   */
  joinLatency: number | null = null;

  constructor(
    readonly clock: Clock,
    readonly latency = 20,
  ) {}

  /** The trtc-js-sdk module of one browser; `label` names it for {@link setDevices}. */
  module(label: string): FakeTrtcModule {
    return new FakeTrtcModule(this, label);
  }

  setDevices(label: string, devices: FakeDevices): void {
    this.#devices.set(label, { ...this.#devices.get(label), ...devices });
  }

  devices(label: string): FakeDevices {
    return this.#devices.get(label) ?? {};
  }

  /** The users in a room, in join order. */
  members(roomId: number | string): string[] {
    return (this.#rooms.get(roomId) ?? []).map((m) => m.client.userId);
  }

  /** Every room with someone in it: its ID and its members, in join order. */
  rooms(): { readonly roomId: number | string; readonly members: string[] }[] {
    return [...this.#rooms].map(([roomId, members]) => ({ roomId, members: members.map((m) => m.client.userId) }));
  }

  /** What `viewer` plays where, in the order it started, hidden audio players included. */
  views(viewer: string): FakeView[] {
    return this.#views.filter((v) => v.binding.viewer === viewer).map((v) => v.binding);
  }

  /** The server removes `userID` from its room (`client-banned`). */
  ban(userID: string, reason: 'kick' | 'banned' | 'room-disband' = 'banned'): void {
    for (const member of this.#all().filter((m) => m.client.userId === userID)) {
      this.#remove(member);
      member.client.fire('client-banned', { reason, message: `fake ${reason}` });
    }
  }

  /** `userID`'s client hits an unrecoverable error (`error`). */
  fail(userID: string, code: number, message = 'fake failure'): void {
    for (const member of this.#all().filter((m) => m.client.userId === userID)) member.client.fire('error', new FakeRtcError(code, message));
  }

  /** `userID` speaks at `volume` (0-100) from now on, as the next `audio-volume` events say. */
  setAudioVolume(userID: string, volume: number): void {
    this.#volumes.set(userID, volume);
  }

  /** `userID`'s clients get a `network-quality` event with these figures (after the latency). */
  setNetworkQuality(userID: string, uplink: NetworkQuality['uplinkNetworkQuality'], downlink: NetworkQuality['downlinkNetworkQuality']): void {
    for (const member of this.#all().filter((m) => m.client.userId === userID)) {
      const quality: NetworkQuality = { uplinkNetworkQuality: uplink, downlinkNetworkQuality: downlink, uplinkRTT: 20, uplinkLoss: 0, downlinkRTT: 20, downlinkLoss: 0 };
      void this.later(() => member.client.fire('network-quality', quality));
    }
  }

  /** The interval of `userID`'s volume evaluation, null when off. */
  volumeEvaluation(userID: string): number | null {
    return [...this.#evaluations].find(([client]) => client.userId === userID)?.[1].interval ?? null;
  }

  /** @internal `client.enableAudioVolumeEvaluation(interval)`: `audio-volume` every `interval` ms, or off. */
  evaluateVolume(client: FakeClient, interval: number): void {
    const current = this.#evaluations.get(client);
    if (current) this.clock.clearTimeout(current.timer);
    this.#evaluations.delete(client);
    if (interval <= 0) return;
    const evaluation = { interval, timer: null as unknown };
    const tick = (): void => {
      if (client.destroyed) return void this.#evaluations.delete(client);
      const member = this.#member(client);
      if (member?.stream?.published) {
        const result = [member, ...this.#others(member)].flatMap((m) =>
          m.stream?.published && m.stream.hasAudio()
            ? [{ userId: m.client.userId, audioVolume: m.stream.audioMuted ? 0 : (this.#volumes.get(m.client.userId) ?? 0), stream: m.stream }]
            : [],
        );
        client.fire('audio-volume', { result } as never);
      }
      evaluation.timer = this.clock.setTimeout(tick, interval);
    };
    evaluation.timer = this.clock.setTimeout(tick, interval);
    this.#evaluations.set(client, evaluation);
  }

  /** @internal */ id(prefix: string): string {
    return `${prefix}-${this.#nextID++}`;
  }

  /** @internal */ later(fn: () => void, ms = this.latency): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(() => resolve(fn()), ms));
  }

  view(binding: FakeView | null, stream: object): void {
    this.#views = this.#views.filter((v) => v.stream !== stream);
    if (binding) this.#views.push({ binding, stream });
  }

  changed(stream: FakeLocalStream, what: 'mute-audio' | 'unmute-audio' | 'mute-video' | 'unmute-video' | 'track-added' | 'track-removed'): void {
    const member = this.#all().find((m) => m.stream === stream);
    if (!member) return;
    for (const other of this.#others(member)) {
      const userId = member.client.userId;
      const remote = member.remotes.get(other.client);
      if (what === 'track-added' || what === 'track-removed') {
        // The subscriber's stream changes shape; its video comes or goes.
        if (remote) this.later(() => {
          other.client.fire('stream-updated', { stream: remote });
          other.client.fire(what === 'track-added' ? 'unmute-video' : 'mute-video', { userId });
        });
      } else this.later(() => other.client.fire(what, { userId }));
    }
  }

  /** @internal */ async join(client: FakeClient, roomId: number | string): Promise<void> {
    await this.later(() => undefined, this.joinLatency ?? this.latency);
    const twin = (this.#rooms.get(roomId) ?? []).find((m) => m.client.userId === client.userId);
    if (twin) {
      this.#remove(twin);
      twin.client.fire('client-banned', { reason: 'kick', message: 'the same user joined elsewhere' });
    }
    const room = this.#rooms.get(roomId) ?? [];
    this.#rooms.set(roomId, room);
    const member: Member = { client, stream: null, remotes: new Map() };
    const others = [...room];
    room.push(member);
    client.room = roomId;
    // The newcomer hears of the others right after its join resolves; they hear of it later.
    this.clock.setTimeout(() => {
      for (const other of others) {
        client.fire('peer-join', { userId: other.client.userId });
        if (other.stream) this.#announce(other, member);
      }
    }, 0);
    for (const other of others) this.later(() => other.client.fire('peer-join', { userId: client.userId }));
  }

  /** @internal */ async publish(client: FakeClient, stream: FakeLocalStream): Promise<void> {
    const member = this.#member(client);
    if (!member || member.stream) throw new FakeRtcError(0x1001, 'not in a room, or already publishing');
    if (!stream.hasAudio() && !stream.hasVideo()) throw new FakeRtcError(0x1001, 'the stream is not initialized');
    await this.later(() => undefined);
    member.stream = stream;
    stream.published = true;
    for (const other of this.#others(member)) this.later(() => this.#announce(member, other));
  }

  /** @internal */ async unpublish(client: FakeClient): Promise<void> {
    const member = this.#member(client);
    if (!member?.stream) return;
    await this.later(() => undefined);
    this.#unpublish(member);
  }

  /** @internal */ async subscribe(client: FakeClient, remote: FakeRemoteStream): Promise<void> {
    await this.later(() => undefined);
    const publisher = this.#all().find((m) => m.remotes.get(client) === remote && m.stream === remote.source);
    if (!publisher) throw new FakeRtcError(0x4010, 'remote stream does not exist');
    client.fire('stream-subscribed', { stream: remote });
  }

  /** @internal */ async leave(client: FakeClient): Promise<void> {
    await this.later(() => undefined);
    const member = this.#member(client);
    if (member) this.#remove(member);
  }

  /** @internal */ mutedState(client: FakeClient): RemoteMutedState[] {
    const member = this.#member(client);
    if (!member) return [];
    return this.#others(member).flatMap((m) =>
      m.stream
        ? [{ userId: m.client.userId, hasAudio: m.stream.hasAudio(), hasVideo: m.stream.hasVideo(), hasSmall: false, audioMuted: m.stream.audioMuted, videoMuted: m.stream.videoMuted }]
        : [],
    );
  }

  /** `publisher`'s stream reaches `to`: `stream-added`, then its mute state. */
  #announce(publisher: Member, to: Member): void {
    const source = publisher.stream;
    if (!source || !this.#all().includes(to)) return;
    const remote = new FakeRemoteStream(this, source, to.client.userId, this.id('remote'));
    publisher.remotes.set(to.client, remote);
    const userId = publisher.client.userId;
    to.client.fire('stream-added', { stream: remote });
    if (source.hasAudio()) to.client.fire(source.audioMuted ? 'mute-audio' : 'unmute-audio', { userId });
    if (source.hasVideo()) to.client.fire(source.videoMuted ? 'mute-video' : 'unmute-video', { userId });
  }

  #unpublish(member: Member): void {
    const stream = member.stream;
    if (!stream) return;
    member.stream = null;
    stream.published = false;
    for (const [client, remote] of member.remotes) this.later(() => client.fire('stream-removed', { stream: remote }));
    member.remotes.clear();
  }

  #remove(member: Member): void {
    this.#unpublish(member);
    const roomId = member.client.room;
    const room = roomId === null ? undefined : this.#rooms.get(roomId);
    member.client.room = null;
    if (!room || roomId === null) return;
    room.splice(room.indexOf(member), 1);
    // Whoever left hears nothing more of this room: the others' streams are no longer for it.
    for (const other of room) other.remotes.delete(member.client);
    if (room.length === 0) this.#rooms.delete(roomId);
    for (const other of room) this.later(() => other.client.fire('peer-leave', { userId: member.client.userId }));
  }

  #all(): Member[] {
    return [...this.#rooms.values()].flat();
  }

  #member(client: FakeClient): Member | undefined {
    return this.#all().find((m) => m.client === client);
  }

  #others(member: Member): Member[] {
    const room = member.client.room === null ? [] : (this.#rooms.get(member.client.room) ?? []);
    return room.filter((m) => m !== member);
  }
}

/** One browser's trtc-js-sdk module. */
export class FakeTrtcModule implements TrtcModule {
  readonly clients: FakeClient[] = [];
  readonly streams: FakeLocalStream[] = [];

  constructor(
    readonly cloud: FakeTrtcCloud,
    readonly label: string,
  ) {}

  createClient(config: ClientConfig): Client {
    // trtc-js-sdk's checks (and `rtc` mode, the only one calls use).
    if (config.mode !== 'rtc' || typeof config.userId !== 'string' || !config.userId || typeof config.userSig !== 'string' || !config.userSig || !Number.isInteger(config.sdkAppId)) {
      throw new FakeRtcError(0x1000, 'invalid client config');
    }
    const client = new FakeClient(this.cloud, config);
    this.clients.push(client);
    return client;
  }

  createStream(config: StreamConfig): LocalStream {
    // trtc-js-sdk's checks: each option of its type, audio or video asked for.
    const wrong = (['audio', 'video'] as const).find((k) => config[k] !== undefined && typeof config[k] !== 'boolean') ??
      (['userId', 'microphoneId', 'cameraId'] as const).find((k) => config[k] !== undefined && typeof config[k] !== 'string');
    if (wrong || (!config.audio && !config.video)) throw new FakeRtcError(0x1000, `invalid stream config${wrong ? `: ${wrong}` : ''}`);
    const devices = () => this.cloud.devices(this.label);
    const capture = async () => {
      const d = devices();
      if (d.permission === 'denied') throw mediaError('NotAllowedError', 'Permission denied');
      if (config.audio && d.microphone === false) throw mediaError('NotFoundError', 'Requested device not found');
      if (config.video && d.camera === false) throw mediaError('NotFoundError', 'Requested device not found');
      return {
        audio: config.audio ? new FakeMediaStreamTrack('audio') : null,
        video: config.video ? await this.#openCamera(config.cameraId) : null,
      };
    };
    const stream = new FakeLocalStream(this.cloud, config.userId ?? this.label, this.cloud.id('local'), capture, (id) => this.#openCamera(id));
    this.streams.push(stream);
    return stream;
  }

  async checkSystemRequirements(): Promise<CheckResult> {
    const ok = this.cloud.devices(this.label).webrtc !== false;
    return {
      result: ok,
      detail: {
        isBrowserSupported: ok,
        isWebRTCSupported: ok,
        isMediaDevicesSupported: ok,
        isH264EncodeSupported: ok,
        isH264DecodeSupported: ok,
        isVp8EncodeSupported: ok,
        isVp8DecodeSupported: ok,
      },
    };
  }

  async getCameras(): Promise<InputDeviceInfo[]> {
    return this.#cameras().map((id) => device('videoinput', id));
  }

  /** A camera of this browser is unplugged: gone from the list, and the tracks capturing it end. */
  unplugCamera(deviceId: string): void {
    this.cloud.setDevices(this.label, { cameras: this.#cameras().filter((id) => id !== deviceId) });
    for (const stream of this.streams) if (stream.videoTrack?.deviceId === deviceId) stream.videoTrack.unplugged();
  }

  #cameras(): readonly string[] {
    const d = this.cloud.devices(this.label);
    return d.camera === false ? [] : (d.cameras ?? ['camera-1']);
  }

  /** A track of the camera `cameraId` (the first one when not given), as `getUserMedia` would open it. */
  async #openCamera(cameraId: string | undefined): Promise<FakeMediaStreamTrack> {
    const id = cameraId ?? this.#cameras()[0];
    if (id === undefined || !this.#cameras().includes(id)) throw mediaError('NotFoundError', 'Requested device not found');
    return new FakeMediaStreamTrack('video', id);
  }

  async getMicrophones(): Promise<InputDeviceInfo[]> {
    return this.cloud.devices(this.label).microphone === false ? [] : [device('audioinput', 'mic-1')];
  }

  async getSpeakers(): Promise<MediaDeviceInfo[]> {
    return [device('audiooutput', 'speaker-1')];
  }
}

function device(kind: MediaDeviceKind, deviceId: string): InputDeviceInfo {
  const info = { deviceId, groupId: 'fake', kind, label: `fake ${deviceId}` };
  return { ...info, toJSON: () => info, getCapabilities: () => ({}) };
}
