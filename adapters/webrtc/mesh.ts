/**
 * The media connections of a WebRTC room: one {@link Peer} per remote member the call invited,
 * over the relay of a {@link WsRoomPort}. It follows what it is told (the port passes on the
 * server's membership) and reports what the connections do; it decides nothing about the call.
 *
 * - Made ahead: a connection to each user a 1v1 call invited is made before they are in the
 *   room. The side that opens (see {@link Peer}) makes it at once, while our capture is made,
 *   with a sending place for each kind we publish (the camera only in a video call): its offer
 *   and ICE candidates are ready early, and the tracks take their places when captured. The
 *   other side makes it when that offer comes and answers at once, sending on the offer's
 *   transceivers; its tracks take those places when its capture is made.
 * - What a connection sends goes out once the member is in the room, or, when the server holds
 *   relays for invited users who have not entered yet (`WsRoomPort.relaysHeld`), once our
 *   `roomEnter` is out (the server takes our frames in order): the offer then waits at the server
 *   and reaches the member as it enters, or at once, marked early, while it rings.
 * - Relays handed to us early, before we entered (the caller's offer while we rang), are applied
 *   as the enter goes out, or as they come while it is out: the answer goes behind our `roomEnter`.
 *   A connection made so to a user the room's reply does not list is dropped (it left meanwhile),
 *   and no media is told before that reply ({@link Mesh.listed}).
 * - Before our capture is made (it runs while the room is entered) no other connection is made:
 *   the members the server reports and the relays that come for them (but an offer) wait,
 *   applied once it is (at most {@link WAITING_RELAYS} of them).
 * - Paced: each member's offers are answered within a budget ({@link OFFERS}: a legitimate peer
 *   renegotiates a few times a call, an ICE restart or a camera turned on); past it the newest
 *   offer waits, with what follows it, until the budget allows (a newer offer takes its place).
 *   What the connections send goes through a {@link Pacer}, under the server's rate. So members
 *   streaming offers (each answer, and after an ICE restart each candidate, a frame of ours)
 *   cannot make the server take this client for a misbehaving one and close it, nor crowd out
 *   what it sends the others.
 */
import type { UserID } from '../../machines/types';
import type { Clock } from '../clock';
import type { RoomEvent } from '../RoomPort';
import type { RelayedData, WsRoomPort } from '../ws/WsRoomPort';
import { ICE_RECOVERY, IceRecovery, type IceRecoveryOptions } from './iceRecovery';
import { type MediaEnvironment, audioElement, requireWebRtc } from './media';
import { Budget } from '../budget';
import { Pacer } from './pacer';
import { Peer, type PeerMessage, parsePeerMessage } from './peer';

/** How many offers of one member are answered at once, and how often one more (ms). */
export const OFFERS = { burst: 8, everyMs: 2_000 } as const;
/** A relay frame's bytes beside its data, at most (its type, request id, room, recipient, a folded receipt). */
const FRAME_FIELDS = 256;
const UTF8 = new TextEncoder();
/** How many relays wait for our capture, or behind an offer waiting for its budget, at most. */
export const WAITING_RELAYS = 256;

const isOffer = (message: PeerMessage): boolean => message.kind === 'sdp' && message.description.type === 'offer';

interface Member {
  readonly peer: Peer;
  /**
   * What the connection sends goes out now: the member is in the room, or the server holds
   * relays for it and we are in the room. Until then it waits in `outbox`, in order.
   */
  open: boolean;
  readonly outbox: PeerMessage[];
  /** Its media arrived (`mediaArrived` was reported for this peer). */
  media: boolean;
  /** `connectionLost` was reported and no `connectionBack` since. */
  down: boolean;
  /** Made from a relay handed early, its sender not yet known to be in the room. */
  ahead: boolean;
  /** Its media arrived while our enter was out: reported once the room's reply came. */
  mediaEarly: boolean;
  /** ICE restarts of its connection. */
  readonly recovery: IceRecovery;
  /** What is left of its offers we answer. */
  readonly offers: Budget;
  /** Its newest offer past that budget, and what came after it: applied once the budget allows. */
  deferred: PeerMessage[] | null;
  audio: HTMLAudioElement | null;
}

/** What the mesh needs from its room port. */
export interface MeshHost {
  readonly signaling: WsRoomPort;
  readonly clock: Clock;
  /** The ICE servers and policy of a connection made now (TURN credentials are renewed as they age). */
  config(): RTCConfiguration;
  readonly iceRecovery: IceRecoveryOptions | undefined;
  env(): MediaEnvironment;
  self(): UserID;
  /** The local capture; `null` until it is made. */
  local(): MediaStream | null;
  /** The room we are in or entering. */
  roomID(): number | null;
  /** True for a user the call invited. */
  invited(userID: UserID): boolean;
  emit(event: RoomEvent): void;
  /** The member's connection closed: its views and stats go. */
  forget(userID: UserID): void;
  /** A connection finished its negotiation: bitrate caps can be applied. */
  negotiated(): void;
  onError(error: unknown): void;
}

/** The peer connections of one room. */
export class Mesh {
  private readonly members = new Map<UserID, Member>();
  /** While the capture is made: the members reported in the room and the relays received, in order. */
  private waiting: { readonly arrived: Set<UserID>; readonly relays: RelayedData[] } | null = null;
  /** What we publish, for the connections made before the capture. */
  private kinds: ReadonlyArray<'audio' | 'video'> = [];
  /** Our `roomEnter` is out and the server holds relays for the invited: connections send at once. */
  private sending = false;

  /** What the connections send, paced. */
  private readonly pacer: Pacer;

  constructor(private readonly host: MeshHost) {
    const relay = (userID: UserID, message: PeerMessage) => {
      // Past the server's largest relay (`--max-relay-bytes`, 16 KiB by default), or a frame past its largest
      // (the frame escapes the data again, and names the room and recipient), it would refuse it, a strike: a
      // member's offer crafted for a huge answer (many m-lines) would have the server close us after a few.
      // Such a message is not sent, and `onListenerError` is told.
      const data = JSON.stringify(message);
      const { maxRelayBytes, maxFrameBytes } = host.signaling.connection.rate.limits;
      if (data.length > maxRelayBytes || UTF8.encode(JSON.stringify(data)).length + FRAME_FIELDS > maxFrameBytes) {
        return this.host.onError(new Error(`a ${message.kind} message to ${userID} of ${data.length} characters, past the server's limits: not sent`));
      }
      this.host.signaling.relay(userID, data).catch(() => undefined); // gone: its peer closes
    };
    this.pacer = new Pacer(host.clock, relay, host.signaling.connection.rate);
  }

  /** The connections, by member. */
  peers(): Peer[] {
    return [...this.members.values()].map((m) => m.peer);
  }

  /** The connections whose media arrived (stats). */
  withMedia(): Array<{ readonly userID: UserID; readonly pc: RTCPeerConnection }> {
    return [...this.members].filter(([, m]) => m.media).map(([userID, m]) => ({ userID, pc: m.peer.pc }));
  }

  peer(userID: UserID): Peer | undefined {
    return this.members.get(userID)?.peer;
  }

  /** True once the member's media arrived (its views may be shown). */
  hasMedia(userID: UserID): boolean {
    return this.members.get(userID)?.media === true;
  }

  /**
   * The capture of `kinds` is being made: the connections we open to `participants` are made
   * now, with a place for each kind; the others, arrivals and relays wait for the capture.
   */
  hold(kinds: ReadonlyArray<'audio' | 'video'>, participants: readonly UserID[]): void {
    this.waiting = { arrived: new Set(), relays: [] };
    this.kinds = kinds;
    this.connectAll(participants);
  }

  /**
   * The capture is made: the connections made ahead take its tracks, the rest to `participants`
   * are made now, ahead of them, and what waited for the capture is applied, in order.
   */
  captured(participants: readonly UserID[]): void {
    const waiting = this.waiting;
    this.waiting = null;
    const tracks = () => this.host.local()?.getTracks() ?? [];
    for (const member of this.members.values()) member.peer.attach(tracks).catch((error: unknown) => this.host.onError(error));
    this.connectAll(participants);
    if (!waiting) return;
    for (const userID of waiting.arrived) this.arrive(userID);
    for (const relayed of waiting.relays) this.relay(relayed);
  }

  private connectAll(participants: readonly UserID[]): void {
    for (const userID of participants) {
      try {
        this.connect(userID);
      } catch (error) {
        this.host.onError(error); // tried again when the member arrives
      }
    }
  }

  /**
   * Our `roomEnter` is out: where the server holds relays for the invited, what waits goes out
   * now, behind it, and so does what connections send from now on.
   */
  enterSent(): void {
    if (!this.host.signaling.relaysHeld) return;
    this.sending = true;
    for (const [userID, member] of this.members) this.open(userID, member);
  }

  /**
   * The room's reply came, with who is there (told as arrivals before this): the connections
   * made from relays handed early to a user it did not list close (that user left meanwhile),
   * and the media that arrived before it is told now, after its member's arrival.
   */
  listed(): void {
    for (const [userID, member] of [...this.members]) if (member.ahead) this.remove(userID);
    for (const [userID, member] of this.members) if (member.mediaEarly) this.arrived(userID, member.peer);
  }

  /** The member is in the room: its connection (made now, or ahead) sends what it holds. */
  arrive(userID: UserID): void {
    if (this.host.signaling.room === null) return;
    if (this.waiting && !this.members.has(userID)) {
      this.waiting.arrived.add(userID);
      return;
    }
    const member = this.connect(userID);
    if (!member) return;
    member.ahead = false;
    this.open(userID, member);
  }

  /**
   * A member's relayed message: for its connection. One handed early (before we entered, see
   * {@link WsRoomPort.takeEarly}) makes a connection that {@link listed} drops if the room's
   * reply does not list its sender.
   */
  relay(relayed: RelayedData): void {
    const made = relayed.early === true && !this.members.has(relayed.from);
    this.apply(relayed);
    const member = made ? this.members.get(relayed.from) : undefined;
    if (member) member.ahead = true;
  }

  private apply(relayed: RelayedData): void {
    const { from, data } = relayed;
    const message = parsePeerMessage(data);
    // An offer while our capture is made: answered at once, on a connection made now (its
    // tracks come with the capture); anything else from a member we have no connection to waits.
    const polite = this.host.self() > from;
    if (this.waiting && polite && !this.members.has(from) && message?.kind === 'sdp' && message.description.type === 'offer') {
      try {
        this.connect(from, true);
      } catch (error) {
        this.host.onError(error); // tried again once the capture is made
      }
    }
    if (this.waiting && !this.members.has(from)) {
      if (this.waiting.relays.length < WAITING_RELAYS) this.waiting.relays.push(relayed);
      return;
    }
    if (!message || (!this.members.has(from) && (this.host.local() === null || !this.host.invited(from)))) return;
    // An offer may come before the server's news of its sender: the sender is in the room. One
    // handed early while our enter is out: it was (the room's reply tells whether it still is).
    if (this.host.signaling.room !== null) this.arrive(from);
    else this.connect(from);
    const member = this.members.get(from);
    if (!member) return;
    if (member.deferred) {
      if (isOffer(message)) member.deferred = [message];
      else if (message.kind === 'sdp') {
        // Its answer to our offer: it rolled its own back (perfect negotiation). What came after that offer stays.
        const after = member.deferred.slice(1);
        member.deferred = null;
        for (const next of [message, ...after]) member.peer.receive(next);
      } else if (member.deferred.length < WAITING_RELAYS) member.deferred.push(message);
      return;
    }
    if (!isOffer(message) || member.offers.take()) return member.peer.receive(message);
    member.deferred = [message];
    this.host.clock.setTimeout(() => this.release(from, member), OFFERS.everyMs);
  }

  /** A member's offer waited for its budget: applied, with what came after it, once there is some. */
  private release(userID: UserID, member: Member): void {
    if (this.members.get(userID) !== member || member.deferred === null) return;
    if (!member.offers.take()) {
      this.host.clock.setTimeout(() => this.release(userID, member), OFFERS.everyMs);
      return;
    }
    const held = member.deferred;
    member.deferred = null;
    for (const message of held) member.peer.receive(message);
  }

  /** The member left: its connection closes. */
  remove(userID: UserID): void {
    this.waiting?.arrived.delete(userID);
    const member = this.members.get(userID);
    if (!member) return;
    this.members.delete(userID);
    this.dispose(userID, member);
  }

  /** Every connection closes; nothing waits for the capture now. */
  closeAll(): void {
    this.waiting = null;
    this.sending = false;
    for (const [userID, member] of this.members) this.dispose(userID, member);
    this.members.clear();
    this.pacer.clear();
  }

  private open(userID: UserID, member: Member): void {
    if (member.open) return;
    member.open = true;
    for (const message of member.outbox.splice(0)) this.send(userID, message);
  }

  /**
   * The connection to `userID`, made if there is none yet (not sending until it is open). Before
   * our capture, only the side that opens connects, or the other side `answering` an offer.
   */
  private connect(userID: UserID, answering = false): Member | undefined {
    const known = this.members.get(userID);
    const local = this.host.local();
    const polite = this.host.self() > userID;
    if (known || (!local && ((polite && !answering) || !this.waiting)) || userID === this.host.self() || !this.host.invited(userID)) return known;
    const { RTCPeerConnection } = requireWebRtc(this.host.env());
    const peer = new Peer(userID, polite, {
      RTCPeerConnection,
      config: () => this.host.config(),
      send: (message: PeerMessage) => {
        if (member.open) this.send(userID, message);
        else member.outbox.push(message);
      },
      onMedia: () => this.arrived(userID, peer),
      onState: (state) => this.onPeerState(userID, peer, state),
      onError: (error) => this.host.onError(error),
    }, local?.getTracks() ?? [], local ? [] : this.kinds);
    const recovery = new IceRecovery(this.host.clock, { restart: () => peer.restart(), giveUp: () => undefined }, this.host.iceRecovery ?? ICE_RECOVERY);
    const offers = new Budget(this.host.clock, OFFERS.burst, OFFERS.everyMs);
    const member: Member = { peer, open: this.sending, outbox: [], media: false, down: false, ahead: false, mediaEarly: false, audio: null, recovery, offers, deferred: null };
    this.members.set(userID, member);
    return member;
  }

  private send(userID: UserID, message: PeerMessage): void {
    this.pacer.send(userID, message);
  }

  /**
   * The member's media is here: told once we are in the room and it is known to be there (an
   * answer may go out before the room's reply, see {@link listed}).
   */
  private arrived(userID: UserID, peer: Peer): void {
    const member = this.members.get(userID);
    if (!member || member.peer !== peer || member.media) return;
    const roomID = this.host.roomID();
    member.mediaEarly = roomID === null || member.ahead;
    if (roomID === null || member.ahead) return;
    member.media = true;
    const doc = this.host.env().document;
    // An <audio> plays only the sound of the stream, tracks added later included.
    if (doc?.body) member.audio = audioElement(doc, peer.stream, userID);
    this.host.negotiated(); // its video sender has its encodings now
    this.host.emit({ type: 'mediaArrived', roomID, userID });
  }

  /** Our connection to the member went down or came back: a fact for the call to weigh. */
  private onPeerState(userID: UserID, peer: Peer, state: RTCPeerConnectionState): void {
    const member = this.members.get(userID);
    const roomID = this.host.roomID();
    if (!member || member.peer !== peer || roomID === null) return;
    member.recovery.state(state);
    const down = state === 'disconnected' || state === 'failed';
    if (state === 'connected' && member.down) {
      member.down = false;
      this.host.emit({ type: 'connectionBack', roomID, userID });
    } else if (down && !member.down) {
      member.down = true;
      this.host.emit({ type: 'connectionLost', roomID, userID });
    }
  }

  private dispose(userID: UserID, member: Member): void {
    this.pacer.forget(userID);
    member.recovery.close();
    member.peer.close();
    member.audio?.remove();
    this.host.forget(userID);
  }
}
