/**
 * The call machine's context and the pure functions its guards and actions are built from.
 * Kept apart from `callMachine.ts` so the statechart reads as a statechart.
 */
import type { Command, ImRequest, ImSignal, Notice, RoomSignal, Signal } from './events';
import type { InviteeChanged, InviteeStatus } from './inviteeMachine';
import type { DoneActorEvent } from 'xstate';
import type { MemberReport } from './memberMachine';
import type { SwitchOutput } from './switchMachine';
import type { CallType, EndReason, InviteSignal, Recipient, UserID, WireSignal } from './types';
import { type LateAccepts, NO_LATE_ACCEPTS, REPLY_BURST, type ReplyBudget } from './lineModel';

/** Everything a call needs to start; built by the line machine from a dial or an invite. */
export interface CallInput {
  readonly self: UserID;
  readonly role: 'caller' | 'callee';
  readonly inviteID: string;
  readonly inviter: UserID;
  /** Everyone invited (for a callee: including itself). */
  readonly invitees: readonly UserID[];
  /**
   * Caller of a group call without an IM group: each invitee's own inviteID, as Tencent's client
   * sends one C2C invite per invitee. Absent when one inviteID serves everyone.
   */
  readonly inviteIDs?: Readonly<Record<UserID, string>>;
  /** Entered a group call in progress without an invitation (joinInGroupCall): nobody to answer. */
  readonly joined?: boolean;
  /** Callee: the invite's `data` string as received, which its timeout notice echoes. */
  readonly inviteData?: string;
  readonly groupID: string;
  readonly isGroup: boolean;
  readonly callType: CallType;
  readonly roomID: number;
  /** Seconds; 0 = no timeout. */
  readonly timeout: number;
  /** Callee: ms the invite spent in transit or in an offline store. */
  readonly age: number;
  /** When the call started (the dial command's or the invite's `at`). */
  readonly startedAt: number;
  readonly onlineUserOnly: boolean;
  /** The caller's own no-answer timer runs `timeout` s plus this, so the callee's timer usually decides. */
  readonly noAnswerGraceMs: number;
  /** Many devices: this call rings on one of its user's devices (see `LineConfig.multiDevice`). */
  readonly multiDevice?: boolean;
  /** Many devices: the IM holds busy answers (see `LineConfig.busyHeld`). */
  readonly busyHeld?: boolean;
  /** Longest wait for the room to confirm our exit before the call counts as ended anyway. */
  readonly exitTimeoutMs: number;
  /** How long an answered call may have nobody else in its room before it ends. */
  readonly aloneTimeoutMs: number;
  /** How long our media connection to a member may stay down before it counts as gone. */
  readonly leaveGraceMs: number;
  /** After we entered the room again, how long a member may take to come back. */
  readonly missingMemberMs: number;
}

/** A remote member of the room and what it publishes. */
export interface Participant {
  readonly userID: UserID;
  readonly audio: boolean;
  readonly video: boolean;
}

export interface CallContext extends CallInput {
  /** Caller only: each invitee's status, mirrored from the invitee actors. */
  readonly roster: Readonly<Record<UserID, InviteeStatus>>;
  /** Remote users in the room now, in order of arrival. */
  readonly present: readonly Participant[];
  readonly connectedAt: number | null;
  /** When the room last became empty of everyone else (the alone timer counts from it). */
  readonly aloneSince: number | null;
  readonly room: 'out' | 'entering' | 'in';
  /** What we asked the room to publish when entering. */
  readonly published: { readonly video: boolean; readonly audioMuted: boolean };
  readonly camera: boolean;
  /** Camera changes asked of the room and not answered yet: a failure says "off" only for the last. */
  readonly cameraAsks: number;
  readonly micMuted: boolean;
  /** The user dialled or accepted: it will get exactly one `call.ended`. */
  readonly answered: boolean;
  readonly reason: EndReason | null;
  readonly callEnd: number;
  /** Caller: invitees reported as not answering, cumulative (NO_RESP's `userIDList`). */
  readonly noResponse: readonly UserID[];
  /** Our own switch request while it waits for an answer (its actor is `switch`), else `null`. */
  readonly switching: { readonly inviteID: string; readonly to: CallType; readonly commandId: number } | null;
  /** Callee: hung up while entering the room; the REJECT goes once we are out (see `holdReject`). */
  readonly heldReject: boolean;
  /**
   * Caller of a 1v1 glare we won: the peer's own invite, unanswered while we wait for the peer's
   * answer to ours (an accept: we decline theirs; a busy, from a peer that does not merge: we take
   * theirs; our call ends first: we decline theirs), else `null`.
   */
  readonly glareHeld: InviteSignal | null;
  /**
   * After a glare lost: the CANCEL of our own invite, not sent (see `mergeIntoTheirInvite`) while
   * the peer has not answered it; sent if another device of the peer accepts it, or if the call
   * ends first (the peer's side never settled it: it may ring yet), else `null`.
   */
  readonly withdrawn: ImSend | null;
  /** The call's own automatic replies (busy answers to its peer, a hangup to a late accept): see `spendReply`. */
  readonly replies: ReplyBudget;
  /** Accepts that crossed our cancel, and our ending signals the IM refused: see `LateAccepts`. */
  readonly late: LateAccepts;
  /** When the call was first answered (`inCall` entered), else `null`. */
  readonly upAt: number | null;
  /** Invitees taken as answered after a device of theirs answered busy (`callDeclinedAccept`): it still holds the invitation. */
  readonly busyElsewhere: readonly UserID[];
}

export type ImSend = Extract<ImRequest, { type: 'im.send' }>;

/** Tells the line machine the call now also answers to another invite (a glare merge, or our switch request). */
export interface CallMerged {
  readonly type: 'call.merged';
  readonly inviteID: string;
  /** A glare merge: the call moved to the room of the invite it merged into. */
  readonly roomID?: number;
}

/** A notice on its way to the line machine, which emits it. */
export interface NoticeRelay {
  readonly type: 'notice';
  readonly notice: Notice;
}

export type CallCommand = Extract<
  Command,
  { type: 'call.accept' | 'call.reject' | 'call.hangup' | 'call.switch' | 'call.invite' | 'media.camera' | 'media.mic' }
>;

export type CallEvent =
  | CallCommand
  | ImSignal
  | Extract<Signal, { type: 'im.sendFailed' }>
  | RoomSignal
  | InviteeChanged
  | MemberReport
  | DoneActorEvent<SwitchOutput, 'switch'>
  | { readonly type: 'call.terminate'; readonly reason: 'hangup' | 'kickedOut'; readonly at: number };

export function initialContext(input: CallInput): CallContext {
  const caller = input.role === 'caller';
  return {
    ...input,
    roster: caller ? Object.fromEntries(input.invitees.map((u) => [u, 'pending' as const])) : {},
    present: [],
    connectedAt: null,
    aloneSince: null,
    room: 'out',
    published: { video: input.callType === 2, audioMuted: false },
    camera: input.callType === 2,
    cameraAsks: 0,
    micMuted: false,
    answered: caller || input.joined === true,
    reason: null,
    callEnd: 0,
    noResponse: [],
    heldReject: false,
    switching: null,
    glareHeld: null,
    withdrawn: null,
    replies: { tokens: REPLY_BURST, at: 0 },
    late: NO_LATE_ACCEPTS,
    upAt: null,
    busyElsewhere: [],
  };
}

const OPEN: ReadonlySet<InviteeStatus> = new Set(['pending', 'accepted']);

/** Invitees that have not answered yet (a cancel goes to them). */
export const pendingInvitees = (c: CallContext): UserID[] =>
  Object.keys(c.roster).filter((u) => c.roster[u] === 'pending');

/** Invitees that accepted but whose media never reached the room. */
export const acceptedNotJoined = (c: CallContext): UserID[] =>
  Object.keys(c.roster).filter((u) => c.roster[u] === 'accepted');

export const isPresent = (c: CallContext, userID: UserID): boolean =>
  c.present.some((p) => p.userID === userID);

/**
 * Whether `userID` has a part in the call, so that its hangup may end it for us: the inviter; for
 * the caller an invitee that answered (one still ringing, or a member that joined by itself, has
 * not); for a callee a member in the room.
 */
export const hasPart = (c: CallContext, userID: UserID): boolean =>
  userID === c.inviter ||
  (c.role === 'caller' ? Object.hasOwn(c.roster, userID) && (c.roster[userID] === 'accepted' || c.roster[userID] === 'joined') : isPresent(c, userID));

/**
 * Nobody is left to talk to and nobody may still come: the call is over. Once someone answered, an
 * invitee whose invite could not be sent is still to be told (`NO_RESP`, a turn later): the call waits
 * for that, and ends on it (a call nobody answered ends at once: `everyoneDeclined`).
 */
export function nobodyLeft(c: CallContext, leaving?: UserID): boolean {
  const others = c.present.filter((p) => p.userID !== leaving);
  if (others.length > 0) return false;
  return !Object.entries(c.roster).some(([u, s]) => u !== leaving && (OPEN.has(s) || (s === 'unreached' && !c.noResponse.includes(u))));
}

/** Caller, before anyone answered: every invitee declined, was busy or did not answer. */
export const everyoneDeclined = (c: CallContext): boolean =>
  Object.values(c.roster).every((s) => !OPEN.has(s) && s !== 'joined' && s !== 'left');

/** The reason a call that nobody answered ended with, from the invitees' outcomes. */
export function declineReason(c: CallContext): EndReason {
  const outcomes = Object.values(c.roster);
  if (outcomes.includes('busy') && outcomes.every((s) => s === 'busy')) return 'busy';
  if (outcomes.includes('rejected')) return 'rejected';
  if (outcomes.includes('busy')) return 'busy';
  // Nobody's invite could be sent (the IM down): as a 1v1 dial's failed invite.
  return outcomes.every((s) => s === 'unreached') ? 'error' : 'noResponse';
}

export const anyAnswered = (c: CallContext): boolean =>
  Object.values(c.roster).some((s) => s === 'accepted' || s === 'joined' || s === 'left');

/** Whole seconds between the first remote arrival and `at`. */
export const durationAt = (c: CallContext, at: number | undefined): number =>
  c.connectedAt === null || at === undefined ? 0 : Math.max(0, Math.round((at - c.connectedAt) / 1000));

/** The inviteID `userID` was invited with (its own in a C2C group call, else the call's). */
export const inviteIdOf = (c: CallContext, userID: UserID): string => c.inviteIDs?.[userID] ?? c.inviteID;

/** The invitee `inviteID` was sent to alone (a group call's C2C invites), or undefined. */
export const ownInvitee = (c: CallContext, inviteID: string): UserID | undefined =>
  Object.keys(c.inviteIDs ?? {}).find((u) => c.inviteIDs?.[u] === inviteID);

/**
 * Caller: the invitee an answer about `inviteID` from `from` concerns, or `undefined` when the
 * inviteID is another invitee's (each C2C invitee answers its own invite).
 */
export const answerer = (c: CallContext, inviteID: string, from: UserID): UserID | undefined =>
  inviteIdOf(c, from) === inviteID ? from : undefined;

/** The other party of a 1v1 call (where a switch request goes). */
export const peerOf = (c: CallContext): UserID => (c.role === 'caller' ? (c.invitees[0] ?? '') : c.inviter);

/** Where answers to the inviter go: the IM group for group invites, else the inviter. */
export const toInviter = (c: CallContext): Recipient =>
  c.groupID ? { groupID: c.groupID } : { users: [c.inviter] };

/** Where the caller's signals about some invitees go. */
export const toInvitees = (c: CallContext, users: readonly UserID[]): Recipient =>
  c.groupID ? { groupID: c.groupID } : { users };

/** The fields every signal of this call shares. */
export const signalBase = (c: CallContext) =>
  ({ inviteID: c.inviteID, inviter: c.inviter, groupID: c.groupID, callType: c.callType }) as const;

export function inviteSignal(c: CallContext): InviteSignal {
  return {
    kind: 'invite',
    ...signalBase(c),
    invitees: c.invitees,
    roomID: c.roomID,
    timeout: c.timeout,
    onlineUserOnly: c.onlineUserOnly,
    isGroup: c.isGroup,
    consumed: false,
  };
}

/** A notice for the line machine to emit. */
export const relay = (notice: Notice): NoticeRelay => ({ type: 'notice', notice });

// ------------------------------------------------------------ request builders

export const imSend = (c: CallContext, to: Recipient, signal: WireSignal, onlineUserOnly = c.onlineUserOnly): ImSend => ({
  type: 'im.send',
  to,
  signal,
  onlineUserOnly,
});

/**
 * Withdraws the invite from each of `users`, C2C, naming only that user, with its own inviteID (an
 * IM group call's invitation goes through the group where it can: see `withdrawals`).
 */
export const cancelRequests = (c: CallContext, users: readonly UserID[]): ImSend[] =>
  users.map((u) => imSend(c, { users: [u] }, { kind: 'cancel', ...signalBase(c), inviteID: inviteIdOf(c, u), groupID: '', invitees: [u] }));

/** The "call is over" notice; TRTCCalling sends it as an INVITE from the sender, C2C. */
export const hangupRequest = (c: CallContext, user: UserID, callEnd: number): ImRequest =>
  imSend(c, { users: [user] }, { kind: 'hangup', ...signalBase(c), inviteID: inviteIdOf(c, user), inviter: c.self, groupID: '', invitees: [user], callEnd }, false);

export const answerRequest = (c: CallContext, kind: 'accept' | 'reject', busy = false): ImRequest =>
  imSend(
    c,
    toInviter(c),
    kind === 'accept'
      ? { kind, ...signalBase(c), invitee: c.self }
      : { kind, ...signalBase(c), invitee: c.self, busy },
  );

/**
 * A no-answer notice: the callee's (`[self]`, to the inviter) or the caller's own timer's (to
 * the invitee, or the IM group). Its data repeats the invite's byte for byte, as TSignaling's:
 * the callee echoes the string it received, the caller re-encodes its own invite.
 */
export const timeoutRequest = (c: CallContext, users: readonly UserID[], to: 'inviter' | 'invitees'): ImRequest =>
  imSend(c, to === 'inviter' ? toInviter(c) : toInvitees(c, users), {
    kind: 'timeout',
    ...signalBase(c),
    inviteID: to === 'inviter' ? c.inviteID : inviteIdOf(c, users[0] ?? ''),
    invitees: users,
    roomID: c.roomID,
    ...(c.inviteData !== undefined ? { rawData: c.inviteData } : { invite: inviteSignal(c) }),
  });

/**
 * On our hangup: withdraw the invite from those who have not answered, and tell those who answered
 * but whose media never arrived, so nobody waits on a call that is gone; unless we `left` the room
 * we were in (a hangup, a logout): the room tells them, as it does for Tencent's caller, who says
 * nothing more. One in a group call may be talking with the others, its media just not here yet,
 * and Tencent's client ends its call on any hangup notice: a second CALL_END in a 1v1 call.
 */
export const hangupRequests = (c: CallContext, left = false): ImRequest[] => [
  ...withdrawals(c),
  ...(left ? [] : acceptedNotJoined(c).map((u) => hangupRequest(c, u, 0))),
];

/**
 * The invitees still ringing, withdrawn. An IM group call's invitation is withdrawn through the
 * group, as Tencent's caller does: a CANCEL naming who still rings while nobody answered; once
 * someone did, our caller's timer notice naming them (Tencent's caller sends no CANCEL then, and its
 * timer's notice names who still rings), which those in the call hear too. call-engine-js 3.3.4
 * ignores a CANCEL once someone accepted (its Chat SDK drops the invitation and its timer with it:
 * busy until the page reloads), and the Chat SDK's replay at login reads the group's history after
 * the C2C messages its sync brings: a withdrawal sent C2C missed the invitation and rang a call that
 * was over. But not through the group once an invitee answered busy: a trtc-calling-js busy in
 * another call still holds the group's invitation and ends that call on any group CANCEL or timeout
 * of it; each is told C2C then (see `c2cWithdrawals`). Invitations of their own (`inviteUser()`'s)
 * are cancelled C2C.
 */
function withdrawals(c: CallContext): ImRequest[] {
  const pending = pendingInvitees(c);
  const ringing = pending.filter((u) => inviteIdOf(c, u) === c.inviteID);
  const own = cancelRequests(c, pending.filter((u) => inviteIdOf(c, u) !== c.inviteID));
  if (!c.groupID || ringing.length === 0) return cancelRequests(c, pending);
  if (answeredBusy(c)) return [...c2cWithdrawals(c, ringing), ...own];
  const group = anyAnswered(c)
    ? timeoutRequest(c, ringing, 'invitees')
    : imSend(c, { groupID: c.groupID }, { kind: 'cancel', ...signalBase(c), invitees: ringing });
  return [group, ...own];
}

/**
 * An IM group call's invitees still ringing, told C2C (an invitee answered busy): a CANCEL each
 * while nobody answered; once someone did, our caller's timer notice (3.3.4 ignores the CANCEL then)
 * naming its recipient first (TSignaling strikes off the first name), then the others still ringing
 * (trtc-calling-js's invitee ends once nobody it knows of rings); and those in the call (who
 * answered or are in the room) hear who will not come by the same notice, C2C to each: TUICallEngine
 * keeps its call while an invitee may still come (without it a member left alone in the room waited
 * for good).
 */
function c2cWithdrawals(c: CallContext, ringing: readonly UserID[]): ImRequest[] {
  if (!anyAnswered(c)) return cancelRequests(c, ringing);
  return [
    ...ringing.flatMap((u) => sentTo(timeoutRequest(c, [u, ...ringing.filter((o) => o !== u)], 'invitees'), [u])),
    ...sentTo(timeoutRequest(c, ringing, 'invitees'), inCall(c)),
  ];
}

/** An invitee (or a device of one who answered after all) answered busy: what withdraws or gives up on the others of an IM group call goes C2C (see `c2cWithdrawals`). */
const answeredBusy = (c: CallContext): boolean => Object.values(c.roster).includes('busy') || c.busyElsewhere.length > 0;

/** `request`, C2C to each of `users`. */
const sentTo = (request: ImRequest, users: readonly UserID[]): ImRequest[] => (request.type === 'im.send' ? users.map((u) => ({ ...request, to: { users: [u] } })) : []);

/** Those in the call besides us: who answered or is in the room. */
function inCall(c: CallContext): UserID[] {
  const users = new Set([...Object.keys(c.roster).filter((u) => c.roster[u] === 'accepted' || c.roster[u] === 'joined'), ...c.present.map((p) => p.userID)]);
  users.delete(c.self);
  return [...users];
}

/**
 * Our caller's timer ran out for `user`: its no-answer notice tells it (its client may never have
 * rung), and those in the call that it will not come; through the IM group, as Tencent's caller's
 * timer; but C2C to it and to each in the call where an invitee answered busy (a trtc-calling-js busy
 * in another call holds the group's invitation and ends that call on a group timeout of it, as it
 * does with its own caller's).
 */
export function noAnswerNotices(c: CallContext, user: UserID): ImRequest[] {
  const notice = timeoutRequest(c, [user], 'invitees');
  return c.groupID && answeredBusy(c) ? sentTo(notice, [user, ...inCall(c).filter((u) => u !== user)]) : [notice];
}

/**
 * Whether a busy device answers busy: one device alone does; one of many only where the IM holds
 * busy answers until every device is busy (else it stays silent, so another device may answer).
 */
export const answersBusy = (c: { readonly multiDevice?: boolean; readonly busyHeld?: boolean }): boolean => c.multiDevice !== true || c.busyHeld === true;

/** A busy answer to an invite that is not ours (sent for us by the line or the call). */
export const busyReject = (self: UserID, s: InviteSignal): ImRequest => rejectOf(self, s, true);

/** Our decline of an invite that is not our call's (busy, or the other half of a glare we won). */
export function rejectOf(self: UserID, s: InviteSignal, busy: boolean): ImRequest {
  return {
    type: 'im.send',
    to: s.groupID ? { groupID: s.groupID } : { users: [s.inviter] },
    signal: {
      kind: 'reject',
      inviteID: s.inviteID,
      inviter: s.inviter,
      groupID: s.groupID,
      callType: s.callType,
      invitee: self,
      busy,
    },
    onlineUserOnly: s.onlineUserOnly,
  };
}
