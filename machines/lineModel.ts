/**
 * The line machine's context and the small pure helpers its actions use.
 */
import type { Command, CommandError, Notice, Signal } from './events';
import type { CallType, UserID } from './types';

/** Tunables with defaults: durations in ms, and whether this line is one of its user's devices. */
export interface LineConfig {
  /** Extra time the caller's own no-answer timer waits past the invite's timeout (Tencent: 5 s). */
  readonly noAnswerGraceMs: number;
  /** Longest wait for the room to confirm that we left it. */
  readonly exitTimeoutMs: number;
  /** An answered call with nobody else in the room (and nobody being invited) ends after this. */
  readonly aloneTimeoutMs: number;
  /** How long our media connection to a member may stay down before it counts as gone (USER_LEAVE). */
  readonly leaveGraceMs: number;
  /** After we entered the room again (our connection was lost), how long a member may take to come back. */
  readonly missingMemberMs: number;
  /**
   * Many devices: this line is one device of its user (the backend says so). A device that goes
   * (logout, destroy) while an invitation rings answers busy for itself, which the IM passes on only
   * once every device of the user is busy or gone, instead of declining for them all.
   */
  readonly multiDevice: boolean;
  /** Many devices: the IM holds busy answers until every device is busy (else a busy device answers nothing; see `Backend.busyHeld`). */
  readonly busyHeld: boolean;
}

export const DEFAULT_LINE_CONFIG: LineConfig = {
  noAnswerGraceMs: 5_000,
  exitTimeoutMs: 5_000,
  aloneTimeoutMs: 30_000,
  leaveGraceMs: 5_000,
  missingMemberMs: 10_000,
  multiDevice: false,
  busyHeld: false,
};

export const lineConfig = (input: Partial<LineConfig> | undefined): LineConfig => ({
  ...DEFAULT_LINE_CONFIG,
  ...input,
});

export interface LineContext extends LineConfig {
  readonly self: UserID | null;
  readonly loginCommand: number | null;
  /**
   * The live call: the invite IDs it answers to (two after a glare merge), for 1v1 the peer, and
   * its room (a switch request names it: with many devices, the same two users may be in two calls).
   */
  readonly current: { readonly inviteIDs: readonly string[]; readonly peer: UserID | null; readonly roomID: number } | null;
  /**
   * Invite IDs that must never ring again, newest last: our calls' (ended, busy-answered) as they
   * are, and those others' signals settled as `<sender> <inviteID>` (see {@link heard}).
   */
  readonly recent: readonly string[];
  readonly pendingLogout: number | null;
  readonly kicked: boolean;
  /** `login()` after a kick (from the KICKED_OUT listener, say), waiting for the kicked call to end. */
  readonly waiting: Extract<Command, { readonly type: 'line.login' }> | null;
  /**
   * The IM connection as the app sees it (the snapshot's `connection`): `connected` once logged
   * in; `reconnecting` while the port re-establishes it; `disconnected` logged out, or lost.
   */
  readonly connection: LineConnection;
  /** What is left of the budget of automatic replies (see {@link spendReply}). */
  readonly replies: ReplyBudget;
  /** Accepts that crossed the cancels of our ended calls, and the IM's refusals of those cancels. */
  readonly late: LateAccepts;
}

/**
 * Automatic replies to others' messages (busy, a refused switch request, a stray accept's hangup):
 * every IM user may send us invites and requests, and unbounded replies would spend our own rate at
 * the server (the embedded one closes a connection refused too often): `REPLY_BURST` at once, one
 * more a second. A caller whose busy answer is dropped hears its no-answer time run out.
 */
export const REPLY_BURST = 5;

/** What is left of a budget of automatic replies, as of `at`. */
export interface ReplyBudget {
  readonly tokens: number;
  readonly at: number;
}

/**
 * The budget after one more reply at `at`, or null when none is left (the reply is dropped). A
 * clock set back counts as a second gone by: the budget must not wait for the old time to come again.
 */
export function spendReply(budget: ReplyBudget, at: number): ReplyBudget | null {
  const tokens = Math.min(REPLY_BURST, budget.tokens + (at >= budget.at ? at - budget.at : 1000) / 1000);
  return tokens < 1 ? null : { tokens: tokens - 1, at };
}

/**
 * Accepts that came for our calls after they ended (they crossed our cancel), and the invites whose
 * ending signal the IM refused (`im.sendFailed`). An acceptor is told with a hangup once both are
 * known for its invite, in either order: a cancel the IM took reaches the acceptor and ends its call,
 * and a hangup besides ended it twice (Tencent's client reports `CALL_END` for each; its own caller
 * never answers a late accept). The call keeps it while it ends, then hands it to the line.
 */
export interface LateAccepts {
  readonly refused: readonly string[];
  readonly waiting: readonly LateAccept[];
  /**
   * Invitations of ours the IM refused (the user heard `ERROR` for each): the cancel sent after one,
   * in case it went after all, is refused as well when the IM is down, and that is not told again.
   */
  readonly unsent: readonly string[];
  /**
   * Invitees who answered for themselves that they will not come (a REJECT, busy or not, or their own
   * ring's TIMEOUT), as `<userID> <inviteID>`. An accept of theirs that lands after the call ended is
   * told at once, once: another device of theirs accepted as one declined (Tencent IM passes a user's
   * every answer), entered the room after we left it and, told nothing, would sit there alone until
   * its alone timer. Nothing of ours went to it that ends its call, as a cancel would.
   */
  readonly declined: readonly string[];
}

/** An acceptor to tell: who, which invite, and the call type its accept carried. */
export interface LateAccept {
  readonly inviteID: string;
  readonly from: UserID;
  readonly callType: CallType | 0;
}

export const NO_LATE_ACCEPTS: LateAccepts = { refused: [], waiting: [], unsent: [], declined: [] };

/** Whether the ledger holds anything (an ended call hands it to the line only then). */
export const anyLate = (late: LateAccepts): boolean => Object.values(late).some((list: readonly unknown[]) => list.length > 0);

/**
 * The ledger once `userID` declined its invitation `inviteID` itself (see `LateAccepts.declined`): once, as an invitee
 * answers once. Not cut to LATE_LIMIT while its call lasts (its invitations bound it): the call asks it whether another
 * device's accept overrules a decline (`callDeclinedAccept`), and a group call's 16 newest forgot the 17th's (the line
 * keeps the newest, `mergeLate`).
 */
export const noteDeclined = (late: LateAccepts, userID: UserID, inviteID: string): LateAccepts => ({
  ...late,
  declined: [...late.declined, `${userID} ${inviteID}`],
});

/** Whether `userID` declined its invitation `inviteID` itself and no accept of theirs was told or taken since (see `LateAccepts.declined`). */
export const hasDeclined = (late: LateAccepts, userID: UserID, inviteID: string): boolean => late.declined.includes(`${userID} ${inviteID}`);

/** The ledger once the decline of `userID` is overruled: another device of theirs accepted, and the call goes on with them. */
export const forgetDeclined = (late: LateAccepts, userID: UserID, inviteID: string): LateAccepts => ({
  ...late,
  declined: late.declined.filter((d) => d !== `${userID} ${inviteID}`),
});

/** How many of each the ledger keeps (the oldest goes first). */
const LATE_LIMIT = 16;

/** The ledger after `event` (a late accept, or a refused send), and whom to tell of the end now. */
export function lateAccept(late: LateAccepts, event: Signal | { readonly type: string }): { late: LateAccepts; tell: LateAccept[] } | null {
  const e = event as Signal;
  if (e.type === 'im.accepted') {
    const accept: LateAccept = { inviteID: e.signal.inviteID, from: e.from, callType: e.signal.callType };
    const tag = `${accept.from} ${accept.inviteID}`;
    // Told once: what the accept repeats (or forges) later goes to `waiting`, told only if our cancel was refused.
    if (late.declined.includes(tag)) return { late: { ...late, declined: late.declined.filter((d) => d !== tag) }, tell: [accept] };
    if (late.refused.includes(accept.inviteID)) return { late, tell: [accept] };
    return { late: { ...late, waiting: [...late.waiting, accept].slice(-LATE_LIMIT) }, tell: [] };
  }
  if (e.type === 'im.sendFailed' && e.kind === 'invite') {
    return late.unsent.includes(e.inviteID) ? null : { late: { ...late, unsent: [...late.unsent, e.inviteID].slice(-LATE_LIMIT) }, tell: [] };
  }
  if (e.type === 'im.sendFailed') {
    const { inviteID } = e;
    const refused = late.refused.includes(inviteID) ? late.refused : [...late.refused, inviteID].slice(-LATE_LIMIT);
    const tell = late.waiting.filter((w) => w.inviteID === inviteID);
    return { late: { ...late, refused, waiting: late.waiting.filter((w) => w.inviteID !== inviteID) }, tell };
  }
  return null;
}

/** A refused ending signal the user must hear of: every one but the cancel of an invitation whose own refusal was told. */
export const failureToTell = (late: LateAccepts, e: { readonly type: string; readonly kind?: string; readonly inviteID?: string }): boolean =>
  e.type === 'im.sendFailed' && e.kind !== 'invite' && !(e.kind === 'cancel' && late.unsent.includes(e.inviteID ?? ''));

/** Of the acceptors to tell, those the reply budget allows (one reply each), and the budget after them. */
export function tellLate(budget: ReplyBudget, at: number, tell: readonly LateAccept[]): { replies: ReplyBudget; told: LateAccept[] } {
  const told: LateAccept[] = [];
  let replies = budget;
  for (const accept of tell) {
    const next = spendReply(replies, at);
    if (next === null) break;
    replies = next;
    told.push(accept);
  }
  return { replies, told };
}

/** The line's ledger with what an ended call's held. */
export const mergeLate = (a: LateAccepts, b: LateAccepts): LateAccepts => ({
  refused: [...a.refused, ...b.refused].slice(-LATE_LIMIT),
  waiting: [...a.waiting, ...b.waiting].slice(-LATE_LIMIT),
  unsent: [...a.unsent, ...b.unsent].slice(-LATE_LIMIT),
  declined: [...a.declined, ...b.declined].slice(-LATE_LIMIT),
});

export type LineConnection = 'connected' | 'reconnecting' | 'disconnected';

/** How many finished invite IDs the line remembers. */
export const RECENT_LIMIT = 256;

export const tombstone = (recent: readonly string[], inviteID: string): readonly string[] =>
  recent.includes(inviteID) ? recent : [...recent, inviteID].slice(-RECENT_LIMIT);

/** How many of the tombstones others' signals leave one sender may hold (its oldest goes first). */
export const HEARD_PER_SENDER = 16;

/**
 * The tombstone a signal of another user leaves (a cancel or timeout overtaking its invitation):
 * `<from> <inviteID>` (userIDs hold no space), so that it settles only that sender's invitation, and
 * one sender cannot push the others' out of the list: it holds at most {@link HEARD_PER_SENDER}.
 */
export function heard(recent: readonly string[], from: UserID, inviteID: string): readonly string[] {
  const tag = `${from} ${inviteID}`;
  if (recent.includes(tag)) return recent;
  const theirs = recent.filter((t) => t.startsWith(`${from} `));
  const kept = theirs.length >= HEARD_PER_SENDER ? recent.filter((t) => t !== theirs[0]) : recent;
  return [...kept, tag].slice(-RECENT_LIMIT);
}

export const refusal = (commandId: number, reason: string): Notice => ({
  type: 'command.settled',
  commandId,
  error: { code: -1203, reason, kind: 'state' } satisfies CommandError,
});
