/**
 * Room presence: who is in which room and what they publish (audio, video), membership
 * notices, and the relay channel between members (WebRTC SDP/ICE in the browser).
 * Soft state, in memory: clients re-enter their rooms after a server restart. Who may enter is
 * the grants' business (`grants.ts`); this tells them when a room fills and empties.
 */
import type { RoomMember, ServerFrame } from '../adapters/ws/protocol';
import type { Session } from './session';
import type { RoomGrants } from './grants';
import { HeldRelays } from './heldRelays';
import type { Refusal } from './refusal';

type Relayed = Extract<ServerFrame, { type: 'relayed' }>;

/** A relay as its recipients get it: its frame, and its JSON, made once for all its copies (and what its bytes cost). */
export class RelayOut {
  private json: string | null = null;
  readonly frame: Relayed;

  constructor(from: string, roomID: number, data: string) {
    this.frame = { type: 'relayed', roomID, from, data };
  }

  /** The frame in JSON, as the server writes it: made the first time it is asked for. */
  get text(): string {
    return (this.json ??= JSON.stringify(this.frame));
  }
}

interface Member {
  readonly session: Session;
  audio: boolean;
  video: boolean;
}

/** All rooms of one server. */
export class Rooms {
  private readonly rooms = new Map<number, Map<string, Member>>();
  /** Relay frames delivered, for the metrics. */
  relayed = 0;
  /** Relays to invited users who have not entered yet (see {@link HeldRelays}). */
  protected readonly held = new HeldRelays();

  /**
   * @param sessionsOf the sessions a user has on this server (its devices), for the relays handed
   *   early to an invitee that has not entered yet
   */
  constructor(
    private readonly grants: Pick<RoomGrants, 'occupied' | 'vacated' | 'allows'>,
    private readonly now: () => number,
    private readonly sessionsOf: (userID: string) => readonly Session[] = () => [],
  ) {}

  /**
   * True when a relay to a user the room's grant names but who is not in it yet is held until
   * it enters (one server; a cluster refuses it, as before, and the client waits to hear the
   * user enter). Told to clients in `loggedIn` (`heldRelays`).
   */
  get holdsRelays(): boolean {
    return true;
  }

  /** Relays held for users not in their rooms yet. */
  get heldRelays(): number {
    return this.held.size;
  }

  /** How many rooms have members. */
  get size(): number {
    return this.rooms.size;
  }

  /** How many members a room has now. */
  memberCount(roomID: number): number {
    return this.rooms.get(roomID)?.size ?? 0;
  }

  /**
   * The notices entering `roomID` or publishing `audio`/`video` in it would send its other
   * members now: entering, a `userEntered` and later a `userLeft` each; changing what it
   * publishes, a `memberState` each; nothing else. The sender pays for them (`fanout`), as for a
   * group message's copies, or one member toggling its microphone in a full room would cost the
   * server a hundred frames per frame it sent.
   */
  noticesOf(session: Session, roomID: number, audio: boolean, video: boolean): number {
    const own = this.stateOf(roomID, session.userID);
    const others = this.memberCount(roomID) - (own ? 1 : 0);
    if (session.room !== roomID) return 2 * others;
    return own && (own.audio !== audio || own.video !== video) ? others : 0;
  }

  /** What `userID` publishes in `roomID`, when it is a member. */
  protected stateOf(roomID: number, userID: string): { readonly audio: boolean; readonly video: boolean } | undefined {
    return this.rooms.get(roomID)?.get(userID);
  }

  /** The members of a room, in entry order. */
  members(roomID: number): RoomMember[] {
    return [...(this.rooms.get(roomID)?.values() ?? [])].map(describe);
  }

  /**
   * Puts the session in `roomID` publishing `audio`/`video`; the others hear `userEntered`.
   * Entering the room it is already in only updates what it publishes.
   * @returns the members (the session included), or `null` when it is in another room
   */
  enter(session: Session, roomID: number, audio: boolean, video: boolean): RoomMember[] | null {
    if (session.room !== null && session.room !== roomID) return null;
    if (session.room === roomID) {
      this.publish(session, roomID, audio, video);
      return this.members(roomID);
    }
    const room = this.rooms.get(roomID) ?? new Map<string, Member>();
    this.rooms.set(roomID, room);
    this.grants.occupied(roomID, session.userID);
    const member: Member = { session, audio, video };
    room.set(session.userID, member);
    session.room = roomID;
    this.broadcast(room, session, { type: 'userEntered', roomID, ...describe(member) });
    // Before the reply: the client holds a room's pushes that come ahead of its roomInfo.
    for (const frame of this.held.take(roomID, session.userID)) if (session.conn?.sendDroppable(frame)) this.relayed++;
    return this.members(roomID);
  }

  /**
   * Takes the session out of its room (if it is `roomID`, when given); the others hear
   * `userLeft`. `deliberate`: the user left (exit, logout) rather than lost its connection, so
   * an emptied room need not wait for anyone to come back. `quiet`: the session moved on (to
   * another node of a cluster, which announces it there), so the others hear nothing.
   */
  leave(session: Session, roomID: number | null = session.room, deliberate = false, quiet = false): boolean {
    if (session.room === null || session.room !== roomID) return false;
    const room = this.rooms.get(roomID);
    session.room = null;
    if (!room || room.get(session.userID)?.session !== session) return true;
    room.delete(session.userID);
    this.held.dropFrom(roomID, session.userID);
    if (quiet && room.size > 0) return true;
    if (room.size === 0) {
      this.rooms.delete(roomID);
      this.held.drop(roomID, this.now());
      this.grants.vacated(roomID, this.now(), deliberate);
    } else this.broadcast(room, session, { type: 'userLeft', roomID, userID: session.userID });
    return true;
  }

  /** Updates what the session publishes; the others hear `memberState` when it changed. */
  publish(session: Session, roomID: number, audio: boolean, video: boolean): boolean {
    const room = this.rooms.get(roomID);
    const member = session.room === roomID ? room?.get(session.userID) : undefined;
    if (!room || !member) return false;
    if (member.audio === audio && member.video === video) return true;
    member.audio = audio;
    member.video = video;
    this.broadcast(room, session, { type: 'memberState', roomID, ...describe(member) });
    return true;
  }

  /**
   * Relays `data` to `to` (or every other member); false when the sender is not in the room, or
   * `to` is neither in it nor named by its grant (or the room holds as much as it may for the
   * absent). A relay to a user the grant names who has not entered yet is held until it enters,
   * and handed at once, marked `early`, to the sessions it has connected, within what the room
   * may send it early (see {@link HeldRelays}): a ringing callee holds the caller's offer and
   * answers it as it enters, a round trip sooner. (So an invitee's device learns the caller's
   * offer and ICE candidates before the user accepts, as a SIP INVITE carries its offer; the
   * invitee's own are sent only once it enters.) A member not reading what it is sent misses
   * relays rather than growing the server.
   *
   * `payEarly` is told the early copies it is about to write (how many, and the frame each is, `text`) once it knows
   * them and before it holds or writes anything; its refusal is the relay's (nothing held, nothing sent). Counted
   * here, where they are made: before 2026-12-07 night the dispatcher priced them by asking first what a relay would
   * do (`Rooms.earlyCopies`, `HeldRelays.goesEarly`, the relay's conditions written twice), in the frame without the
   * `held` and `early` marks the copies carry.
   */
  relay(session: Session, roomID: number, to: string | undefined, out: RelayOut, payEarly: (copies: number, text: string) => Refusal | null = () => null): boolean | Refusal {
    const room = this.rooms.get(roomID);
    if (!room || session.room !== roomID) return false;
    if (to === undefined) {
      this.relayed += this.broadcast(room, session, out.text, true);
      return true;
    }
    const target = room.get(to);
    if (target) {
      if (target.session.conn?.sendDroppable(out.text)) this.relayed++;
      return true;
    }
    if (!this.grants.allows(roomID, to, this.now())) return false;
    const offer = this.held.offer(to, out.frame);
    if (!offer) return false;
    const early = offer.early && JSON.stringify(offer.early); // one text for each device
    const devices = early ? this.sessionsOf(to).filter((s) => s.room !== roomID && s.conn !== null) : [];
    const unpaid = early ? payEarly(devices.length, early) : null;
    if (unpaid) return unpaid;
    offer.hold();
    if (early) for (const s of devices) if (s.conn?.sendDroppable(early)) this.relayed++;
    return true;
  }

  /** Sends to every member but `from` that has a live connection (the frame written once for all); returns how many. */
  private broadcast(room: Map<string, Member>, from: Session, frame: ServerFrame | string, droppable = false): number {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    let n = 0;
    for (const member of room.values()) {
      const conn = member.session.conn;
      if (member.session === from || !conn) continue;
      if (!droppable) conn.sendText(text);
      else if (!conn.sendDroppable(text)) continue;
      n++;
    }
    return n;
  }
}

function describe(member: Member): RoomMember {
  return { userID: member.session.userID, audio: member.audio, video: member.video };
}
