/**
 * The embedded backend's media: a WebRTC mesh in the browser, one {@link Peer} per remote
 * member, over the membership and relay of a {@link WsRoomPort}.
 *
 * - `enter` captures the microphone (and the camera in a video call) before joining, so a
 *   denied or missing device fails the enter with 60003-60006 and nobody sees us come.
 * - A member counts as entered (`userEntered`) when its media arrives, not when the server says
 *   it joined; what it publishes (`audioAvailable`, `videoAvailable`, from the server's member
 *   state) is held until then, and a member whose media never came leaves unannounced.
 * - A member leaves (`userLeft`) when the server says so, or when its connection has been down
 *   longer than `leaveGraceMs`.
 * - The camera and the microphone change without renegotiating when the browser allows it
 *   (`replaceTrack`, `track.enabled`); the server's member state tells the others.
 * - Media is negotiated only with the users the call invited (`EnterOptions.participants`): a
 *   member the server announces, or whose offer arrives, that the call never named is ignored.
 */
import type { UserID } from '../../machines/types';
import { type Clock, type TimerId, realClock } from '../clock';
import type { Unsubscribe } from '../ImPort';
import { type EnterOptions, type RoomEvent, type RoomPort, RoomPortError } from '../RoomPort';
import { Listeners } from '../ws/listeners';
import type { RelayedData, WsRoomPort } from '../ws/WsRoomPort';
import { type MediaEnvironment, audioElement, browserEnvironment, capture, captureCamera, requireWebRtc, videoElement } from './media';
import { Peer, type PeerMessage, parsePeerMessage } from './peer';

/** How long devices captured by `prepare()` wait for the call to enter its room. */
const PREPARED_TTL_MS = 15_000;

/** Options of {@link WebRtcRoomPort}. */
export interface WebRtcRoomPortOptions {
  /** STUN/TURN servers (none are needed between two tabs of one machine). */
  readonly iceServers?: readonly RTCIceServer[];
  /** How long a member's connection may stay down before it counts as gone (default 5 s). */
  readonly leaveGraceMs?: number;
  readonly clock?: Clock;
  /** Browser APIs; defaults to the page's own, read when used. */
  readonly environment?: () => MediaEnvironment;
  readonly onListenerError?: (error: unknown) => void;
}

interface Member {
  readonly peer: Peer;
  entered: boolean;
  /** Publication news held until the member's media arrives. */
  held: RoomEvent[];
  audio: HTMLAudioElement | null;
  downTimer: TimerId | null;
}

const fail = (message: string) => new RoomPortError(65535, message);

/** The browser `RoomPort` of the embedded backend. */
export class WebRtcRoomPort implements RoomPort {
  private roomID: number | null = null;
  private self: UserID = '';
  private local: MediaStream | null = null;
  /** Devices captured by `prepare()` for the next `enter()`; dropped if no call takes them soon. */
  private prepared: { readonly stream: MediaStream; readonly video: boolean; readonly timer: TimerId } | null = null;
  private readonly members = new Map<UserID, Member>();
  /** Whom the call invited: nobody else gets a peer connection (null: the room decides). */
  private participants: ReadonlySet<UserID> | null = null;
  private readonly ignored = new Set<UserID>();
  /** DOM id -> the `<video>` put there, and whose it is (`null` = local). */
  private readonly views = new Map<string, { readonly video: HTMLVideoElement; readonly userID: UserID | null }>();
  /** Local views asked for before the capture. */
  private readonly pendingLocal = new Set<string>();
  private readonly listeners: Listeners<RoomEvent>;
  private readonly clock: Clock;
  private readonly env: () => MediaEnvironment;

  constructor(
    /** Membership, member state and the relay. */
    readonly signaling: WsRoomPort,
    private readonly options: WebRtcRoomPortOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.env = options.environment ?? browserEnvironment;
    this.listeners = new Listeners(options.onListenerError ?? ((error: unknown) => console.error(error)));
    signaling.onEvent((event) => this.onSignal(event));
    signaling.onRelay((relayed) => this.onRelay(relayed));
  }

  /**
   * Captures the microphone (and the camera when `video`) before the call is dialled or
   * answered, so a refused or missing device fails `call()` / `accept()` with its code.
   */
  async prepare(options: { readonly video: boolean }): Promise<void> {
    const { mediaDevices } = requireWebRtc(this.env());
    if (this.local) return; // in a room already: enter() will say so
    this.dropPrepared();
    const stream = await capture(mediaDevices, options.video);
    // A command refused after this (the line got busy meanwhile) must not leave the camera on.
    const timer = this.clock.setTimeout(() => this.dropPrepared(), PREPARED_TTL_MS);
    this.prepared = { stream, video: options.video, timer };
  }

  /** Claims the room on the server before the call is dialled (see {@link WsRoomPort.reserve}). */
  reserve(roomID: number): Promise<void> {
    return this.signaling.reserve(roomID);
  }

  async enter(roomID: number, options: EnterOptions): Promise<void> {
    if (this.roomID !== null || this.local) throw fail('already in a room');
    this.participants = options.participants ? new Set(options.participants) : null;
    const { mediaDevices } = requireWebRtc(this.env());
    const stream = this.takePrepared(options.video) ?? (await capture(mediaDevices, options.video));
    for (const track of stream.getAudioTracks()) track.enabled = !options.audioMuted;
    this.local = stream;
    this.self = options.userID;
    for (const domID of this.pendingLocal) {
      try {
        this.show(domID, stream, null);
      } catch {
        // the element went away before the capture: nothing to show
      }
    }
    this.pendingLocal.clear();
    try {
      await this.signaling.enter(roomID, options);
      this.roomID = roomID;
    } catch (error) {
      this.stopLocal();
      throw error;
    }
  }

  async exit(): Promise<void> {
    this.dropPrepared();
    this.leaveAll();
    await this.signaling.exit();
  }

  /** The prepared capture, if it has what `enter` needs. */
  private takePrepared(video: boolean): MediaStream | null {
    const prepared = this.prepared;
    if (!prepared || prepared.video !== video) {
      this.dropPrepared();
      return null;
    }
    this.clock.clearTimeout(prepared.timer);
    this.prepared = null;
    return prepared.stream;
  }

  private dropPrepared(): void {
    const prepared = this.prepared;
    if (!prepared) return;
    this.prepared = null;
    this.clock.clearTimeout(prepared.timer);
    for (const track of prepared.stream.getTracks()) track.stop();
  }

  async setCamera(on: boolean): Promise<void> {
    const local = this.local;
    if (local) {
      const current = local.getVideoTracks()[0] ?? null;
      if (on && !current) {
        const track = await captureCamera(requireWebRtc(this.env()).mediaDevices);
        if (this.local !== local) {
          track.stop();
          return;
        }
        local.addTrack(track);
        await Promise.all([...this.members.values()].map((m) => m.peer.setVideo(track)));
      } else if (!on && current) {
        local.removeTrack(current);
        current.stop(); // the camera light goes off
        await Promise.all([...this.members.values()].map((m) => m.peer.setVideo(null)));
      }
    }
    await this.signaling.setCamera(on);
  }

  async setMicMuted(muted: boolean): Promise<void> {
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = !muted;
    await this.signaling.setMicMuted(muted);
  }

  /** Before the camera is captured (the call is still being set up) the view waits for it. */
  async startLocalView(videoViewDomID: string): Promise<void> {
    if (!videoViewDomID) throw fail('empty videoViewDomID');
    if (this.local) this.show(videoViewDomID, this.local, null);
    else this.pendingLocal.add(videoViewDomID);
  }

  async stopLocalView(videoViewDomID: string): Promise<void> {
    this.pendingLocal.delete(videoViewDomID);
    this.hide(videoViewDomID, null);
  }

  async startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    const member = this.members.get(userID);
    if (!member?.entered) throw fail('user not in room');
    this.show(videoViewDomID, member.peer.stream, userID);
  }

  async stopRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    this.hide(videoViewDomID, userID);
  }

  onEvent(listener: (event: RoomEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** The connection to `userID`, if any (stats, tests). */
  peerConnection(userID: UserID): RTCPeerConnection | undefined {
    return this.members.get(userID)?.peer.pc;
  }

  /** The local capture while in a room. */
  get localStream(): MediaStream | null {
    return this.local;
  }

  // -------------------------------------------------------------------------------------------

  private onSignal(event: RoomEvent): void {
    switch (event.type) {
      case 'userEntered':
        return this.addMember(event.userID);
      case 'audioAvailable':
      case 'videoAvailable': {
        const member = this.members.get(event.userID);
        if (!member) return;
        if (member.entered) this.listeners.emit(event);
        else member.held.push(event);
        return;
      }
      case 'userLeft':
        return this.removeMember(event.userID);
      case 'failed':
        this.leaveAll();
        this.listeners.emit(event);
        return;
    }
  }

  /** True for a member the call invited (every member when the call named nobody); others are reported once. */
  private invited(userID: UserID): boolean {
    if (this.participants === null || this.participants.has(userID)) return true;
    if (!this.ignored.has(userID)) this.options.onListenerError?.(new Error(`ignored ${userID}: the call did not invite them`));
    this.ignored.add(userID);
    return false;
  }

  private addMember(userID: UserID): void {
    const roomID = this.signaling.room;
    if (roomID === null || this.members.has(userID) || userID === this.self || !this.invited(userID)) return;
    const { RTCPeerConnection } = requireWebRtc(this.env());
    const peer = new Peer(userID, this.self > userID, {
      RTCPeerConnection,
      iceServers: this.options.iceServers ?? [],
      send: (message: PeerMessage) => {
        this.signaling.relay(userID, JSON.stringify(message)).catch(() => undefined); // gone: its peer closes
      },
      onMedia: () => this.arrived(userID, peer),
      onState: (state) => this.onPeerState(userID, peer, state),
      onError: (error) => this.options.onListenerError?.(error),
    }, this.local?.getTracks() ?? []);
    this.members.set(userID, { peer, entered: false, held: [], audio: null, downTimer: null });
  }

  /** The member's media is here: it has entered, and what it publishes is news now. */
  private arrived(userID: UserID, peer: Peer): void {
    const member = this.members.get(userID);
    const roomID = this.roomID ?? this.signaling.room;
    if (!member || member.peer !== peer || member.entered || roomID === null) return;
    member.entered = true;
    const doc = this.env().document;
    // An <audio> plays only the sound of the stream, tracks added later included.
    if (doc?.body) member.audio = audioElement(doc, peer.stream, userID);
    this.listeners.emit({ type: 'userEntered', roomID, userID });
    for (const event of member.held.splice(0)) this.listeners.emit(event);
  }

  private onPeerState(userID: UserID, peer: Peer, state: RTCPeerConnectionState): void {
    const member = this.members.get(userID);
    if (!member || member.peer !== peer) return;
    if (state === 'connected') {
      if (member.downTimer !== null) this.clock.clearTimeout(member.downTimer);
      member.downTimer = null;
      return;
    }
    if (state === 'failed' && !peer.polite) peer.pc.restartIce();
    if ((state === 'disconnected' || state === 'failed') && member.downTimer === null) {
      member.downTimer = this.clock.setTimeout(() => {
        member.downTimer = null;
        if (this.members.get(userID) === member) this.removeMember(userID);
      }, this.options.leaveGraceMs ?? 5000);
    }
  }

  private onRelay({ from, data }: RelayedData): void {
    const message = parsePeerMessage(data);
    if (!message || this.local === null || (!this.members.has(from) && !this.invited(from))) return;
    // An offer may come before the server's news of its sender: the sender is in the room.
    if (!this.members.has(from)) this.addMember(from);
    this.members.get(from)?.peer.receive(message);
  }

  private removeMember(userID: UserID): void {
    const member = this.members.get(userID);
    if (!member) return;
    this.members.delete(userID);
    this.dispose(userID, member);
    const roomID = this.roomID ?? this.signaling.room;
    if (member.entered && roomID !== null) this.listeners.emit({ type: 'userLeft', roomID, userID });
  }

  private dispose(userID: UserID, member: Member): void {
    if (member.downTimer !== null) this.clock.clearTimeout(member.downTimer);
    member.peer.close();
    member.audio?.remove();
    for (const [domID, view] of this.views) if (view.userID === userID) this.hide(domID, userID);
  }

  private leaveAll(): void {
    for (const [userID, member] of this.members) this.dispose(userID, member);
    this.members.clear();
    for (const [domID, view] of this.views) this.hide(domID, view.userID);
    this.pendingLocal.clear();
    this.stopLocal();
    this.roomID = null;
    this.participants = null;
    this.ignored.clear();
  }

  private stopLocal(): void {
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
  }

  private show(domID: string, stream: MediaStream, userID: UserID | null): void {
    if (!domID) throw fail('empty videoViewDomID');
    const container = this.env().document?.getElementById(domID);
    if (!container) throw fail(`no element with id "${domID}"`);
    this.views.get(domID)?.video.remove();
    const video = videoElement(container.ownerDocument, stream, userID ?? this.self, userID === null);
    container.appendChild(video);
    this.views.set(domID, { video, userID });
  }

  private hide(domID: string, userID: UserID | null): void {
    const view = this.views.get(domID);
    if (!view || view.userID !== userID) return;
    view.video.srcObject = null;
    view.video.remove();
    this.views.delete(domID);
  }
}
