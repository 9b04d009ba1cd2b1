/**
 * Many devices: the answer rule, pure, shared by the embedded server (`server/mail.ts`) and the
 * memory network (`adapters/memory/InMemoryImHub.ts`). Beside the protocol, which it needs only
 * for the shape of an answer.
 */
import type { AnswerMeta } from './protocol';

/** What a user's devices answered one invitation: busy votes so far, or the answer that went (or was claimed). */
export type Verdict<D> = Set<D> | { readonly by: D; readonly passed: boolean };

/**
 * Told every change of a ledger as it is made (the embedded server writes them to SQLite, so that
 * a restart forgets no answer): `undefined` when an entry went.
 */
export interface LedgerJournal<D> {
  verdict(userID: string, inviteID: string, verdict: Verdict<D> | undefined): void;
  /**
   * A user the ledger does not hold (offline, or never seen) was invited anew: her answers to `keys` go, those the
   * journal has. By what it holds of her, not one delete per key: most invitees never answered, and a delete per
   * earlier invitation of the room for each invitee made a group invitation cost 9,400 statements (2026-12-06).
   */
  cleared(userID: string, keys: ReadonlySet<string>): void;
  room(roomID: number, invites: ReadonlyMap<string, ReadonlySet<string>> | undefined): void;
  /** What it keeps of a user the ledger holds no more (forgotten, or not seen since the start), oldest first. */
  recall(userID: string): Iterable<readonly [string, Verdict<D>]>;
}

/**
 * An invitation as the ledger files it: its inviter and its inviteID. An inviteID alone is no
 * invitation's: a member of an IM group sees the inviteID of a call made through it, and could
 * invite a user under it, so that the user's answer to hers counted as the answer to the call.
 * An answer that names no inviter (a group answer of a client from before answers named it: a C2C
 * one answers the user it goes to) is filed under none, and so answers no invitation the ledger
 * knows: it goes on, counted for nothing. Matching it with any inviter's invitation would give the
 * attack back (the review of the fallback that did, 2026-12-05).
 */
export const invitationKey = (inviter: string, inviteID: string): string => `${inviter} ${inviteID}`;

/** A key {@link invitationKey} makes, for an inviter or none (a journal's rows from before keys had the part do not read). */
export const INVITATION_KEY = /^[A-Za-z0-9_-]{0,32} ./s;

/**
 * The answer rule of many devices, kept by the embedded server and the memory network alike
 * (generic in what a device is): the first accept, reject or timeout any device of a user sends
 * for an invitation goes on; any later answer of that user to it is dropped, so the caller hears
 * one answer per callee. A busy answer goes on only once every device of the user that is
 * online has answered busy: an idle device rings on, and answers for the user. A device that
 * enters an invitation's room claims the answer (TRTCCalling enters before it accepts): its own
 * answer then goes, another device's does not, and no other device may enter once the user
 * answered. Bounded: the newest {@link AnswerLedger.PER_USER} answers per user, and past them those to
 * an invitation that still counts (the newest naming the user in a room the ledger holds, one with a live
 * grant: at most one per room), {@link AnswerLedger.ROOMS} rooms and {@link AnswerLedger.ROOM_INVITES}
 * invitations per room are remembered, so each step costs at most its invitees times that many invitations.
 */
export class AnswerLedger<D> {
  static readonly PER_USER = 32;
  static readonly ROOMS = 4096;
  /**
   * Invitations a room keeps whatever they are; past it, an invitation each of whose invitees a newer one
   * names goes (it counts for nobody: their answers to it were cleared). One that still counts for someone
   * stays: a group call made without an IM group is an invitation per invitee (their own inviteIDs), and
   * dropping the oldest past 8 let the first invitees' other devices enter the room one of theirs had
   * declined (the review of 2026-12-05). So a room holds at most this many, or one per invitee (the
   * embedded server admits `maxRoomUsers`), and {@link AnswerLedger.ROOM_INVITES_MAX} naming
   * {@link AnswerLedger.ROOM_NAMES_MAX} invitees in all in any case (8 of a room's 100 places each, as before).
   */
  static readonly ROOM_INVITES = 8;
  /** A room's invitations past which its oldest goes, whether it counts or not. */
  static readonly ROOM_INVITES_MAX = 256;
  /** The invitees a room's invitations name in all (each invitation's count), past which its oldest goes. */
  static readonly ROOM_NAMES_MAX = 800;
  private readonly users = new Map<string, Map<string, Verdict<D>>>();
  /**
   * Each user's answers pushed out of her newest {@link AnswerLedger.PER_USER} whose invitation still counts: a user's
   * 32 newest were all that was kept, and 32 other answers (a device in a call answers each invitation busy by itself:
   * an attacker's 32 invitations, one account's rooms) pushed out her decline of a call still going on, whose room
   * another device of hers then entered (review of 2026-12-05). Each goes when its invitation stops counting.
   */
  private readonly kept = new Map<string, Map<string, Verdict<D>>>();
  /** The rooms each invitation (its key) is filed in: what {@link AnswerLedger.counts} reads. */
  private readonly roomsOf = new Map<string, Set<number>>();
  /** Each room's invitations, and whom each invites. */
  private readonly rooms = new Map<number, Map<string, ReadonlySet<string>>>();

  /**
   * @param maxRooms the rooms remembered (the newest): the embedded server passes its bound on rooms with a live
   * grant (`--max-rooms`), so that no room that can still be entered is pushed out. At 4,096 while the server
   * held 100,000 grants, the rooms of calls ringing for a day (an attacker's accounts, 32 rooms each, or a busy
   * server's calls in progress) pushed out the room of a call another device of its invitee had declined.
   */
  constructor(
    private readonly journal?: LedgerJournal<D>,
    private readonly maxRooms = AnswerLedger.ROOMS,
  ) {}

  /** Puts back a room a journal kept, oldest first, telling it nothing (users are recalled as they come back). */
  restore(roomID: number, invites: Map<string, ReadonlySet<string>>): void {
    this.rooms.set(roomID, invites);
    for (const key of invites.keys()) this.index(key, roomID);
  }

  /**
   * True when `device`'s answer goes to the caller; `devices` are the user's devices online now. Not `record`, only
   * says so (the embedded server asks before it charges the answer's copies, which one held back never makes).
   */
  pass(userID: string, device: D, answer: AnswerMeta, devices: readonly D[], record = true): boolean {
    const key = invitationKey(answer.inviter ?? '', answer.inviteID);
    const entry = this.answerOf(userID, key);
    if (entry !== undefined && !(entry instanceof Set)) {
      if (entry.by !== device || entry.passed) return false;
      // The device that claimed it by entering the room answers: the answer is now the newest, as
      // a journal's order has it (kept in place, a restart would evict another answer first).
      if (record) this.put(userID, key, { by: device, passed: true });
      return true;
    }
    if (answer.kind === 'busy' && !devices.every((d) => d === device || entry?.has(d) === true)) {
      if (record) this.put(userID, key, (entry ?? new Set<D>()).add(device));
      return false;
    }
    if (record) this.put(userID, key, { by: device, passed: true });
    return true;
  }

  /**
   * `inviter`'s invitation to `roomID` went to `invitees`: their answers to earlier invitations to
   * that room no longer count. The same invitation again (a send the client repeated because its
   * ack never came: after a restart no reply is remembered to answer it with) is no earlier one:
   * the answers to it stand, or a device would enter the room its user declined.
   */
  invited(inviter: string, inviteID: string, roomID: number, invitees: readonly string[]): void {
    // One that reaches nobody counts for nobody and clears nothing: filed, it filled the room's bounds, and past
    // them pushed out an invitation that counts (review of f8f1c52).
    if (invitees.length === 0) return;
    const key = invitationKey(inviter, inviteID);
    const invites = this.rooms.get(roomID) ?? new Map<string, ReadonlySet<string>>();
    const earlier = new Set([...invites.keys()].filter((k) => k !== key));
    for (const userID of invitees) {
      const held = this.users.get(userID);
      // A user not held here may have answers in the journal: they go there (not recalled: most invitees never answer).
      if (held === undefined) {
        if (earlier.size > 0) this.journal?.cleared(userID, earlier);
        continue;
      }
      const kept = this.kept.get(userID);
      for (const k of earlier) if ([held.delete(k), kept?.delete(k) === true].includes(true)) this.journal?.verdict(userID, k, undefined);
    }
    const before = invites.get(key);
    invites.delete(key);
    invites.set(key, new Set(invitees));
    this.index(key, roomID);
    // Sent again naming others only: for those it names no more it counts no more (kept, their answers stayed for good).
    for (const userID of before ?? []) if (!invitees.includes(userID)) this.release(userID, key);
    this.rooms.delete(roomID);
    this.rooms.set(roomID, invites);
    while (invites.size > AnswerLedger.ROOM_INVITES) {
      const over = invites.size > AnswerLedger.ROOM_INVITES_MAX || [...invites.values()].reduce((n, users) => n + users.size, 0) > AnswerLedger.ROOM_NAMES_MAX;
      const gone = overtaken(invites) ?? (over ? (invites.keys().next().value as string) : undefined);
      if (gone === undefined) break;
      const goneInvitees = invites.get(gone) ?? new Set<string>();
      invites.delete(gone);
      this.unindex(gone, roomID, goneInvitees);
    }
    this.journal?.room(roomID, invites);
    if (this.rooms.size > this.maxRooms) this.dropRoom(this.rooms.keys().next().value as number);
  }

  /**
   * `device` enters `roomID`: false when its user already answered the room's invitation (or
   * another device claimed it); else it claims the answer to the invitations of that room to its user.
   */
  enter(userID: string, device: D, roomID: number, record = true): boolean {
    // Her newest invitation to the room only: invited() cleared her answers to the earlier ones, so what they hold
    // since is a late answer to an invitation a newer one replaced, which its inviter no longer reads (it reads
    // answers under the inviteID it sent her last). Counted, it kept out the device accepting the newer one while
    // the room held 8 invitations or fewer, and not past 8, where the replaced one goes (review of f8f1c52).
    const mine = [...(this.rooms.get(roomID) ?? new Map<string, ReadonlySet<string>>())]
      .filter(([, invitees]) => invitees.has(userID))
      .map(([id]) => id)
      .slice(-1);
    for (const key of mine) {
      const entry = this.answerOf(userID, key);
      if (entry !== undefined && !(entry instanceof Set) && entry.by !== device) return false;
    }
    if (!record) return true;
    for (const key of mine) {
      const entry = this.answerOf(userID, key);
      if (entry === undefined || entry instanceof Set) this.put(userID, key, { by: device, passed: false });
    }
    return true;
  }

  /**
   * Nobody may enter `roomID` for its call any more (the embedded server: its grant ended): its invitations
   * are forgotten. Kept until the newest {@link AnswerLedger.ROOMS} pushed them out, the rooms of short calls
   * (an attacker's take four frames each) pushed out those of calls still ringing, and a device entered the
   * room another device of its user had declined (2026-12-05).
   */
  forgetRoom(roomID: number): void {
    if (this.rooms.has(roomID)) this.dropRoom(roomID);
  }

  /** True while a room the ledger holds files the invitation `key` (its answers may still keep a device out). */
  filed(key: string): boolean {
    return this.roomsOf.has(key);
  }

  /**
   * The user has no device left: nothing of theirs is held in memory. A journal keeps their answers
   * (recalled when a device of theirs answers or enters again), so a device away past the resume
   * grace finds its user's decline as after a restart; without one they are gone.
   */
  forget(userID: string): void {
    this.users.delete(userID);
    this.kept.delete(userID);
  }

  private of(userID: string): Map<string, Verdict<D>> {
    let invites = this.users.get(userID);
    if (invites === undefined) {
      invites = new Map<string, Verdict<D>>(this.journal?.recall(userID));
      this.users.set(userID, invites);
      this.trim(userID, invites); // a journal keeps the answers kept past the newest too
    }
    return invites;
  }

  /** What the user's devices answered the invitation `key`, if the ledger holds it. */
  private answerOf(userID: string, key: string): Verdict<D> | undefined {
    return this.of(userID).get(key) ?? this.kept.get(userID)?.get(key);
  }

  private put(userID: string, inviteID: string, verdict: Verdict<D>): void {
    const invites = this.of(userID);
    this.kept.get(userID)?.delete(inviteID);
    invites.delete(inviteID);
    invites.set(inviteID, verdict);
    this.journal?.verdict(userID, inviteID, verdict);
    this.trim(userID, invites);
  }

  /** Past the newest {@link AnswerLedger.PER_USER}, an answer goes, or is kept while its invitation counts. */
  private trim(userID: string, invites: Map<string, Verdict<D>>): void {
    while (invites.size > AnswerLedger.PER_USER) {
      const [oldest, verdict] = invites.entries().next().value as [string, Verdict<D>];
      invites.delete(oldest);
      if (this.counts(userID, oldest)) {
        const kept = this.kept.get(userID) ?? new Map<string, Verdict<D>>();
        kept.set(oldest, verdict);
        this.kept.set(userID, kept);
      } else this.journal?.verdict(userID, oldest, undefined);
    }
  }

  /** True when `key` is the newest invitation naming `userID` in a room the ledger holds (her answer to it keeps her other devices out). */
  private counts(userID: string, key: string): boolean {
    for (const roomID of this.roomsOf.get(key) ?? []) {
      const mine = [...(this.rooms.get(roomID) ?? [])].filter(([, invitees]) => invitees.has(userID));
      if (mine[mine.length - 1]?.[0] === key) return true;
    }
    return false;
  }

  private dropRoom(roomID: number): void {
    const invites = this.rooms.get(roomID);
    this.rooms.delete(roomID);
    this.journal?.room(roomID, undefined);
    for (const [key, invitees] of invites ?? []) this.unindex(key, roomID, invitees);
  }

  private index(key: string, roomID: number): void {
    const rooms = this.roomsOf.get(key) ?? new Set<number>();
    rooms.add(roomID);
    this.roomsOf.set(key, rooms);
  }

  /** `key` is no longer filed in `roomID`: its invitees' answers to it that were kept only for it go. */
  private unindex(key: string, roomID: number, invitees: ReadonlySet<string>): void {
    const rooms = this.roomsOf.get(key);
    rooms?.delete(roomID);
    if (rooms?.size === 0) this.roomsOf.delete(key);
    for (const userID of invitees) this.release(userID, key);
  }

  /** `userID`'s answer to `key` kept past her newest goes if the invitation counts for her no more. */
  private release(userID: string, key: string): void {
    const kept = this.kept.get(userID);
    if (kept?.has(key) !== true || this.counts(userID, key)) return;
    kept.delete(key);
    if (kept.size === 0) this.kept.delete(userID);
    this.journal?.verdict(userID, key, undefined);
  }
}

/** The oldest of `invites` (oldest first) each of whose invitees a newer one names, if any. */
function overtaken(invites: ReadonlyMap<string, ReadonlySet<string>>): string | undefined {
  const named = new Set<string>();
  let oldest: string | undefined;
  for (const [key, invitees] of [...invites].reverse()) {
    let counts = false;
    for (const user of invitees) if (!named.has(user)) counts = true;
    if (!counts && named.size > 0) oldest = key;
    for (const user of invitees) named.add(user);
  }
  return oldest;
}
