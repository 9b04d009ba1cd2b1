/**
 * The embedded backend's media: a WebRTC mesh in the browser, one {@link Peer} per remote
 * member, over the membership and relay of a {@link WsRoomPort}.
 *
 * - `enter` captures the microphone (and the camera in a video call) while it enters the room
 *   (or takes the capture `prepare()` started, still under way or done); a denied or missing
 *   device fails the enter with 60003-60006, and the room is left again at once.
 * - It reports facts and decides nothing: `memberJoined` / `memberLeft` and what a member
 *   publishes come from the server; `mediaArrived` when a member's first track arrives here;
 *   `connectionLost` / `connectionBack` when our connection to it goes down (disconnected or
 *   failed: ICE restarts follow, bounded, see {@link IceRecovery}) or comes back. Whether and when a member counts
 *   as in the call, or as gone, the call machine decides.
 * - The camera and the microphone change without renegotiating when the browser allows it
 *   (`replaceTrack`, `track.enabled`); the server's member state tells the others.
 * - Media is negotiated only with the users the call invited (`EnterOptions.participants`): a
 *   member the server announces, or whose offer arrives, that the call never named is ignored.
 * - Setup overlaps (see {@link Mesh}): the capture and the room enter run together; a connection
 *   to each user the 1v1 call invited is made before they are in the room (by the side that opens
 *   at once, with places for the tracks being captured; by the other once they are), and its offer
 *   goes behind our `roomEnter`, when the server holds relays: it waits there for them and is
 *   handed to them early while they ring. A callee answers such an offer as its own enter goes
 *   out, without waiting for the room's reply.
 * - `prepare()` calls run one after another; a capture no call takes within 15 s is released.
 * - Voice volume and network quality come from `getStats()`, polled only while watched ({@link WebRtcStats}).
 * - `dispose()` (the facade's `destroy()`) writes the room exit at once, closes every peer
 *   connection and stops every captured track.
 */
import type { UserID } from '../../machines/types';
import { type Clock, realClock } from '../clock';
import type { Unsubscribe } from '../ImPort';
import { type EnterOptions, type RoomEvent, type RoomPort, RoomPortError, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import type { DeviceChange, DeviceInfo, DeviceType, VideoProfile } from '../mediaDevices';
import { LocalDevices } from './devices';
import { Listeners } from '../ws/listeners';
import type { WsRoomPort } from '../ws/WsRoomPort';
import { MEDIA_ERROR, type MediaEnvironment, browserEnvironment, capture, captureCamera, deniedAhead, requireWebRtc } from './media';
import { Mesh } from './mesh';
import { PreparedCapture } from './prepared';
import { VideoViews } from './views';
import type { IceRecoveryOptions } from './iceRecovery';
import { WebRtcStats } from './stats';

/** Options of {@link WebRtcRoomPort}. */
export interface WebRtcRoomPortOptions {
  /** STUN/TURN servers (none are needed between two tabs of one machine). */
  readonly iceServers?: readonly RTCIceServer[];
  /** The server's TURN servers with this user's credentials, read as each connection is made (`webrtcBackend`). */
  readonly turn?: () => readonly RTCIceServer[];
  /** `'relay'`: media only through TURN, so no peer learns another's addresses (default `'all'`). */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  readonly clock?: Clock;
  /** Browser APIs; defaults to the page's own, read when used. */
  readonly environment?: () => MediaEnvironment;
  readonly onListenerError?: (error: unknown) => void;
  /** When ICE restarts and when it gives up (default {@link ICE_RECOVERY}). */
  readonly iceRecovery?: IceRecoveryOptions;
}

const fail = (message: string) => new RoomPortError(65535, message);

/** The browser `RoomPort` of the embedded backend. */
export class WebRtcRoomPort implements RoomPort {
  /** `enter` takes a capture `prepare()` started, still under way or not: calls are signalled while it is made. */
  readonly capturesWhileEntering = true;
  private roomID: number | null = null;
  private self: UserID = '';
  private local: MediaStream | null = null;
  /** Devices captured by `prepare()` for the next `enter()`; dropped if no call takes them soon. */
  private readonly prepared: PreparedCapture;
  private disposed = false;
  private epoch = 0; // counts enters and exits: a capture landing after its enter was left behind is stopped
  private entering = false; // an enter is under way (capturing, entering)
  /** What the capture of the enter under way lands as: its options, then what `preset` says. */
  private wanted: { video: boolean; audioMuted: boolean } = { video: false, audioMuted: false };
  private readonly mesh: Mesh;
  private participants: ReadonlySet<UserID> | null = null; // whom the call invited: nobody else gets a peer connection (null: the room decides)
  private readonly ignored = new Set<UserID>();
  private readonly replacing = { video: 0, audio: 0 }; // device switches asked for, by kind: a capture a later switch overtook is dropped
  /** The `<video>` elements shown, local and remote. */
  private readonly views: VideoViews;
  private readonly listeners: Listeners<RoomEvent>;
  private readonly clock: Clock;
  private readonly env: () => MediaEnvironment;
  /** The chosen camera and microphone, the video profile, the lists and hot-plug. */
  private readonly devices: LocalDevices;
  private readonly report: (error: unknown) => void;
  private readonly stats: WebRtcStats;

  constructor(
    /** Membership, member state and the relay. */
    readonly signaling: WsRoomPort,
    private readonly options: WebRtcRoomPortOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.env = options.environment ?? browserEnvironment;
    this.report = options.onListenerError ?? ((error: unknown) => console.error(error));
    this.listeners = new Listeners(this.report);
    this.devices = new LocalDevices(() => this.env().mediaDevices, (error) => this.report(error));
    this.views = new VideoViews(() => this.env().document, () => this.self);
    this.prepared = new PreparedCapture(this.clock, () => this.local !== null || this.disposed);
    this.stats = new WebRtcStats(
      {
        self: () => (this.local && (this.roomID ?? signaling.room) !== null ? this.self : null),
        micMuted: () => !this.local?.getAudioTracks().some((t) => t.enabled),
        peers: () => this.mesh.withMedia(),
      },
      this.clock,
      this.report,
    );
    this.mesh = new Mesh({
      signaling,
      clock: this.clock,
      config: () => ({ iceServers: [...(options.iceServers ?? []), ...(options.turn?.() ?? [])], iceTransportPolicy: options.iceTransportPolicy ?? 'all' }),
      iceRecovery: options.iceRecovery,
      env: () => this.env(),
      self: () => this.self,
      local: () => this.local,
      roomID: () => this.roomID ?? signaling.room,
      invited: (userID) => this.invited(userID),
      emit: (event) => this.listeners.emit(event),
      forget: (userID) => {
        this.stats.forget(userID);
        this.views.hideAllOf(userID);
      },
      negotiated: () => void this.limitBitrate(),
      onError: this.report,
    });
    signaling.onEvent((event) => this.onSignal(event));
    signaling.onRelay((relayed) => this.mesh.relay(relayed));
  }

  /** A device of the call already denied to the page (the Permissions API): `call()` fails before it invites. */
  permissionDenied(media: { readonly video: boolean }): Promise<RoomPortError | null> {
    const env = this.env();
    requireWebRtc(env); // no WebRTC (60006) is the capture's to tell, before any permission
    return deniedAhead(env, media.video);
  }

  /**
   * Captures the microphone (and the camera when `video`) before the call is dialled or
   * answered, so a refused or missing device fails `call()` / `accept()` with its code.
   * Calls run one after another: a capture that fits is kept (its 15 s start again), one that
   * does not is stopped before the next one is made, so two overlapping calls never leak one.
   */
  async prepare(options: { readonly video: boolean }): Promise<void> {
    await this.prepared.prepare(this.devices.capturing(requireWebRtc(this.env()).mediaDevices), options.video);
  }

  /** Claims the room on the server before the call is dialled (see {@link WsRoomPort.reserve}). */
  reserve(roomID: number): Promise<void> {
    return this.signaling.reserve(roomID);
  }

  /**
   * Enters the room while the devices are captured (or the capture `prepare()` started lands):
   * the server's member list and the relays that come meanwhile wait for the capture. A failed
   * capture leaves the room again and fails the enter with its code (60003-60006).
   */
  async enter(roomID: number, options: EnterOptions): Promise<void> {
    if (this.roomID !== null || this.local || this.entering) throw fail('already in a room');
    const { mediaDevices } = requireWebRtc(this.env());
    this.participants = options.participants ? new Set(options.participants) : null;
    this.self = options.userID;
    this.entering = true;
    this.wanted = { video: options.video, audioMuted: options.audioMuted };
    const epoch = ++this.epoch;
    const entering = this.signaling.enter(roomID, options);
    // Awaited below, once the capture is in hand; the room's reply settles what came early at once.
    entering.then(
      () => epoch === this.epoch && this.mesh.listed(),
      () => undefined,
    );
    const capturing = this.prepared.take(options.video, () => capture(this.devices.capturing(mediaDevices), options.video));
    try {
      // Connections are made once the call's other requests of this step are out (the invitation
      // is not held up by them). An audio call makes no place for a camera: it is never opened.
      // Our roomEnter is out: what they send goes behind it, and an offer handed to us early
      // (while we rang) is answered now, a round trip before the room's reply.
      await Promise.resolve();
      if (epoch === this.epoch) {
        this.mesh.hold(options.video ? ['audio', 'video'] : ['audio'], options.participants ?? []);
        this.mesh.enterSent();
        for (const relayed of this.signaling.takeEarly(roomID)) this.mesh.relay(relayed);
      }
      const stream = await capturing;
      const left = this.stale(epoch, 'capturing');
      if (left) {
        for (const track of stream.getTracks()) track.stop();
        throw left;
      }
      // As the user wants it now: a mute or a closed camera told while capturing is never sent.
      for (const track of stream.getAudioTracks()) track.enabled = !this.wanted.audioMuted;
      for (const track of stream.getVideoTracks()) {
        if (this.wanted.video) this.watch(track);
        else {
          stream.removeTrack(track);
          track.stop(); // the camera light goes off
        }
      }
      this.local = stream;
      this.views.captured(stream);
      this.mesh.captured(options.participants ?? []);
    } catch (error) {
      this.entering = false;
      if (epoch === this.epoch) this.leaveAll();
      // The enter may be out: the room is left once it is in (the exit waits for it).
      void this.signaling.exit().catch((e: unknown) => this.report(e));
      throw error;
    }
    try {
      await entering;
      const left = this.stale(epoch, 'entering');
      if (left) throw left;
      this.roomID = roomID;
    } catch (error) {
      if (epoch === this.epoch) this.leaveAll();
      throw error;
    } finally {
      this.entering = false;
    }
  }

  /** Why the enter of `epoch` is over (disposed, or the room left while `doing`); null while it is not. */
  private stale(epoch: number, doing: string): RoomPortError | null {
    if (this.disposed) return fail('disposed');
    return epoch === this.epoch ? null : fail(`left the room while ${doing}`);
  }

  /** While an enter captures: its capture lands as `media` says (see {@link RoomPort.preset}). */
  preset(media: { readonly video: boolean; readonly audioMuted: boolean }): void {
    if (this.entering) this.wanted = { ...media };
  }

  /** Releases what `prepare()` captured or is capturing (see {@link RoomPort.unprepare}). */
  unprepare(): void {
    this.prepared.drop();
  }

  /** An invitation we did not answer is over: the relays its caller handed early go (see {@link RoomPort.forgetInvitation}). */
  forgetInvitation(roomID: number): void {
    this.signaling.forgetInvitation(roomID);
  }

  /** Leaves the room (also the one being entered): the exit is written first, then every connection closes. */
  async exit(): Promise<void> {
    this.prepared.release();
    this.epoch += 1;
    const left = this.signaling.exit();
    this.leaveAll();
    await left;
  }

  /** Leaves any room and releases every capture and connection, at once; the port takes no new call. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.exit();
  }

  async setCamera(on: boolean): Promise<void> {
    const local = this.local;
    if (local) {
      const current = local.getVideoTracks()[0] ?? null;
      if (on && !current) {
        const track = await captureCamera(this.devices.capturing(requireWebRtc(this.env()).mediaDevices));
        if (this.local !== local) {
          track.stop();
          return;
        }
        local.addTrack(track);
        this.watch(track);
        await Promise.all(this.mesh.peers().map((peer) => peer.setVideo(track)));
        await this.limitBitrate();
      } else if (!on && current) await this.stopCamera(local, current);
    }
    try {
      await this.signaling.setCamera(on);
    } catch (error) {
      // Refused (the server's rate limit): the call takes the camera as off, so it is off (the others are told
      // with our next publish the server takes).
      const track = on ? local?.getVideoTracks()[0] : undefined;
      if (local && track) await this.stopCamera(local, track);
      throw error;
    }
  }

  private async stopCamera(local: MediaStream, track: MediaStreamTrack): Promise<void> {
    local.removeTrack(track);
    track.stop(); // the camera light goes off
    await Promise.all(this.mesh.peers().map((peer) => peer.setVideo(null)));
  }

  async setMicMuted(muted: boolean): Promise<void> {
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted;
    await this.signaling.setMicMuted(muted);
  }

  /** Before the camera is captured (the call is still being set up) the view waits for it. */
  async startLocalView(videoViewDomID: string): Promise<void> {
    this.views.startLocal(videoViewDomID, this.local);
  }

  async stopLocalView(videoViewDomID?: string): Promise<void> {
    this.views.stopLocal(videoViewDomID);
  }

  async startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    const peer = this.mesh.peer(userID);
    if (!peer || !this.mesh.hasMedia(userID)) throw fail('user not in room');
    this.views.show(videoViewDomID, peer.stream, userID);
  }

  async stopRemoteView(userID: UserID, videoViewDomID?: string): Promise<void> {
    this.views.hide(videoViewDomID, userID);
  }

  onEvent(listener: (event: RoomEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** Levels from `getStats()` every 200 ms, polled only while watched (see {@link WebRtcStats}). */
  watchVoiceVolume(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe {
    return this.stats.watchVoiceVolume(listener);
  }

  /** Qualities graded from RTT, loss and jitter every 2 s, polled only while watched. */
  watchNetworkQuality(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe {
    return this.stats.watchNetworkQuality(listener);
  }

  async getCameras(): Promise<DeviceInfo[]> {
    return this.devices.list('videoinput');
  }

  async getMicrophones(): Promise<DeviceInfo[]> {
    return this.devices.list('audioinput');
  }

  async getSpeakers(): Promise<DeviceInfo[]> {
    return this.devices.list('audiooutput');
  }

  currentDevices(): { readonly camera?: string; readonly microphone?: string } {
    const camera = this.local?.getVideoTracks()[0]?.getSettings().deviceId ?? this.devices.camera;
    const microphone = this.local?.getAudioTracks()[0]?.getSettings().deviceId ?? this.devices.microphone;
    return { ...(camera ? { camera } : {}), ...(microphone ? { microphone } : {}) };
  }

  onDeviceChange(listener: (change: DeviceChange) => void): Unsubscribe {
    return this.devices.onChange(listener);
  }

  /**
   * Uses this camera or microphone for the next captures and, in a call, now: the new track
   * takes the old one's place on every connection (`RTCRtpSender.replaceTrack`, no renegotiation),
   * so the others keep receiving. A camera that is off is only chosen.
   */
  async switchDevice(params: { readonly deviceType: DeviceType; readonly deviceId: string }): Promise<void> {
    await this.devices.choose(params.deviceType, params.deviceId);
    const kind = params.deviceType;
    if (this.local?.getTracks().some((t) => t.kind === kind)) await this.replace(kind, { [kind]: kind === 'video' ? this.devices.video(true) : this.devices.audio(true) });
  }

  /** Applies the profile to the camera now (resolution, frame rate, bitrate) and to the next captures. */
  async setVideoQuality(profile: VideoProfile): Promise<void> {
    this.devices.profile = profile;
    const track = this.local?.getVideoTracks()[0];
    const constraints = this.devices.video();
    if (track && constraints !== true) await track.applyConstraints(constraints).catch((error: unknown) => this.report(error));
    await this.limitBitrate();
  }

  /** The connection to `userID`, if any (stats, tests). */
  peerConnection(userID: UserID): RTCPeerConnection | undefined {
    return this.mesh.peer(userID)?.pc;
  }

  /** The local capture while in a room. */
  get localStream(): MediaStream | null {
    return this.local;
  }

  // -------------------------------------------------------------------------------------------

  /** The server's facts: passed on, and the mesh follows the membership. */
  private onSignal(event: RoomEvent): void {
    // A member the call never invited gets no peer connection and is never reported.
    if ('userID' in event && event.userID !== this.self && !this.invited(event.userID)) return;
    switch (event.type) {
      case 'memberJoined':
        this.mesh.arrive(event.userID);
        break;
      case 'mediaArrived':
        return; // the signaling room has no media: ours is reported when its tracks arrive
      case 'memberLeft':
        this.mesh.remove(event.userID);
        break;
      case 'failed':
        this.leaveAll();
        break;
      case 'reconnected':
        this.listeners.emit({ ...event, members: event.members.filter((u) => this.invited(u)) });
        return;
    }
    this.listeners.emit(event);
  }

  /** True for a member the call invited (every member when the call named nobody); others are reported once. */
  private invited(userID: UserID): boolean {
    if (this.participants === null || this.participants.has(userID)) return true;
    if (!this.ignored.has(userID)) this.options.onListenerError?.(new Error(`ignored ${userID}: the call did not invite them`));
    this.ignored.add(userID);
    return false;
  }

  private leaveAll(): void {
    this.mesh.closeAll();
    this.views.clear();
    this.stopLocal();
    this.roomID = null;
    this.participants = null;
    this.ignored.clear();
  }

  /**
   * Captures a track with `constraints` and puts it in the place of the `kind` track in use once it
   * is captured (another switch may have replaced the one there before), here and on every connection.
   */
  private async replace(kind: DeviceType, constraints: MediaStreamConstraints): Promise<void> {
    const local = this.local;
    const asked = ++this.replacing[kind];
    const stream = await requireWebRtc(this.env()).mediaDevices.getUserMedia(constraints);
    const track = stream.getTracks()[0];
    // None in use now (the room left, or the camera closed: its track stopped and removed), or a later
    // switch asked for another device meanwhile: the new one goes.
    const old = local && this.local === local && asked === this.replacing[kind] ? local.getTracks().find((t) => t.kind === kind) : undefined;
    if (!track || !local || !old) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    track.enabled = old.enabled;
    // In the stream at once, so that a switch landing meanwhile replaces this one; the senders take it
    // before the old one stops, so the others see no gap.
    local.removeTrack(old);
    local.addTrack(track);
    const senders = this.mesh.peers().map((peer) => peer.pc.getSenders().find((s) => s.track === old || s.track?.kind === track.kind));
    await Promise.all(senders.map((sender) => sender?.replaceTrack(track)));
    old.stop();
    if (kind === 'video') {
      this.watch(track);
      this.views.localChanged(local);
      await this.limitBitrate();
    }
  }

  /**
   * A camera that ends by itself (unplugged) is replaced by another one, so the call never
   * freezes on its last frame; with none left the camera goes off for the others and 60004 is told.
   */
  private watch(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => void this.cameraLost(track));
  }

  private async cameraLost(track: MediaStreamTrack): Promise<void> {
    if (!this.local?.getVideoTracks().includes(track)) return; // stopped by us
    const lostId = track.getSettings().deviceId;
    const other = (await this.devices.list('videoinput')).find((d) => d.deviceId !== lostId);
    if (other) {
      this.devices.camera = other.deviceId;
      try {
        await this.replace('video', { video: this.devices.video(true) });
        this.devices.emit({ lost: 'camera', fallback: other });
        return;
      } catch {
        // the other camera cannot be opened either: as if there were none
      }
    }
    this.devices.emit({ lost: 'camera', error: new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'the camera in use was unplugged and no other can be opened') });
    await this.setCamera(false).catch((error: unknown) => this.report(error));
  }

  /** Caps every video sender at the profile's bitrate (`maxBitrate`), when a profile is set. */
  private async limitBitrate(): Promise<void> {
    const bitrate = this.devices.profile?.bitrate;
    if (bitrate === undefined) return;
    for (const peer of this.mesh.peers()) {
      // By its transceiver: a place answered before our capture has no track yet, and keeps the cap when it gets one.
      const sender = peer.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video' && (t.direction === 'sendrecv' || t.direction === 'sendonly'))?.sender;
      if (!sender) continue;
      const parameters = sender.getParameters();
      if (parameters.encodings.length === 0) continue; // not negotiated yet: applied when the camera changes
      for (const encoding of parameters.encodings) encoding.maxBitrate = bitrate * 1000;
      await sender.setParameters(parameters).catch((error: unknown) => this.report(error));
    }
  }

  private stopLocal(): void {
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
  }
}
