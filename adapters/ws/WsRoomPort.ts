/**
 * The signaling half of the embedded backend's `RoomPort`: room membership and what each
 * member publishes (audio, video) through the server, over the same connection as the IM.
 * On its own it carries no media (Node clients, tests): a member's `mediaArrived` comes with its
 * `memberJoined`, and views are recorded like the memory room does; `WebRtcRoomPort` adds the
 * media. `relay`/`onRelay` carry opaque data between members for SDP and ICE.
 *
 * It reports facts, in the server's order, and decides nothing: the call machine decides who
 * counts as present and for how long a missing member is awaited. Pushes about the room being
 * entered that arrive before the `roomEnter` reply (in the same read, say) are held and applied
 * after the reply's member list. After a dropped connection it reports `reconnected` with the
 * members the server lists now: the room was kept when the server resumed the session;
 * otherwise (the server restarted, or its grace period ran out) the port enters it again. A room the
 * resumed session is still in that the port is neither in, entering nor leaving (a request that ran
 * out of time while the connection was down) is left.
 */
import type { UserID } from '../../machines/types';
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
  /** Handed to us before we were in the room (the server's `early`): its sender may have left since. */
  readonly early?: true;
}

/** Options of {@link WsRoomPort}. */
export interface WsRoomPortOptions {
  readonly onListenerError?: (error: unknown) => void;
}

interface Published {
  audio: boolean;
  video: boolean;
}

/** A room failure (65535); `cause`: the server's refusal (a `WsPortError` with its `serverCode`) or the error behind it. */
const fail = (message: string, cause?: unknown) => new RoomPortError(65535, message, undefined, cause === undefined ? cause : { cause });

/** What is kept of relays handed early: for this many rooms not entered, this many relays each (the server sends at most 64 per room). */
const EARLY_RELAYS = { rooms: 4, frames: 64 } as const;
/** Rooms whose invitation ended unanswered that are remembered, so that relays still on their way are not kept (the newest). */
const FORGOTTEN_ROOMS = 16;

/** The relays handed early for one room we have not entered. */
interface EarlyRoom {
  /** Kept, not yet taken: the first `next - 1` the server numbered, in order. */
  readonly relays: RelayedData[];
  /** The number of the next one to keep; one that skips a number is not kept (the enter brings it). */
  next: number;
  /** Taken by the enter (see {@link WsRoomPort.takeEarly}): the rest goes to the relay listeners as it comes, and the enter's copies of those are dropped. */
  taken: boolean;
}

/** The room client of the embedded backend. */
export class WsRoomPort implements RoomPort {
  private roomID: number | null = null;
  /** Entering without an invitation, as a member of this IM group (joinInGroupCall), also when entering again. */
  private joinGroup: string | undefined = undefined;
  /** The room a `roomEnter` is out for: its pushes that beat the reply wait here, in order. */
  private early: { readonly roomID: number; pushes: PushFrame[]; members?: readonly RoomMember[] } | null = null;
  /**
   * Relays handed to us early, for rooms we were invited to and have not entered (the caller's
   * offer while we ring), by room, oldest room first; taken by the enter (see {@link takeEarly}).
   */
  private readonly ahead = new Map<number, EarlyRoom>();
  /** Rooms whose invitation ended before we answered it, oldest first: nothing handed early for them is kept (see {@link forgetInvitation}). */
  private readonly forgotten = new Set<number>();
  /** The last room claim, when the server refused it (see {@link WsRoomPort.reserve}). */
  private refusedClaim: { readonly roomID: number; readonly error: RoomPortError } | null = null;
  private entering: Promise<void> | null = null;
  private exiting: Promise<void> | null = null;
  /** The room {@link exiting} leaves. */
  private exitingRoom: number | null = null;
  private camera = false;
  private micMuted = false;
  /** `roomPublish`es asked, and the last one the server took when it was the last asked (else it keeps what it had). */
  private asks = 0;
  private took = 0;
  /** Who the server says is in the room and what each publishes (facts, for views and the mesh). */
  private readonly members = new Map<UserID, Published>();
  private bindings: WsViewBinding[] = [];
  private readonly listeners: Listeners<RoomEvent>;
  private readonly relayListeners: Listeners<RelayedData>;

  constructor(
    readonly connection: WsConnection,
    options: WsRoomPortOptions = {},
  ) {
    const onError = options.onListenerError ?? ((error: unknown) => console.error(error));
    this.listeners = new Listeners(onError);
    this.relayListeners = new Listeners(onError);
    connection.pushes.add((frame) => this.onPush(frame));
    connection.reconnections.add((r) => this.onReconnected(r));
    connection.ended.add(({ why, error }) => {
      this.ahead.clear();
      this.lose(`connection ended: ${why}`, error);
    });
  }

  async enter(roomID: number, options: EnterOptions): Promise<void> {
    if (this.roomID !== null || this.entering) throw fail('already in a room');
    if (!Number.isInteger(roomID) || roomID < 1 || roomID > 0xffffffff) throw fail(`invalid roomID ${roomID}`);
    const self = this.connection.userID;
    if (self === null) throw fail('not logged in');
    if (options.userID !== self) throw fail(`cannot enter as ${options.userID || '""'}: logged in as ${self}`);
    this.camera = options.video;
    this.micMuted = options.audioMuted;
    this.joinGroup = options.joining ? options.groupID : undefined;
    this.entering = this.join(roomID, false);
    try {
      await this.entering;
    } finally {
      this.entering = null;
    }
  }

  /**
   * Claims `roomID` on the server for a call about to be dialled: the server hands a room to
   * one call, and refuses (`roomInUse`, code -1401) a room ID another call holds. Not waited for
   * by the caller: a refusal is told as the room's `failed` (the call dialled behind it ends), and
   * the enter written behind a refused claim fails with the claim's error.
   */
  async reserve(roomID: number): Promise<void> {
    this.refusedClaim = null;
    try {
      await this.connection.request({ type: 'roomClaim', roomID });
    } catch (error) {
      const serverCode = error instanceof WsPortError ? error.serverCode : undefined;
      const code = error instanceof WsPortError ? error.code : 65535;
      const refused = new RoomPortError(code, error instanceof Error ? error.message : String(error), serverCode, { cause: error });
      this.refusedClaim = { roomID, error: refused };
      // The call dialled behind it ends now, whatever else the refusal made fail (or not).
      this.emit({ type: 'failed', roomID, error: refused });
      throw refused;
    }
  }

  /**
   * Leaves the room; the `roomExit` is written before this returns, also while an enter is out (right
   * behind it, in order), so that a page closing at once still leaves the room it was entering.
   */
  async exit(): Promise<void> {
    if (this.exiting) return this.exiting;
    const roomID = this.roomID ?? this.early?.roomID ?? null;
    if (roomID === null) return;
    const entered = this.entering?.catch(() => undefined);
    // Refused (not in it any more, or not logged in): out either way.
    const left = this.connection.request({ type: 'roomExit', roomID }).then(() => undefined, () => undefined);
    this.exitingRoom = roomID;
    this.exiting = Promise.all([entered, left]).then(() => {
      if (this.roomID === roomID) this.clear();
    });
    try {
      await this.exiting;
    } finally {
      this.exiting = null;
      this.exitingRoom = null;
    }
  }

  async setCamera(on: boolean): Promise<void> {
    if (this.camera === on && this.took === this.asks) return;
    this.camera = on;
    try {
      await this.publish();
    } catch (error) {
      // Refused: the call takes a camera change that failed as the camera off, so does what we publish next.
      this.camera = false;
      throw error;
    }
  }

  async setMicMuted(muted: boolean): Promise<void> {
    if (this.micMuted === muted && this.took === this.asks) return;
    this.micMuted = muted;
    await this.publish();
  }

  async startLocalView(videoViewDomID: string): Promise<void> {
    this.bind(true, videoViewDomID);
  }

  async stopLocalView(videoViewDomID?: string): Promise<void> {
    this.bind(false, videoViewDomID);
  }

  async startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    this.bind(true, videoViewDomID, userID);
  }

  async stopRemoteView(userID: UserID, videoViewDomID?: string): Promise<void> {
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

  /**
   * True when a relay to a user the call invited, who has not entered yet, reaches that user
   * when it enters (the server holds it); otherwise such a relay is refused and lost.
   */
  get relaysHeld(): boolean {
    return this.connection.relaysHeld;
  }

  /**
   * Sends opaque data to one member (`to`) or to every other member of the room, also while our
   * `roomEnter` is out: the server takes a connection's frames in order, so it is written behind
   * the enter and reaches the room once we are in (or is refused with the enter).
   */
  async relay(to: UserID | undefined, data: string): Promise<void> {
    const roomID = this.roomID ?? this.early?.roomID ?? null;
    if (roomID === null) throw fail('not in a room');
    await this.request({ type: 'relay', roomID, data, ...(to === undefined ? {} : { to }) });
  }

  /** Data other members relayed to us. */
  onRelay(listener: (relayed: RelayedData) => void): Unsubscribe {
    return this.relayListeners.add(listener);
  }

  /**
   * The relays handed to us early for `roomID`, before we entered it (the server holds relays
   * for invitees, numbered, and hands them to their connected sessions at once), for the enter
   * to apply as soon as its `roomEnter` is out, a round trip before the room's reply. From then
   * on, one handed early goes to the relay listeners as it comes, and the copies the enter
   * brings of those applied are dropped. Rooms not entered are forgotten oldest first; the enter
   * of a room whose relays were not taken brings them all, as from a server that hands none early.
   */
  takeEarly(roomID: number): RelayedData[] {
    this.forgotten.delete(roomID);
    const kept = this.earlyRoom(roomID);
    kept.taken = true;
    return kept.relays.splice(0);
  }

  /**
   * An invitation to `roomID` ended before we answered it: the relays handed early for it (the
   * caller's offer and addresses) are dropped now, not when newer rooms push them out, and those
   * still on their way are not kept (a caller who sent her offer as we declined). One an enter
   * took is the enter's to finish; an enter of the room later takes it again (see {@link takeEarly}).
   */
  forgetInvitation(roomID: number): void {
    if (this.ahead.get(roomID)?.taken) return;
    this.ahead.delete(roomID);
    this.forgotten.delete(roomID);
    this.forgotten.add(roomID);
    if (this.forgotten.size > FORGOTTEN_ROOMS) this.forgotten.delete(this.forgotten.values().next().value as number);
  }

  // -------------------------------------------------------------------------------------------

  /** Enters (or, after a lost reconnect, re-enters) `roomID` and learns who is there. */
  private async join(roomID: number, again: boolean): Promise<void> {
    // Pushes about this room can overtake the reply's continuation (they may come in the same
    // read): held from the moment the request goes out, applied after the member list.
    const early: NonNullable<WsRoomPort['early']> = { roomID, pushes: [] };
    this.early = early;
    let reply: ReplyFrame;
    try {
      const group = this.joinGroup === undefined ? {} : { groupID: this.joinGroup };
      reply = await this.request({ type: 'roomEnter', roomID, audio: !this.micMuted, video: this.camera, ...group });
    } catch (error) {
      this.ahead.delete(roomID);
      // Refused because the claim written before it was (its reply came first): that is the reason.
      const claim = this.refusedClaim;
      this.refusedClaim = null;
      throw claim?.roomID === roomID ? claim.error : error;
    } finally {
      if (this.early === early) this.early = null;
    }
    if (reply.type !== 'roomInfo') throw fail('unexpected answer to roomEnter');
    this.roomID = roomID;
    this.sync(early.members ?? reply.members, again ? false : null);
    for (const frame of early.pushes) this.onPush(frame);
    // Everything held for us came with the reply: nothing more is numbered for this room.
    this.ahead.delete(roomID);
  }

  /**
   * Takes in a member list: each listed member's facts (joined, what it publishes); with
   * `resumed` given (a reconnection), who is listed now, and those no longer listed are
   * forgotten here (the call decides whether they left or are awaited).
   */
  private sync(list: readonly RoomMember[], resumed: boolean | null): void {
    const roomID = this.roomID;
    if (roomID === null) return;
    const self = this.connection.userID;
    const others = list.filter((m) => m.userID !== self);
    for (const member of others) this.onMember(member, true);
    if (resumed === null) return;
    const listed = new Set(others.map((m) => m.userID));
    // Our place was kept: whoever the server no longer lists left while we were away (a fact).
    // Entered anew: they may be on their way back, which is the call's to weigh.
    for (const userID of [...this.members.keys()]) {
      if (listed.has(userID)) continue;
      if (resumed) this.onLeft(userID);
      else this.forget(userID);
    }
    this.emit({ type: 'reconnected', roomID, members: [...listed], resumed });
  }

  private onPush(frame: PushFrame): void {
    if (!('roomID' in frame)) return;
    if (frame.type === 'relayed' && frame.held !== undefined) {
      if (frame.early) return frame.roomID === this.roomID ? undefined : this.keepEarly(frame, frame.held);
      // With the enter: what was applied early is not applied again.
      const kept = this.ahead.get(frame.roomID);
      if (kept?.taken && frame.held < kept.next) return;
    }
    if (frame.roomID !== this.roomID) {
      if (frame.roomID === this.early?.roomID) this.early.pushes.push(frame);
      return;
    }
    switch (frame.type) {
      case 'userEntered':
        return this.onMember(frame, true);
      case 'memberState':
        return this.onMember(frame, false);
      case 'userLeft':
        return this.onLeft(frame.userID);
      case 'relayed':
        return this.relayListeners.emit({ roomID: frame.roomID, from: frame.from, data: frame.data });
    }
  }

  /**
   * A member is in the room (`joined`: the server says it entered, or lists it) or changed
   * what it publishes. A member joining is reported with its media (this room carries none) and
   * what it publishes, never `available: false` on arrival; later, what changed.
   */
  private onMember(member: RoomMember, joined: boolean): void {
    const roomID = this.roomID;
    if (roomID === null || member.userID === this.connection.userID) return;
    const { userID } = member;
    const known = this.members.get(userID);
    if (joined) this.emit({ type: 'memberJoined', roomID, userID });
    if (!known) {
      this.members.set(userID, { audio: member.audio, video: member.video });
      if (member.audio) this.emit({ type: 'audioAvailable', roomID, userID, available: true });
      if (member.video) this.emit({ type: 'videoAvailable', roomID, userID, available: true });
    } else {
      if (known.audio !== member.audio) {
        known.audio = member.audio;
        this.emit({ type: 'audioAvailable', roomID, userID, available: member.audio });
      }
      if (known.video !== member.video) {
        known.video = member.video;
        this.emit({ type: 'videoAvailable', roomID, userID, available: member.video });
      }
    }
    if (joined) this.emit({ type: 'mediaArrived', roomID, userID });
  }

  private onLeft(userID: UserID): void {
    const roomID = this.roomID;
    if (roomID === null) return;
    this.forget(userID);
    this.emit({ type: 'memberLeft', roomID, userID });
  }

  private forget(userID: UserID): void {
    this.members.delete(userID);
    this.bindings = this.bindings.filter((b) => b.kind === 'local' || b.userID !== userID);
  }

  /** What was handed early for `roomID` (made, empty, on first use). */
  private earlyRoom(roomID: number): EarlyRoom {
    const kept = this.ahead.get(roomID) ?? { relays: [], next: 1, taken: false };
    this.ahead.set(roomID, kept);
    return kept;
  }

  /**
   * A relay handed early, numbered `held`: kept in order (bounded), or, once the enter took the
   * room's, told now. One out of order, or for an invitation forgotten, is not kept: an enter
   * brings it with the rest.
   */
  private keepEarly(frame: { readonly roomID: number; readonly from: UserID; readonly data: string }, held: number): void {
    if (this.forgotten.has(frame.roomID)) return;
    const known = this.ahead.get(frame.roomID);
    if (held !== (known?.next ?? 1) || (known && !known.taken && known.relays.length >= EARLY_RELAYS.frames)) return;
    const kept = known ?? this.earlyRoom(frame.roomID);
    kept.next++;
    const relayed: RelayedData = { roomID: frame.roomID, from: frame.from, data: frame.data, early: true };
    if (kept.taken) {
      this.relayListeners.emit(relayed);
      return;
    }
    kept.relays.push(relayed);
    for (const [roomID, oldest] of this.ahead) {
      if (this.ahead.size <= EARLY_RELAYS.rooms) break;
      if (!oldest.taken) this.ahead.delete(roomID);
    }
  }

  private onReconnected({ resumed, room }: Reconnection): void {
    // A new session: what it was handed early is forgotten (the enters bring it all); an enter under way keeps its count.
    if (!resumed) for (const [roomID, kept] of this.ahead) if (!kept.taken) this.ahead.delete(roomID);
    const roomID = this.roomID;
    const early = this.early;
    if (early) {
      // An enter under way: who came and went before the drop is superseded (relays kept). A resumed session in the
      // room lists its members now (the resent enter gets the reply cache's first answer); any other answers afresh.
      early.pushes = early.pushes.filter((frame) => frame.type === 'relayed');
      if (resumed && room?.roomID === early.roomID) early.members = room.members;
      else delete early.members;
    }
    // The server kept us in a room we are neither in, entering nor leaving (a request that ran out of time while the
    // connection was down): left now, before anything sent again, or the others see a ghost.
    const kept = resumed ? room?.roomID : undefined;
    if (kept !== undefined && kept !== roomID && kept !== early?.roomID && kept !== this.exitingRoom) {
      this.connection.request({ type: 'roomExit', roomID: kept }).catch(() => undefined);
    }
    // Leaving it: not entered again (its exit, sent again, is answered from the server's reply cache, not done twice).
    if (roomID === null || this.exiting !== null) return;
    if (resumed && room?.roomID === roomID) return this.sync(room.members, true);
    this.join(roomID, true).catch((error: unknown) =>
      this.lose(`could not enter room ${roomID} again: ${error instanceof Error ? error.message : String(error)}`, error),
    );
  }

  /** The room is gone for good (kicked, connection lost): the core hears `failed`. */
  private lose(reason: string, cause?: unknown): void {
    const roomID = this.roomID;
    if (roomID === null) return;
    this.clear();
    this.emit({ type: 'failed', roomID, error: fail(reason, cause) });
  }

  private clear(): void {
    this.roomID = null;
    this.members.clear();
    this.bindings = [];
  }

  private async publish(): Promise<void> {
    if (this.entering) await this.entering.catch(() => undefined);
    const roomID = this.roomID;
    if (roomID === null) return;
    // Refused (past the fan-out budget), the server and the others keep what they had: the same ask again is sent.
    const ask = ++this.asks;
    await this.request({ type: 'roomPublish', roomID, audio: !this.micMuted, video: this.camera });
    if (ask === this.asks) this.took = ask;
  }

  /** Binds or unbinds a view (`domID` undefined when unbinding: wherever it plays). */
  private bind(on: boolean, domID: string | undefined, remote?: UserID): void {
    if (domID === '') throw fail('empty videoViewDomID');
    const same = (b: WsViewBinding) => (domID === undefined || b.domID === domID) && (remote === undefined ? b.kind === 'local' : b.kind === 'remote' && b.userID === remote);
    this.bindings = this.bindings.filter((b) => !same(b));
    if (!on) return;
    if (domID === undefined) throw fail('empty videoViewDomID');
    if (remote !== undefined && !this.members.has(remote)) throw fail('user not in room');
    this.bindings.push({ kind: remote === undefined ? 'local' : 'remote', userID: remote ?? '', domID });
  }

  private async request(request: ClientRequest): Promise<ReplyFrame> {
    try {
      return await this.connection.request(request);
    } catch (error) {
      // Another device of ours is in the room, or answered its call: the call ends answeredElsewhere on this code (-1402) alone.
      if (error instanceof WsPortError && error.serverCode === 'deviceInRoom') throw new RoomPortError(error.code, error.message, error.serverCode, { cause: error });
      throw fail(error instanceof Error ? error.message : String(error), error);
    }
  }

  private emit(event: RoomEvent): void {
    this.listeners.emit(event);
  }
}
