/**
 * The invariants of the interop property test.
 *
 * On our clients, after every step: those of the other property tiers (invariants.ts: one
 * CALL_END per call taken part in, no event outside a call, presence and answers consistent, no
 * core fault, no untyped error), and no error reported by our backends.
 *
 * Across kinds, once every timer has run out ({@link checkQuiescent}):
 * - nobody, ours or Tencent's, is still ringing or dialling;
 * - whoever ours sees in its call's room is in that TRTC room, and sees ours there too (ours: in
 *   its participants; Tencent's: connected, ours entered and not left in its events);
 * - nobody is in a TRTC room without being in a call there (no ghost), and nobody is in a call
 *   alone in its room;
 * then, once everyone hung up and the timers ran out again ({@link checkAllOver}): nobody thinks it
 * is in a call and every TRTC room is empty.
 *
 * Only calls ours had a part in (dialled, rang for or was in) are checked across kinds: calls
 * among Tencent's clients alone show only their own quirks.
 *
 * Exemptions (Tencent's clients' own behaviour, not ours to fix), each narrow:
 * - an abandoned Tencent's client (a trtc-calling-js kicked out, or either kind logged out in a
 *   call: interopSystem.ts's `Seat.abandoned`) may stay in its TRTC room seeing nobody, and in
 *   its call state (TUICallEngine logged out while ringing still says 'calling'): its client
 *   there is no ghost, its state is not checked, and ours, who sees it in the room, is not owed
 *   its view. Its page closes before the final check.
 * - a TUICallEngine invited alone into a C2C group call sees only its inviter ({@link oneToOneInGroup}),
 *   and one in a 1v1 call it dialled only its callee ({@link oneToOneCaller}).
 * - a trtc-calling-js's second group call, its invitees all saying no, leaves it alone in its
 *   room ({@link leftWaiting}); a trtc-calling-js that rang for a group invitation until its own
 *   timer fired stays 'calling' ({@link stillRinging}, spec 2.7); a trtc-calling-js on a second
 *   login that rang for its user's own C2C invitation stays 'calling' ({@link ownInvitation}), and
 *   so does one that dialled again as its last call ended ({@link stuckRedial}).
 * - a Tencent's client alone in the room of a call whose other side was kicked out by a second
 *   login: nobody can tell it, and it has no timer once connected (it waits for good, as it does
 *   for a caller whose page closed); a Tencent's client alone in the room of a group call whose
 *   Tencent's caller logged out before it accepted ({@link callerLoggedOut}); a TUICallEngine whose caller
 *   left the room before it accepted ({@link callerGoneFirst}), or that heard an invitee accept who
 *   left before it joined, its TUICallEngine caller gone too ({@link waitsForUnseen}); a trtc-calling-js invited after a
 *   group call of its own, once its inviter left ({@link staleGroupCaller}), or in its next call
 *   after one it hung up itself ({@link afterOwnHangup}); a Tencent's client that accepted a
 *   trtc-calling-js's invitation made mid-call once that call had ended ({@link invitedMidCall}); a
 *   Tencent's client that accepted a trtc-calling-js's group call through an IM group once another
 *   invitee had declined it and the caller had hung up ({@link declinedThenHungUp}).
 * - a call-engine-js 3.3.4 still ringing, for good, for an IM-group invitation that another invitee
 *   accepted and its caller then withdrew by a CANCEL to it ({@link ignoredCancel}).
 */
import type { Ev } from '../interop/support/interopWorld';
import { checkCallCount, checkCamera, checkTimeline } from './invariants';
import { liveSeats, oursState, seatOf, status, tencentRooms, trtcRooms, type InteropSystem, type Seat } from './interopSystem';

/** Ours, after every step. */
export function oursViolations(s: InteropSystem): string[] {
  return [
    ...s.seats.flatMap((seat) => {
      const u = seat.user;
      if (!u) return [];
      return [...checkTimeline(u.label, u.timeline), ...checkCallCount(u, u.timeline), ...checkCamera(u), ...u.untyped.map((e) => `${u.label}: untyped error ${String(e)}`)];
    }),
    ...s.world.errors.map((e) => `our backend reported: ${String(e)}`),
  ];
}

/** The TRTC rooms a client is in, as the fake TRTC has it (ours: by user ID, one live client per user; a retired ours leaves its room). */
const roomsOf = (s: InteropSystem, seat: Seat): (number | string)[] =>
  seat.user ? s.world.rtc.rooms().filter((r) => r.members.includes(seat.id)).map((r) => r.roomId) : trtcRooms(seat);

/**
 * Whether a check about `seat` concerns a call ours had a part in. Calls among Tencent's clients
 * alone are theirs (their own quirks: e.g. a TUICallEngine that accepts a call whose
 * trtc-calling-js caller just logged out stays connected, alone in the room).
 */
const oursHadAPart = (s: InteropSystem, seat: Seat): boolean => seat.user !== null || tencentRooms(s, seat).some((r) => s.oursRooms.has(r));

/** What Tencent's clients say of an invitation (`onInvited`), as far as these checks read it. */
interface Invited {
  readonly inviteID?: string;
  readonly sponsor?: string;
  readonly isFromGroup?: boolean;
  readonly userIDList?: string[];
}

/** A client's last `onInvited`: its index in the log (-1: none) and its payload. */
function lastInvited(seat: Seat): { readonly at: number; readonly invited: Invited | undefined } {
  const at = seat.log.map((e) => e.name).lastIndexOf('onInvited');
  return { at, invited: seat.log[at]?.payload as Invited | undefined };
}

/**
 * A TUICallEngine that rang for a C2C invitation naming it alone in its inviteeList (a user invited
 * into a C2C group call in progress, by ours, whose data.userIDs names the whole call, or by
 * trtc-calling-js's groupCall() mid-call, spec 2.7) takes the call for 1v1 with its inviter: it
 * reports only the inviter entering, never the call's other members (pinned by
 * test/interop/tuiQuirks.test.ts, "invited alone into a group call").
 */
function oneToOneInGroup(peer: Seat, other: string): boolean {
  if (peer.client.kind !== 'tui') return false;
  const { invited } = lastInvited(peer);
  return invited !== undefined && invited.isFromGroup === false && invited.sponsor !== other && (invited.userIDList?.length ?? 0) <= 1;
}

/**
 * A TUICallEngine in a 1v1 call it dialled takes it for 1v1 to the end: a third its callee
 * (trtc-calling-js, spec 2.7) invites into the call mid-call is never reported entering (pinned by
 * test/interop/tuiQuirks.test.ts, "a TUICallEngine 1v1 caller whose callee invites a third").
 */
function oneToOneCaller(peer: Seat, other: string): boolean {
  if (peer.client.kind !== 'tui' || peer.dialled === null || peer.dialled === other || !peer.sees.has(peer.dialled)) return false;
  // Its call now is its own dial: no invitation since its last call ended.
  return lastInvited(peer).at < peer.log.map((e) => e.name).lastIndexOf('onCallEnd') + 1;
}

/** The index of a Tencent's client's last event but its own busy answers to calls that came meanwhile (LINE_BUSY naming itself, spec 2.3). */
function lastOwnEvent(seat: Seat): number {
  const busyOf = (e: Ev | undefined) => e?.name === 'onLineBusy' && (e.payload as { userID?: string } | null)?.userID === seat.id;
  // Another user's invitation it answered busy, timing out later (seed 2042405571, run 748): not its own word either.
  const othersTimeout = (e: Ev | undefined, at: number) => {
    const sponsor = (e?.payload as { sponsor?: string } | null)?.sponsor;
    return e?.name === 'onCallingTimeout' && sponsor !== undefined && sponsor !== seat.id && seat.log.slice(0, at).some(busyOf);
  };
  let last = seat.log.length - 1;
  // Past a "no" to its own dial, a USER_ACCEPT after its busy answer is another invitee's of the invitation it answered
  // busy (run 748 again, that invitee accepting: trtc-calling-js names itself in it, so only the order tells).
  const busy = seat.log.map((e) => busyOf(e)).lastIndexOf(true);
  let before = busy - 1;
  while (before >= 0 && busyOf(seat.log[before])) before--;
  const refused = ['onCallingTimeout', 'onNoResp', 'onReject', 'onLineBusy'].includes(seat.log[before]?.name ?? '');
  if (busy >= 0 && refused && seat.log.slice(busy + 1).every((e, k) => e.name === 'onUserAccept' || busyOf(e) || othersTimeout(e, busy + 1 + k))) last = busy;
  while (last >= 0 && (busyOf(seat.log[last]) || othersTimeout(seat.log[last], last))) last--;
  return last;
}

/**
 * A trtc-calling-js whose group call's invitees all said no (timed out, no response, rejected),
 * after an earlier call of its (ended, or one it is still in), stays connected alone in its room
 * (that answer the last it said; pinned by test/interop/officialQuirks.test.ts, "trtc-calling-js's second
 * group call").
 */
function leftWaiting(seat: Seat): boolean {
  const last = lastOwnEvent(seat);
  const said = seat.log[last]?.name ?? '';
  // Its own dial's answer (a timeout or no response names the sponsor: itself).
  const sponsor = (seat.log[last]?.payload as { sponsor?: string } | null)?.sponsor;
  const own = sponsor === undefined || sponsor === seat.id;
  return seat.client.kind === 'official' && own && ['onCallingTimeout', 'onNoResp', 'onReject', 'onLineBusy'].includes(said) && seat.log.slice(0, last).some((e) => e.name === 'onCallEnd' || e.name === 'onUserEnter');
}

/**
 * trtc-calling-js rang for a group invitation and its own timer fired: CALLING_TIMEOUT, and it
 * stays 'calling' (spec 2.7's confirmed quirk of a group callee). Not when its inviter's timeout
 * notice naming it reached it (ours' group caller withdraws so, through the group or C2C): that one
 * names every invitee still ringing, and must end it.
 */
function stillRinging(s: InteropSystem, seat: Seat): boolean {
  const { invited } = lastInvited(seat);
  if (seat.client.kind !== 'official' || seat.log.at(-1)?.name !== 'onCallingTimeout' || invited?.isFromGroup !== true) return false;
  return !s.world.im.log.some((m) => {
    const env = JSON.parse(m.payload.data) as { actionType?: number; inviteID?: string; inviteeList?: string[] };
    const reached = m.to === seat.id || m.recipients.some((r) => r.userID === seat.id);
    return reached && m.from === invited.sponsor && env.actionType === 5 && env.inviteID === invited.inviteID && env.inviteeList?.includes(seat.id) === true;
  });
}

/**
 * A trtc-calling-js that rang for its own user's C2C invitation, replayed on its login (TSignaling's
 * replay reads both directions of a conversation and checks the invitees only of a group
 * invitation): it stays 'calling' for good (pinned by test/interop/offline.test.ts, "a caller's
 * second login").
 */
function ownInvitation(seat: Seat): boolean {
  const { at, invited } = lastInvited(seat);
  // Still ringing for it: 'calling', and in no room since.
  return seat.client.kind === 'official' && invited?.sponsor === seat.id && status(seat) === 'calling' && !seat.log.slice(at + 1).some((e) => e.name === 'onUserEnter');
}

/**
 * A Tencent's client that accepted a group call whose Tencent's caller (TUICallEngine or
 * trtc-calling-js) had logged out (their logout says nothing to the call) is alone in the room once
 * the others answered, for good (pinned by test/interop/tuiQuirks.test.ts, "a TUICallEngine group
 * caller logs out", "... a trtc-calling-js member answers", "a trtc-calling-js group caller logs out").
 */
function callerLoggedOut(s: InteropSystem, seat: Seat): boolean {
  const { invited } = lastInvited(seat);
  return seat.client.kind !== 'ours' && s.seats.some((x) => x.id === invited?.sponsor && x.client.kind !== 'ours' && x.abandoned);
}

/**
 * A TUICallEngine that accepted a group call after its caller left the room (TUICallEngine's members
 * wait for invitees still ringing; trtc-calling-js's and ours end with the caller) is alone in the
 * room for good (pinned by test/interop/tuiQuirks.test.ts, "a TUICallEngine group caller hangs up
 * while one invitee answered").
 */
function callerGoneFirst(s: InteropSystem, seat: Seat): boolean {
  if (seat.client.kind !== 'tui') return false;
  const { at, invited } = lastInvited(seat);
  const sponsor = invited?.sponsor;
  const after = seat.log.slice(at + 1);
  const left = after.findIndex((e) => e.name === 'onUserLeave' && (e.payload as { userID?: string } | null)?.userID === sponsor);
  const began = after.findIndex((e) => e.name === 'onCallBegin');
  // A TUICallEngine's call: ours (and trtc-calling-js) tell an invitee that answered when they leave.
  const tuiCaller = s.seats.some((x) => x.id === sponsor && x.client.kind === 'tui');
  return at >= 0 && tuiCaller && left >= 0 && (began < 0 || left < began);
}

/**
 * A TUICallEngine member counts an invitee whose USER_ACCEPT it heard as still to come until it sees
 * them enter: one that accepted, entered (its TUICallEngine caller saw it) and left before the member
 * joined never does. Once the caller left too, the member waits alone in the room for good, whether
 * the caller's hangup crossed its accept or came after the call began with it, and whoever that
 * invitee was on (pinned by test/interop/tuiQuirks.test.ts, "a TUICallEngine member hears an invitee
 * accept who leaves before it joins").
 */
function waitsForUnseen(s: InteropSystem, seat: Seat): boolean {
  if (seat.client.kind !== 'tui') return false;
  const { at, invited } = lastInvited(seat);
  const sponsor = invited?.sponsor;
  const after = seat.log.slice(at + 1);
  const who = (e: Ev) => (e.payload as { userID?: string } | null)?.userID;
  const callers = s.seats.filter((x) => x.id === sponsor && x.client.kind === 'tui');
  const left = after.some((e) => e.name === 'onUserLeave' && who(e) === sponsor);
  const unseen = after.some(
    (e) => e.name === 'onUserAccept' && who(e) !== seat.id && !after.some((f) => f.name === 'onUserEnter' && who(f) === who(e)) &&
      callers.some((c) => c.log.some((f) => f.name === 'onUserEnter' && who(f) === who(e))),
  );
  return at >= 0 && callers.length > 0 && left && unseen;
}

/**
 * A trtc-calling-js that hung up a group call of its own stays connected alone in its next group
 * call (invited, or its own) once the other leaves (pinned by test/interop/officialQuirks.test.ts, "Carol
 * (Tencent's) group-calls Dave and hangs up").
 */
function staleGroupCaller(seat: Seat): boolean {
  if (seat.client.kind !== 'official' || seat.log[lastOwnEvent(seat)]?.name !== 'onUserLeave') return false;
  const names = seat.log.map((e) => e.name);
  // A group call of its own (roster updates) ended, then another call.
  const ended = names.indexOf('onCallEnd', names.indexOf('onGroupCallInviteeListUpdate'));
  return names.includes('onGroupCallInviteeListUpdate') && ended >= 0 && names.slice(ended + 1).includes('onUserEnter');
}

/**
 * A trtc-calling-js that dialled again just as its last call ended, whose reset then ran on: it
 * never enters the new call's room and stays 'calling' once answered (pinned by
 * test/interop/officialQuirks.test.ts, "trtc-calling-js's call() right after its group call was rejected").
 */
function stuckRedial(seat: Seat): boolean {
  const names = seat.log.map((e) => e.name);
  const last = lastOwnEvent(seat);
  return seat.client.kind === 'official' && status(seat) === 'calling' && names[last] === 'onUserAccept' && names[last - 1] === 'onCallEnd';
}

/**
 * A trtc-calling-js that hung up a call itself (it left that room with someone still there: a USER_ENTER
 * never followed by that user's USER_LEAVE) is not ended in its next call when the other side leaves
 * (pinned by test/interop/officialQuirks.test.ts, "trtc-calling-js's next call after a call it hung up", and
 * "..., a group call through an IM group", whose roster update follows the leave, and "..., a group
 * call of its own").
 */
function afterOwnHangup(seat: Seat): boolean {
  let last = lastOwnEvent(seat);
  // A member of a group call through an IM group reports the roster after the leave (seed 2042405571).
  if (seat.log[last]?.name === 'onGroupCallInviteeListUpdate' && seat.log[last - 1]?.name === 'onUserLeave') last--;
  if (seat.client.kind !== 'official' || seat.log[last]?.name !== 'onUserLeave') return false;
  const names = seat.log.map((e) => e.name);
  const entered = names.lastIndexOf('onUserEnter', last);
  // The calls before this one: up to the last CALL_END before its entry (this call an invitation or its own dial).
  const earlier = entered > 0 ? seat.log.slice(0, names.lastIndexOf('onCallEnd', entered) + 1) : [];
  const who = (e: { payload: unknown }) => (e.payload as { userID?: string } | null)?.userID;
  return earlier.some((e, k) => e.name === 'onUserEnter' && !earlier.slice(k + 1).some((f) => f.name === 'onUserLeave' && who(f) === who(e)));
}

/**
 * A Tencent's client that accepted what a trtc-calling-js invited it to mid-call (its groupCall() in a
 * call it was in, C2C or through an IM group, spec 2.7) once that call's other side hung up or left:
 * trtc-calling-js ends its call without cancelling the invitation, and the accept comes to it after
 * its end (a new call's invitation may come to it first), or not at all once it logged out; the
 * invitee is alone in the room for good
 * (ours, invited so, ends; pinned by test/interop/officialQuirks.test.ts, "trtc-calling-js's groupCall()
 * mid-call, then its callee hangs up", "... and a new call rings it before the accept comes" and
 * "... through an IM group mid-call, then its caller hangs up").
 */
function invitedMidCall(s: InteropSystem, seat: Seat, roomId: number | string): boolean {
  if (seat.client.kind === 'ours') return false;
  const { invited } = lastInvited(seat);
  // The invitation of the room it is alone in.
  if ((invited as { inviteData?: { roomID?: unknown } } | undefined)?.inviteData?.roomID !== roomId) return false;
  return s.seats.some((x) => {
    if (x.id !== invited?.sponsor || x.client.kind !== 'official') return false;
    const names = x.log.map((e) => e.name);
    // A call it was in (someone entered, no CALL_END since) ended, and the next it heard was an accept
    // (after the invitation of a new call, maybe: the accept still crosses it), or nothing, logged out
    // before the accept came (seed 2042405571, both).
    return names.some((name, end) => {
      const next = names.slice(end + 1).find((n) => n !== 'onInvited');
      if (name !== 'onCallEnd' || (next !== 'onUserAccept' && (next !== undefined || x.loggedIn))) return false;
      const entered = names.lastIndexOf('onUserEnter', end);
      return entered >= 0 && !names.slice(entered, end).includes('onCallEnd');
    });
  });
}

/**
 * A Tencent's client (TUICallEngine or trtc-calling-js) that accepted a trtc-calling-js's group call
 * through an IM group after another invitee declined it (its REJECT to the group, heard by the
 * member too: onReject naming that invitee) and the caller, having heard it, hung up:
 * trtc-calling-js keeps one inviteID for such an invitation and drops it at the first answer, so its
 * hangup() cancels nothing and the member rings on; it accepts into the room the caller left and is
 * alone there for good (ours ends). Ours declines so on logout() as any kind does on reject() (pinned
 * by test/interop/officialQuirks.test.ts, "trtc-calling-js's group call through an IM group: an invitee
 * declines, then it hangs up").
 */
function declinedThenHungUp(s: InteropSystem, seat: Seat): boolean {
  if (seat.client.kind === 'ours' || status(seat) !== 'connected') return false;
  const { at, invited } = lastInvited(seat);
  // Through an IM group: its copy names every invitee (a C2C copy names one; TUICallEngine takes that for 1v1).
  const invitees = invited?.userIDList ?? [];
  if (invited?.isFromGroup !== true || invitees.length < 2) return false;
  const who = (e: Ev) => (e.payload as { userID?: string } | null)?.userID;
  // A plain reject (a busy one takes the same path in trtc-calling-js, not pinned yet).
  const declined = (e: Ev, id: string) => e.name === 'onReject' && who(e) === id;
  const after = seat.log.slice(at + 1);
  // Its caller never came into its room.
  if (after.some((e) => e.name === 'onUserEnter' && who(e) === invited.sponsor)) return false;
  const other = invitees.find((id) => id !== seat.id && after.some((e) => declined(e, id)));
  return other !== undefined && s.seats.some((x) => x.id === invited.sponsor && x.client.kind === 'official' && status(x) === 'idle' && x.log.some((e) => declined(e, other)));
}

/** An abandoned Tencent's client of `id` has a client in `roomId`. */
const abandonedIn = (s: InteropSystem, id: string, roomId: number | string): boolean =>
  s.seats.some((x) => x.abandoned && x.id === id && roomsOf(s, x).includes(roomId));

/** After every timer ran out: nobody rings or dials, everyone in a call agrees with the room. */
export function checkQuiescent(s: InteropSystem): string[] {
  const problems: string[] = [];
  const live = liveSeats(s);
  for (const seat of live) {
    const st = seat.user ? oursState(seat) : status(seat);
    if (seat.user ? !['none', 'inCall'].includes(st) : st === 'calling' && oursHadAPart(s, seat) && !seat.abandoned && !stillRinging(s, seat) && !ownInvitation(seat) && !stuckRedial(seat)) problems.push(`${seat.label} (${seat.kind}) still ${st} after every timer ran out`);
  }
  // Whoever ours sees in its room is there, and sees ours.
  for (const seat of live) {
    const call = seat.user?.calling.getSnapshot().call;
    if (!call || call.state !== 'inCall') continue;
    const members = s.world.rtc.members(call.roomID);
    if (!members.includes(seat.id)) problems.push(`${seat.label} is in a call in room ${call.roomID}, but not in that TRTC room (${JSON.stringify(members)})`);
    if (call.participants.length === 0) problems.push(`${seat.label} (ours) is in a call in room ${call.roomID} with nobody`);
    for (const p of call.participants) {
      const peer = seatOf(s, p.userID);
      if (!members.includes(p.userID)) {
        problems.push(`${seat.label} sees ${p.userID} in room ${call.roomID}, who is not in that TRTC room (${JSON.stringify(members)})`);
        continue;
      }
      if (abandonedIn(s, p.userID, call.roomID)) continue;
      if (oneToOneInGroup(peer, seat.id) || oneToOneCaller(peer, seat.id)) continue;
      const peerCall = peer.user?.calling.getSnapshot().call;
      const seesUs = peer.user
        ? peerCall?.roomID === call.roomID && peerCall.participants.some((q) => q.userID === seat.id)
        : status(peer) === 'connected' && peer.sees.has(seat.id);
      if (!seesUs) problems.push(`${seat.label} (ours) sees ${p.userID} (${peer.kind}) in room ${call.roomID}, but ${p.userID} does not see ${seat.id}`);
    }
  }
  // Nobody in a room outside a call there; nobody alone in a call.
  for (const { roomId, members } of s.world.rtc.rooms()) {
    if (!s.oursRooms.has(roomId)) continue;
    for (const id of members) {
      const seat = seatOf(s, id);
      const inCall = seat.user ? seat.user.calling.getSnapshot().call?.roomID === roomId : status(seat) === 'connected' && roomsOf(s, seat).includes(roomId);
      if (!inCall && !abandonedIn(s, id, roomId)) problems.push(`${id} (${seat.kind}) is in TRTC room ${roomId} (${JSON.stringify(members)}) outside any call there`);
    }
    // A Tencent's client that answered a call whose other side a second login kicked out (who can
    // no longer signal) waits in the room for good: neither kind has a timer once connected.
    const waits = s.kickedRooms.has(roomId) && seatOf(s, members[0]!).user === null;
    if (members.length === 1 && !abandonedIn(s, members[0]!, roomId) && !waits && !leftWaiting(seatOf(s, members[0]!)) && !callerLoggedOut(s, seatOf(s, members[0]!)) && !callerGoneFirst(s, seatOf(s, members[0]!)) && !waitsForUnseen(s, seatOf(s, members[0]!)) && !staleGroupCaller(seatOf(s, members[0]!)) && !afterOwnHangup(seatOf(s, members[0]!)) && !invitedMidCall(s, seatOf(s, members[0]!), roomId) && !declinedThenHungUp(s, seatOf(s, members[0]!))) problems.push(`${members[0]} (${seatOf(s, members[0]!).kind}) alone in TRTC room ${roomId} after every timer ran out`);
  }
  return problems;
}

/** After everyone hung up and every timer ran out: nobody in a call, every room empty. */
export function checkAllOver(s: InteropSystem): string[] {
  const problems: string[] = [];
  for (const seat of liveSeats(s)) {
    const st = status(seat);
    if (st !== 'idle' && oursHadAPart(s, seat) && !seat.abandoned && !stillRinging(s, seat) && !ownInvitation(seat) && !stuckRedial(seat)) problems.push(`${seat.label} (${seat.kind}) still ${st} after everyone hung up`);
  }
  for (const { roomId, members } of s.world.rtc.rooms()) {
    if (s.oursRooms.has(roomId)) problems.push(`TRTC room ${roomId} still has ${JSON.stringify(members)} after everyone hung up`);
  }
  return problems;
}
