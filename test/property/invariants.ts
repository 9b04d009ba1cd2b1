/**
 * The invariants of the calling core, checked over each user's whole timeline of events and
 * API outcomes:
 * - no user is ever in two calls, and every call a user dialled or accepted ends with exactly
 *   one CALL_END, after which nothing more about it arrives;
 * - a ringing invitation is announced by INVITED before anything else about it;
 * - a caller never sees both REJECT (or LINE_BUSY) and USER_ENTER from the same invitee in one call;
 * - once everything has settled, whoever is in a call agrees with its peers on who is in it, and
 *   (in runs that lost no message) a 1v1 call's two sides agree on its type;
 * - CALL_TYPE_CHANGED comes only inside a call, always changes the type, and each one starts
 *   from where the last one left it; an audio call never has the local camera on;
 * - no core fault (ERROR -1300: a request that had no actor to take it) ever happens;
 * - many devices (a user logged in twice): each device's timeline keeps all of the above, at most
 *   one device of a user is ever in a given call's room, the caller never hears two answers
 *   from one callee however many devices it rang (the "second answer" check above, per userID),
 *   and a device that accepted and got into the call never ends it for another device's answer
 *   (CALL_END answeredElsewhere or rejected): entering the room claimed the user's answer; once
 *   everything has settled (no message lost), no device rings on for an invitation another device
 *   of its user is in the call of (it was told).
 */
import { CORE_FAULT } from '../../machines/events';
import { everyDevice, type System, type User } from './harness';

/** One entry of a user's timeline: an event received, or an API call that succeeded. */
export type Entry =
  | { readonly kind: 'event'; readonly name: string; readonly payload: Record<string, unknown> }
  | { readonly kind: 'api'; readonly method: 'call' | 'groupCall' | 'accept' | 'reject' | 'logout' | 'join' }
  | { readonly kind: 'api'; readonly method: 'invite'; readonly users: readonly string[] }
  /** Recorded for those in the room of a call that `users` joined (joinInGroupCall) without an invitation. */
  | { readonly kind: 'api'; readonly method: 'admit'; readonly users: readonly string[] };

/** Events that are about a call (everything but SDK_READY, KICKED_OUT and ERROR). */
const ABOUT_A_CALL = new Set([
  'onInvited', 'onUserAccept', 'onReject', 'onNoResp', 'onLineBusy', 'onCallingCancel', 'onCallingTimeout',
  'onUserEnter', 'onUserLeave', 'onCallEnd', 'onUserVideoAvailable', 'onUserAudioAvailable', 'onGroupCallInviteeListUpdate',
  'onCallTypeChanged',
]);

/** Walks one user's timeline; returns what it violates. */
export function checkTimeline(userID: string, timeline: readonly Entry[]): string[] {
  const problems: string[] = [];
  let segment: 'none' | 'ringing' | 'call' = 'none';
  let rejected = new Set<string>();
  let entered = new Set<string>();
  let present = new Set<string>();
  let answers = new Set<string>();
  /** Who joined this call of their own accord: their USER_ENTER is no answer to an invitation. */
  let admitted = new Set<string>();
  /** This device answered the call with accept() (so its answer is the one that stands once it is in the room). */
  let accepted = false;
  let lastType: unknown = null;
  const close = () => {
    accepted = false;
    lastType = null;
    segment = 'none';
    rejected = new Set();
    entered = new Set();
    present = new Set();
    answers = new Set();
    admitted = new Set();
  };
  timeline.forEach((entry, i) => {
    const where = `${userID}#${i}`;
    if (entry.kind === 'api') {
      if (entry.method === 'invite' || entry.method === 'admit') {
        if (entry.method === 'invite' && segment !== 'call') problems.push(`${where}: inviteUser() succeeded outside a call`);
        // Invited again, or joining of their own accord (after a REJECT, say): a new answer from them is legitimate.
        // So is a REJECT of the new invitation from someone who entered on an earlier one and has left.
        for (const u of entry.users) {
          if (entry.method === 'admit') admitted.add(u);
          answers.delete(u);
          rejected.delete(u);
          if (!present.has(u)) entered.delete(u);
        }
        return;
      }
      if (entry.method === 'call' || entry.method === 'groupCall' || entry.method === 'join') {
        if (segment !== 'none') problems.push(`${where}: ${entry.method}() succeeded while already in a call`);
        segment = 'call';
      } else if (entry.method === 'accept') {
        if (segment !== 'ringing') problems.push(`${where}: accept() succeeded with nothing ringing`);
        segment = 'call';
        accepted = true;
      } else if (entry.method === 'reject') {
        if (segment !== 'ringing') problems.push(`${where}: reject() succeeded with nothing ringing`);
        close();
      } else if (entry.method === 'logout' && segment === 'ringing') close();
      return;
    }
    const { name, payload } = entry;
    // A request with no actor to take it is reported, never dropped: it must never happen.
    if (name === 'onError' && payload.code === CORE_FAULT) problems.push(`${where}: core fault: ${String(payload.msg)}`);
    if (name === 'onKickedOut' && segment === 'ringing') close();
    if (!ABOUT_A_CALL.has(name)) return;
    if (name === 'onInvited') {
      if (segment !== 'none') problems.push(`${where}: INVITED while in a call (busy policy broken)`);
      segment = 'ringing';
      return;
    }
    if (segment === 'none') {
      problems.push(`${where}: ${name} ${JSON.stringify(payload)} outside any call (after its end, or before INVITED)`);
      return;
    }
    if (name === 'onCallTypeChanged') {
      if (payload.oldCallType === payload.newCallType) problems.push(`${where}: CALL_TYPE_CHANGED that changes nothing`);
      if (lastType !== null && payload.oldCallType !== lastType) problems.push(`${where}: CALL_TYPE_CHANGED from ${String(payload.oldCallType)}, but the last one went to ${String(lastType)}`);
      lastType = payload.newCallType;
      return;
    }
    const who = typeof payload.userID === 'string' ? payload.userID : '';
    // A busy answer declines as a reject does (many devices: it goes once every device of the user is busy).
    if (name === 'onReject' || name === 'onLineBusy') rejected.add(who);
    if (name === 'onUserEnter') entered.add(who);
    if (rejected.has(who) && entered.has(who) && !admitted.has(who)) problems.push(`${where}: both REJECT (or LINE_BUSY) and USER_ENTER from ${who} in one call`);
    // Presence is consistent: enter once, leave only after entering, media only while in.
    if (name === 'onUserEnter') {
      if (present.has(who)) problems.push(`${where}: USER_ENTER ${who} twice without a USER_LEAVE`);
      present.add(who);
    }
    if (name === 'onUserLeave') {
      if (!present.delete(who)) problems.push(`${where}: USER_LEAVE ${who} who had not entered`);
    }
    if ((name === 'onUserVideoAvailable' || name === 'onUserAudioAvailable') && !present.has(who))
      problems.push(`${where}: ${name} about ${who}, who is not in the call`);
    // Each invitee answers a call once: USER_ACCEPT, REJECT, LINE_BUSY or NO_RESP.
    if (['onUserAccept', 'onReject', 'onLineBusy', 'onNoResp'].includes(name)) {
      if (answers.has(who)) problems.push(`${where}: a second answer (${name}) from ${who} in one call`);
      answers.add(who);
    }
    if (name === 'onCallEnd') {
      // Many devices: a ringing device stops with CALL_END when another device of its user answered.
      const elsewhere = segment === 'ringing' && (payload.reason === 'answeredElsewhere' || payload.reason === 'rejected');
      if (segment !== 'call' && !elsewhere) problems.push(`${where}: CALL_END for a call never dialled or accepted`);
      // One device of a user gets into the room, and its answer stands: another device's cannot end its call.
      if (accepted && entered.size > 0 && (payload.reason === 'answeredElsewhere' || payload.reason === 'rejected'))
        problems.push(`${where}: CALL_END ${String(payload.reason)} after it accepted and was in the call`);
      close();
    }
    if ((name === 'onCallingCancel' || name === 'onCallingTimeout') && segment === 'ringing') close();
  });
  return problems;
}

/** CALL_ENDs that stopped a ringing invitation (another device of the user answered it): no call of this device's. */
function endsWhileRinging(timeline: readonly Entry[]): number {
  let ringing = false;
  let n = 0;
  for (const e of timeline) {
    if (e.kind === 'api') ringing &&= e.method === 'admit'; // someone else joining is no API call of ours
    else if (e.name === 'onInvited') ringing = true;
    else if (e.name === 'onCallEnd' || e.name === 'onCallingCancel' || e.name === 'onCallingTimeout' || e.name === 'onKickedOut') {
      if (ringing && e.name === 'onCallEnd') n++;
      ringing = false;
    }
  }
  return n;
}

/** Dialled or accepted calls and their CALL_ENDs agree with what the user's line shows now. */
export function checkCallCount(user: User, timeline: readonly Entry[]): string[] {
  const ended = timeline.filter((e) => e.kind === 'event' && e.name === 'onCallEnd').length - endsWhileRinging(timeline);
  const call = user.calling.getSnapshot().call;
  const answered = call !== null && (call.role === 'caller' || ['accepting', 'inCall', 'ending'].includes(call.state));
  const open = user.opened - ended;
  if (open !== (answered ? 1 : 0))
    return [`${user.label}: dialled/accepted ${user.opened}, CALL_END ${ended}, live answered call: ${answered}`];
  return [];
}

/**
 * At quiescence: everyone in a call sees its peers, and they see it, in the same room (a peer
 * with many devices: the one device of it in that room).
 */
export function checkAgreement(system: System): string[] {
  const problems: string[] = [];
  const devices = everyDevice(system);
  // The device of `userID` that is in that room's call: one still ringing for it (another
  // device answered while it was unreachable, so nobody told it) is not.
  const inRoom = (userID: string, roomID: number) => {
    const calls = devices.filter((d) => d.id === userID).map((d) => d.calling.getSnapshot().call);
    const here = calls.filter((c) => c?.roomID === roomID && c.state !== 'ended');
    return here.find((c) => c?.state === 'inCall' || c?.state === 'accepting') ?? here[0] ?? calls[0];
  };
  for (const device of devices) {
    const id = device.id;
    const view = device.calling.getSnapshot();
    if (view.call?.state !== 'inCall') continue;
    for (const p of view.call.participants) {
      const other = inRoom(p.userID, view.call.roomID);
      if (!other || other.roomID !== view.call.roomID || !other.participants.some((q) => q.userID === id))
        problems.push(`${id} sees ${p.userID} in room ${view.call.roomID}, but ${p.userID} does not see ${id} there`);
      else if (!system.lossy && !view.call.isGroup && other.state === 'inCall' && other.callType !== view.call.callType)
        problems.push(`${id} has a ${view.call.callType === 1 ? 'audio' : 'video'} call with ${p.userID}, who has it as ${other.callType === 1 ? 'audio' : 'video'}`);
    }
  }
  return problems;
}

/**
 * Once everything has settled: two devices in a call in the same room see each other there (the
 * room told each of the other). Agreement alone holds for two who both missed each other's entry.
 */
export function checkMutualPresence(system: System): string[] {
  const inCall = everyDevice(system).flatMap((d) => {
    const call = d.calling.getSnapshot().call;
    return call?.state === 'inCall' ? [{ d, call }] : [];
  });
  return inCall.flatMap(({ d, call }) =>
    inCall
      .filter((o) => o.d.id !== d.id && o.call.roomID === call.roomID && !call.participants.some((p) => p.userID === o.d.id))
      .map((o) => `${d.label} and ${o.d.label} are both in a call in room ${call.roomID}, but ${d.label} does not see ${o.d.label} there`),
  );
}

/** An audio call never has the local camera on. */
export function checkCamera(user: User): string[] {
  const call = user.calling.getSnapshot().call;
  return call && call.callType === 1 && call.local.camera ? [`${user.id}: camera on in an audio call`] : [];
}

/**
 * Many devices: at most one device of a user is in a given call's room (the room admits one, the
 * others end answeredElsewhere), whatever the interleaving.
 */
export function checkOneDevicePerCall(system: System): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const device of everyDevice(system)) {
    const call = device.calling.getSnapshot().call;
    if (call?.state !== 'inCall') continue;
    const key = `${device.id} in room ${call.roomID}`;
    const other = seen.get(key);
    if (other !== undefined) problems.push(`${other} and ${device.label}: two devices of ${key}`);
    seen.set(key, device.label);
  }
  return problems;
}

/**
 * Many devices, once everything has settled in a run that lost no message: no device rings on for an
 * invitation another device of its user took (is in its call): whichever device answers, the others
 * are told (CALL_END answeredElsewhere). An invitation with no timeout rings until told, so an answer
 * that never reached the user's other devices shows here, a server restart or a device away past the
 * resume grace included (until 2026-12-06 an invitation ringing as the server restarted was exempted).
 */
export function checkToldElsewhere(system: System): string[] {
  if (system.lossy) return [];
  const devices = everyDevice(system);
  return devices.flatMap((d) => {
    const ringing = d.calling.getSnapshot().call;
    if (ringing?.state !== 'ringing') return [];
    return devices
      .filter((o) => o !== d && o.id === d.id && o.calling.getSnapshot().call?.inviteID === ringing.inviteID && o.calling.getSnapshot().call?.state === 'inCall')
      .map((o) => `${d.label} rings on for ${ringing.inviteID}, whose call ${o.label} is in: nobody told it`);
  });
}

/** Every invariant that must hold after every step. */
export function violations(system: System): string[] {
  return [...checkOneDevicePerCall(system), ...everyDevice(system).flatMap((u) => [
    ...checkTimeline(u.label, u.timeline),
    ...checkCallCount(u, u.timeline),
    ...checkCamera(u),
    ...u.untyped.map((e) => `${u.label}: untyped error ${String(e)}`),
  ])];
}
