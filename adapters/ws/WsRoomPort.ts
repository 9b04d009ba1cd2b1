/**
 * The signaling half of the embedded backend's `RoomPort`: room membership and what each
 * member publishes (audio, video) through the server, over the same connection as the IM.
 * No media flows yet (the WebRTC half comes with issue 4): views are recorded, like the memory
 * room does, and `relay`/`onRelay` carry opaque data between members for SDP and ICE.
 *
 * After a dropped connection the room is kept when the server resumed the session (the member
 * list is then re-read); otherwise (the server restarted, or the grace period ran out) the port
 * enters the room again and waits `roomGraceMs` for members it knew before announcing them gone.
 */
import type { UserID } from '../../machines/types';
import { type Clock, type TimerId, realClock } from '../clock';
import type { Unsubscribe } from '../ImPort';
import { RoomPortError, type EnterOptions, type RoomEvent, type RoomPort } from '../RoomPort';
import { WsPortError } from './errors';
import { Listeners } from './listeners';
import type { ClientRequest, PushFrame, ReplyFrame, RoomMember } from './protocol';
import type { Reconnection, WsConnection } from './WsConnection';

/** A view binding: the local camera, or a remote user's video, rendered into `domID`. */
export interface WsViewBinding {
  readonly kind: 'local' | 'remote';
  /** The local user for `local`, the remote user for `remote`. */
  readonly userID: UserID;
  readonly domID: string;
}

/** Opaque data a member relayed to us. */
export interface RelayedData {
  readonly roomID: number;
  readonly from: UserID;
  readonly data: string;
}

/** Options of {@link WsRoomPort}. */
export interface WsRoomPortOptions {
  readonly clock?: Clock;
  /** After re-entering a room lost in a reconnect, how long a member known before may take to come back (default 10 s). */
  readonly roomGraceMs?: number;
  readonly onListenerError?: (error: unknown) => void;
}

interface Published {
  audio: boolean;
  video: boolean;
}

const fail = (message: string) => new RoomPortError(65535, message);

/** The room client of the embedded backend. */
export class WsRoomPort implements RoomPort {
  private roomID: number | null = null;
  private entering: Promise<void> | null = null;
  private exiting: Promise<void> | null = null;
  private camera = false;
  private micMuted = false;
  private readonly members = new Map<UserID, Published>();
  /** Members known before a reconnect that the re-entered room does not have (yet). */
  private readonly missing = new Map<UserID, TimerId>();
  private bindings: WsViewBinding[] = [];
  private held: RoomEvent[] | null = null;
  private readonly clock: Clock;
  private readonly listeners: Listeners<RoomEvent>;
  private readonly relayListeners: Listeners<RelayedData>;

  constructor(
    private readonly connection: WsConnection,
    private readonly options: WsRoomPortOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    const onError = options.onListenerError ?? ((error: unknown) => console.error(error));
    this.listeners = new Listeners(onError);
    this.relayListeners = new Listeners(onError);
    connection.pushes.add((frame) => this.onPush(frame));
    connection.reconnections.add((r) => this.onReconnected(r));
    connection.ended.add((reason) => this.lose(`connection ended: ${reason}`));
  }

  async enter(roomID: number, options: EnterOptions): Promise<void> {
    if (this.roomID !== null || this.entering) throw fail('already in a room');
    if (!Number.isInteger(roomID) || roomID < 1 || roomID > 0xffffffff) throw fail(`invalid roomID ${roomID}`);
    const self = this.connection.userID;
    if (self === null) throw fail('not logged in');
    if (options.userID !== self) throw fail(`cannot enter as ${options.userID || '""'}: logged in as ${self}`);
    this.camera = options.video;
    this.micMuted = options.audioMuted;
    this.entering = this.join(roomID, false);
    try {
      await this.entering;
    } finally {
      this.entering = null;
    }
  }

  /**
   * Claims `roomID` on the server for a call about to be dialled: the server hands a room to
   * one call, and refuses (`roomInUse`, code -1401) a room ID another call holds.
   */
  async reserve(roomID: number): Promise<void> {
    try {
      await this.connection.request({ type: 'roomClaim', roomID });
    } catch (error) {
      const serverCode = error instanceof WsPortError ? error.serverCode : undefined;
      const code = error instanceof WsPortError ? error.code : 65535;
      throw new RoomPortError(code, error instanceof Error ? error.message : String(error), serverCode);
    }
  }

  async exit(): Promise<void> {
    if (this.entering) await this.entering.catch(() => undefined);
    if (this.exiting) return this.exiting;
    const roomID = this.roomID;
    if (roomID === null) return;
    this.exiting = this.connection
      .request({ type: 'roomExit', roomID })
      .then(
        () => undefined,
        () => undefined, // not in it any more, or not logged in: out either way
      )
      .then(() => {
        if (this.roomID === roomID) this.clear();
      });
    try {
      await this.exiting;
    } finally {
      this.exiting = null;
    }
  }

  async setCamera(on: boolean): Promise<void> {
    if (this.camera === on) return;
    this.camera = on;
    await this.publish();
  }

  async setMicMuted(muted: boolean): Promise<void> {
    if (this.micMuted === muted) return;
    this.micMuted = muted;
    await this.publish();
  }

  async startLocalView(videoViewDomID: string): Promise<void> {
    this.bind(true, videoViewDomID);
  }

  async stopLocalView(videoViewDomID: string): Promise<void> {
    this.bind(false, videoViewDomID);
  }

  async startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    this.bind(true, videoViewDomID, userID);
  }

  async stopRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    this.bind(false, videoViewDomID, userID);
  }

  onEvent(listener: (event: RoomEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** Where each view renders now (the memory room's `views()`, per port). */
  views(): readonly WsViewBinding[] {
    const self = this.connection.userID ?? '';
    return this.bindings.map((b) => (b.kind === 'local' ? { ...b, userID: self } : b));
  }

  /** The room this port is in, or `null`. */
  get room(): number | null {
    return this.roomID;
  }

  /** Sends opaque data to one member (`to`) or to every other member of the room. */
  async relay(to: UserID | undefined, data: string): Promise<void> {
    const roomID = this.roomID;
    if (roomID === null) throw fail('not in a room');
    await this.request({ type: 'relay', roomID, data, ...(to === undefined ? {} : { to }) });
  }

  /** Data other members relayed to us. */
  onRelay(listener: (relayed: RelayedData) => void): Unsubscribe {
    return this.relayListeners.add(listener);
  }

  // -------------------------------------------------------------------------------------------

  /** Enters (or, after a lost reconnect, re-enters) `roomID` and learns who is there. */
  private async join(roomID: number, again: boolean): Promise<void> {
    const reply = await this.request({ type: 'roomEnter', roomID, audio: !this.micMuted, video: this.camera });
    if (reply.type !== 'roomInfo') throw fail('unexpected answer to roomEnter');
    this.roomID = roomID;
    if (!again) {
      // Hold the news of the others for one tick, so that `enter()` resolves before it is heard.
      this.held = [];
      this.clock.setTimeout(() => this.release(), 0);
    }
    this.sync(reply.members, !again);
  }

  /** Takes in a member list: new members enter, changed ones update, absent ones leave (or are awaited). */
  private sync(list: readonly RoomMember[], authoritative: boolean): void {
    const self = this.connection.userID;
    const present = new Set(list.map((m) => m.userID));
    for (const member of list) if (member.userID !== self) this.onMember(member);
    for (const userID of [...this.members.keys()]) {
      if (present.has(userID)) continue;
      if (authoritative) this.onLeft(userID);
      else if (!this.missing.has(userID)) {
        const roomID = this.roomID;
        this.missing.set(userID, this.clock.setTimeout(() => {
          this.missing.delete(userID);
          if (this.roomID === roomID) this.onLeft(userID);
        }, this.options.roomGraceMs ?? 10_000));
      }
    }
  }

  private onPush(frame: PushFrame): void {
    if (!('roomID' in frame) || frame.roomID !== this.roomID) return;
    switch (frame.type) {
      case 'userEntered':
      case 'memberState':
        return this.onMember(frame);
      case 'userLeft':
        return this.onLeft(frame.userID);
      case 'relayed':
        return this.relayListeners.emit({ roomID: frame.roomID, from: frame.from, data: frame.data });
    }
  }

  /** A member arrived or changed what it publishes: report what is new, never `available: false` on arrival. */
  private onMember(member: RoomMember): void {
    const roomID = this.roomID;
    if (roomID === null || member.userID === this.connection.userID) return;
    const { userID } = member;
    const waited = this.missing.get(userID);
    if (waited !== undefined) {
      this.clock.clearTimeout(waited);
      this.missing.delete(userID);
    }
    const known = this.members.get(userID);
    if (!known) {
      this.members.set(userID, { audio: member.audio, video: member.video });
      this.emit({ type: 'userEntered', roomID, userID });
      if (member.audio) this.emit({ type: 'audioAvailable', roomID, userID, available: true });
      if (member.video) this.emit({ type: 'videoAvailable', roomID, userID, available: true });
      return;
    }
    if (known.audio !== member.audio) {
      known.audio = member.audio;
      this.emit({ type: 'audioAvailable', roomID, userID, available: member.audio });
    }
    if (known.video !== member.video) {
      known.video = member.video;
      this.emit({ type: 'videoAvailable', roomID, userID, available: member.video });
    }
  }

  private onLeft(userID: UserID): void {
    const roomID = this.roomID;
    if (roomID === null || !this.members.delete(userID)) return;
    this.bindings = this.bindings.filter((b) => b.kind === 'local' || b.userID !== userID);
    this.emit({ type: 'userLeft', roomID, userID });
  }

  private onReconnected({ resumed, room }: Reconnection): void {
    const roomID = this.roomID;
    if (roomID === null) return;
    if (resumed && room?.roomID === roomID) return this.sync(room.members, true);
    this.join(roomID, true).catch((error: unknown) =>
      this.lose(`could not enter room ${roomID} again: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** The room is gone for good (kicked, connection lost): the core hears `failed`. */
  private lose(reason: string): void {
    const roomID = this.roomID;
    if (roomID === null) return;
    this.clear();
    this.emit({ type: 'failed', roomID, error: fail(reason) });
  }

  private clear(): void {
    this.roomID = null;
    this.members.clear();
    for (const timer of this.missing.values()) this.clock.clearTimeout(timer);
    this.missing.clear();
    this.bindings = [];
  }

  private async publish(): Promise<void> {
    if (this.entering) await this.entering.catch(() => undefined);
    const roomID = this.roomID;
    if (roomID === null) return;
    await this.request({ type: 'roomPublish', roomID, audio: !this.micMuted, video: this.camera });
  }

  private bind(on: boolean, domID: string, remote?: UserID): void {
    if (!domID) throw fail('empty videoViewDomID');
    const same = (b: WsViewBinding) => b.domID === domID && (remote === undefined ? b.kind === 'local' : b.kind === 'remote' && b.userID === remote);
    this.bindings = this.bindings.filter((b) => !same(b));
    if (!on) return;
    if (remote !== undefined && !this.members.has(remote)) throw fail('user not in room');
    this.bindings.push({ kind: remote === undefined ? 'local' : 'remote', userID: remote ?? '', domID });
  }

  private async request(request: ClientRequest): Promise<ReplyFrame> {
    try {
      return await this.connection.request(request);
    } catch (error) {
      throw fail(error instanceof Error ? error.message : String(error));
    }
  }

  private emit(event: RoomEvent): void {
    if (this.held) this.held.push(event);
    else this.listeners.emit(event);
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.listeners.emit(event);
  }
}
