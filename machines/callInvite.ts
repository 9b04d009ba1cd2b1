/**
 * Inviting more people into a group call in progress (groupCall() during the call as the spec's
 * 2.7 allows, TUICallEngine's inviteUser()), as a pure planner. Each new invitee gets its own C2C
 * invite with its own inviteID, naming everyone invited so far (so it knows the whole call), the
 * call's room and type: as Tencent's client invites a group without an IM group. Its answers
 * come back to the line under that inviteID (the call tells the line, `call.merged`), and its
 * `inviteeMachine` decides them as for the first invitees.
 */
import { type CallContext, type CallEvent, type CallMerged, inviteSignal, isPresent } from './callModel';
import { type Effects, NONE, settle } from './callPlans';
import type { ImRequest } from './events';
import type { InviteeInput } from './inviteeMachine';
import type { UserID } from './types';

/** Someone the call already has: in the room, or invited and not (yet) out of it. */
const inTheCall = (c: CallContext, u: UserID): boolean =>
  u === c.self || isPresent(c, u) || c.roster[u] === 'pending' || c.roster[u] === 'accepted' || c.roster[u] === 'joined';

export interface MoreInvitees {
  readonly effects: Effects;
  /** Invitee actors to start (the users not already in the call; one who declined before is invited again). */
  readonly spawn: readonly InviteeInput[];
}

export function inviteMore(c: CallContext, e: CallEvent): MoreInvitees {
  if (e.type !== 'call.invite') return { effects: NONE, spawn: [] };
  const fresh = e.userIDs.map((u, i) => ({ u, id: e.inviteIDs[i] ?? `${c.inviteID}-${u}` })).filter(({ u }) => !inTheCall(c, u));
  if (fresh.length === 0) return { effects: { notices: [settle(e.id)] }, spawn: [] };
  const invitees = [...new Set([...c.invitees, ...fresh.map(({ u }) => u)])];
  const inviteIDs = { ...(c.inviteIDs ?? {}), ...Object.fromEntries(fresh.map(({ u, id }) => [u, id])) };
  const roster = { ...c.roster, ...Object.fromEntries(fresh.map(({ u }) => [u, 'pending' as const])) };
  // Ringing again, out of the users told NO_RESP (its list names no one still ringing), so that its new invitation's
  // NO_RESP is waited for (`nobodyLeft`) and names it once.
  const noResponse = c.noResponse.filter((u) => !fresh.some((f) => f.u === u));
  const next: CallContext = { ...c, invitees, inviteIDs, roster };
  const im: ImRequest[] = fresh.map(({ u, id }) => ({
    type: 'im.send',
    to: { users: [u] },
    signal: { ...inviteSignal(next), inviteID: id, groupID: '', isGroup: true },
    onlineUserOnly: c.onlineUserOnly,
  }));
  const noAnswerMs = c.timeout > 0 ? c.timeout * 1000 + c.noAnswerGraceMs : 0;
  return {
    effects: {
      patch: { invitees, inviteIDs, roster, noResponse },
      im,
      parent: fresh.map(({ id }) => ({ type: 'call.merged', inviteID: id }) satisfies CallMerged),
      notices: [settle(e.id)],
    },
    spawn: fresh.map(({ u }) => ({ userID: u, noAnswerMs, startedAt: e.at })),
  };
}
