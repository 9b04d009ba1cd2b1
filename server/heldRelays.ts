/**
 * Relays held for an invited user who has not entered the room yet: a caller's offer and ICE
 * candidates, sent while the invitation travels, wait here and reach the callee the moment it
 * enters, instead of the caller waiting to hear it come in (call setup, issue 14). Each is
 * numbered for its user in its room (`held`: 1, 2, ... in the order sent, never reused while the
 * room is occupied) and also handed at once, marked `early`, to the sessions the user has
 * connected when it comes (see `Rooms.relay`): a ringing callee then holds the offer and answers
 * it as it enters. At the enter every relay still held comes again, numbered, and the client
 * drops those it applied already: nothing depends on an early copy having arrived. What goes
 * early to a user is bounded for the life of the room ({@link HELD_RELAYS}), not only what is
 * held at a time: a member leaving and coming back does not open a stream to someone who never
 * accepted, nor does a member alone emptying the room and entering again ({@link SPENT_KEPT_MS}).
 *
 * Who may be held for is the caller's business (`Rooms.relay`: only a user the room's grant
 * names, only from a member in the room); nothing is held for a user that has been in the room
 * since it last filled (what is sent to it after it left was for a connection it no longer has).
 * This keeps the memory bounded: at most
 * {@link HELD_RELAYS.frames} relays and {@link HELD_RELAYS.bytes} characters per room, whoever
 * they are for. The room's budget is shared fairly among its members: a relay past either bound
 * takes the place of the newest relay of the member holding the largest share, if that share is
 * larger than the sender's own; otherwise it is refused like one to a user who is not there. So
 * one member (naming invitees who never come, say) cannot spend the room's budget and leave the
 * caller's offer to a callee still ringing refused. What a room
 * holds goes when the room empties (its grant then runs out; nobody is left to negotiate with),
 * and what a member sent goes when it leaves.
 */
import type { ServerFrame } from '../adapters/ws/protocol';

/** How much one room may hold for its invited users who have not entered. */
export const HELD_RELAYS = { frames: 64, bytes: 64 * 1024 } as const;

/**
 * How long what went early to a room's invitees is remembered once the room last emptied: its
 * grant outlives it (an invitation rings on, a lost connection has `--room-idle-ms`), and a member
 * that empties the room and enters again within this does not start the count again. A grant that
 * outlives it (a day-long invitation) allows 64 more early relays per invitee per 10 minutes.
 */
export const SPENT_KEPT_MS = 10 * 60_000;

type Relayed = Extract<ServerFrame, { type: 'relayed' }>;

interface Held {
  readonly to: string;
  readonly frame: Relayed;
}

/** One invitee of a room: the last number given to a relay held for it, and what went early (counted for the room's life). */
interface InviteeCount {
  held: number;
  earlyFrames: number;
  earlyBytes: number;
}

interface RoomHold {
  bytes: number;
  readonly held: Held[];
}

/** The share of the room's budget `relays` take: the larger of their part of its frames and of its bytes. */
function shareOf(relays: readonly Held[]): number {
  let bytes = 0;
  for (const h of relays) bytes += h.frame.data.length;
  return Math.max(relays.length / HELD_RELAYS.frames, bytes / HELD_RELAYS.bytes);
}

/**
 * How `room` makes room for `relay`: while it does not fit, the newest relay of the member holding
 * the largest share goes, as long as that share is larger than the sender's own would be with
 * this relay. What it would keep (and its bytes), or null when it cannot fit; nothing changes.
 */
function makeRoom(room: RoomHold, relay: Relayed): { readonly kept: Held[]; readonly total: number } | null {
  const bytes = relay.data.length;
  let kept = room.held;
  let total = room.bytes;
  const fits = () => kept.length < HELD_RELAYS.frames && total + bytes <= HELD_RELAYS.bytes;
  if (fits()) return { kept, total };
  const mine = shareOf([...kept.filter((h) => h.frame.from === relay.from), { to: '', frame: relay }]);
  while (!fits()) {
    let largest: { readonly from: string; readonly share: number } | null = null;
    for (const from of new Set(kept.map((h) => h.frame.from))) {
      const share = from === relay.from ? 0 : shareOf(kept.filter((h) => h.frame.from === from));
      if (share > (largest?.share ?? mine)) largest = { from, share };
    }
    if (largest === null) return null;
    const newest = kept.map((h) => h.frame.from).lastIndexOf(largest.from);
    total -= kept[newest]!.frame.data.length;
    kept = kept.filter((_, i) => i !== newest);
  }
  return { kept, total };
}

/** Whether `bytes` more may go early to an invitee that had `count` go already. */
function earlyFits(count: InviteeCount, bytes: number): boolean {
  return count.earlyFrames < HELD_RELAYS.frames && count.earlyBytes + bytes <= HELD_RELAYS.bytes;
}

/** A relay {@link HeldRelays.offer} would hold: nothing is held, numbered or counted until its `hold`. */
export interface HeldOffer {
  /** The relay as held, numbered (`held`). */
  readonly held: Relayed;
  /** The copy that may go to its user's sessions at once, marked `early`; null past what the room may send it early. */
  readonly early: Relayed | null;
  /** Holds it (room made for it as {@link HeldRelays.offer} decided), and counts what goes early. */
  hold(): void;
}

/** The relays every room holds for its absent invitees. */
export class HeldRelays {
  private readonly rooms = new Map<number, RoomHold>();
  /**
   * The users that have entered each occupied room: a relay to one that has left again is for
   * a connection it no longer has, so it is refused as before (at most one entry per member).
   */
  private readonly entered = new Map<number, Set<string>>();
  /** Per occupied room, per invitee: the last number given, and what went early. */
  private readonly counts = new Map<number, Map<string, InviteeCount>>();
  /** The counts of rooms that emptied, in the order they did, kept {@link SPENT_KEPT_MS}. */
  private readonly spent = new Map<number, { readonly at: number; readonly byUser: Map<string, InviteeCount> }>();

  /**
   * What holding `frame` for `to` would be, nothing changed yet (its `hold` does it); null when `to` has been in the
   * room already (it is no invitee still to come), or the room holds as much as it may: such a relay goes nowhere,
   * early neither. Decided once: `Rooms.relay` has the sender pay for the early copies between the two, and holds
   * nothing for a relay refused for them.
   */
  offer(to: string, frame: Relayed): HeldOffer | null {
    const roomID = frame.roomID;
    if (this.entered.get(roomID)?.has(to)) return null;
    const room = this.rooms.get(roomID) ?? { bytes: 0, held: [] };
    const made = makeRoom(room, frame);
    if (!made) return null;
    const bytes = frame.data.length;
    const counted = (this.counts.get(roomID) ?? this.spent.get(roomID)?.byUser)?.get(to);
    const number = (counted?.held ?? 0) + 1;
    const held: Relayed = { ...frame, held: number };
    const early: Relayed | null = counted === undefined || earlyFits(counted, bytes) ? { ...held, early: true } : null;
    const hold = () => {
      if (made.kept !== room.held) room.held.splice(0, room.held.length, ...made.kept);
      room.held.push({ to, frame: held });
      room.bytes = made.total + bytes;
      this.rooms.set(roomID, room);
      let byUser = this.counts.get(roomID);
      if (!byUser) {
        byUser = this.spent.get(roomID)?.byUser ?? new Map<string, InviteeCount>();
        this.spent.delete(roomID);
        this.counts.set(roomID, byUser);
      }
      const count = byUser.get(to) ?? { held: 0, earlyFrames: 0, earlyBytes: 0 };
      byUser.set(to, count);
      count.held = number;
      if (!early) return;
      count.earlyFrames++;
      count.earlyBytes += bytes;
    };
    return { held, early, hold };
  }

  /** `userID` entered `roomID`: takes what the room holds for it, in the order it was sent, numbered. */
  take(roomID: number, userID: string): Relayed[] {
    const entered = this.entered.get(roomID) ?? new Set<string>();
    entered.add(userID);
    this.entered.set(roomID, entered);
    return this.remove(roomID, (h) => h.to === userID);
  }

  /**
   * Forgets what `roomID` holds from `userID`: it left, and the connection its offer and
   * candidates were for went with it (an invitee entering later must not answer a member gone).
   */
  dropFrom(roomID: number, userID: string): void {
    this.remove(roomID, (h) => h.frame.from === userID);
  }

  /** Removes the relays of `roomID` that `match`, returning them in the order they were sent. */
  private remove(roomID: number, match: (h: Held) => boolean): Relayed[] {
    const room = this.rooms.get(roomID);
    if (!room) return [];
    const mine = room.held.filter(match);
    if (mine.length === 0) return [];
    const rest = room.held.filter((h) => !match(h));
    if (rest.length === 0) this.rooms.delete(roomID);
    else this.rooms.set(roomID, { bytes: mine.reduce((n, h) => n - h.frame.data.length, room.bytes), held: rest });
    return mine.map((h) => h.frame);
  }

  /** Forgets what `roomID` holds (it emptied at `now`); what went early is kept a while. */
  drop(roomID: number, now: number): void {
    this.rooms.delete(roomID);
    this.entered.delete(roomID);
    for (const [id, kept] of this.spent) {
      if (kept.at + SPENT_KEPT_MS > now) break;
      this.spent.delete(id);
    }
    // What this stay counted, or (a stay that held nothing) what was kept from before: kept anew.
    const byUser = this.counts.get(roomID) ?? this.spent.get(roomID)?.byUser;
    this.counts.delete(roomID);
    this.spent.delete(roomID);
    if (byUser) this.spent.set(roomID, { at: now, byUser });
  }

  /** Relays held in all rooms (metrics, tests). */
  get size(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.held.length;
    return n;
  }
}
