/**
 * The call machine's guards, as plain predicates over (context, event): what the statechart
 * asks before it moves. Named in `setup()` so tests can swap them with `.provide()`.
 */
import { OTHER_DEVICE_IN_ROOM } from './events';
import { SWITCH_REQUEST_MS } from './callSwitch';
import { type CallContext, type CallEvent, anyAnswered, everyoneDeclined, hasPart, isPresent, nobodyLeft, ownInvitee, peerOf } from './callModel';

type Args = { readonly context: CallContext; readonly event: CallEvent };

/**
 * How much later than the call's answer a glare invite may seem to have been sent: an IM's send
 * time can be late by up to a second (TIM stamps whole seconds) and the transit; a new call of the
 * peer's comes later than this (a person dialling again, or a page reloaded).
 */
export const LATE_GLARE_MS = 2_000;

export const callGuards = {
  /**
   * A switch request that spent its timeout in transit or in the offline store (the peer's IM was
   * down): its requester has given up and stays on its type, so taking it would split the call.
   */
  staleSwitch: ({ event }: Args) => event.type === 'im.switchRequested' && event.age >= SWITCH_REQUEST_MS,
  isCaller: ({ context }: Args) => context.role === 'caller',
  hasTimeout: ({ context }: Args) => context.timeout > 0,
  fromInviter: ({ context, event }: Args) => 'from' in event && event.from === context.inviter,
  /** A timeout notice about us (in a group it may be about another invitee). */
  timeoutForMe: ({ context: c, event }: Args) =>
    event.type === 'im.timedOut' &&
    // Only the inviter's timer, or our own (another device's), speaks for our invitation: anyone else
    // who knew its inviteID (a member of its group) could end our ringing.
    (event.from === c.inviter || (event.from === c.self && event.signal.inviter === c.inviter)) &&
    (event.signal.invitees.includes(c.self) || event.signal.invitees.length === 0),
  /** The inviter withdrew the invitation from us (a group cancel may name only others). */
  cancelForMe: ({ context: c, event }: Args) =>
    event.type === 'im.cancelled' &&
    event.from === c.inviter &&
    (event.signal.invitees.length === 0 || event.signal.invitees.includes(c.self)),
  /**
   * Someone besides our inviter, and not withdrawn by this withdrawal, is in the room with us: the caller left
   * a call they are in, and its withdrawal crossing our accept (a CANCEL, or an IM group's TIMEOUT once someone
   * answered) leaves them the call. One it names too (an IM group's CANCEL of the whole call, nobody answered)
   * only crossed it as we did: no call of anyone's.
   */
  othersThanInviterHere: ({ context: c, event }: Args) =>
    (event.type === 'im.cancelled' || event.type === 'im.timedOut') &&
    event.signal.invitees.length > 0 &&
    c.present.some((p) => p.userID !== c.inviter && !event.signal.invitees.includes(p.userID)),
  /** Our invite to everyone (1v1, an IM group) could not be sent; one of a group's C2C invites reached nobody but its invitee. */
  inviteFailed: ({ context, event }: Args) =>
    event.type === 'im.sendFailed' && event.kind === 'invite' && event.inviteID === context.inviteID && ownInvitee(context, event.inviteID) === undefined,
  /** Nobody is in the room with us, and nobody is still being invited. */
  alone: ({ context: c }: Args) => c.present.length === 0 && !Object.values(c.roster).includes('pending'),
  matchesInvite: ({ context, event }: Args) =>
    (event.type === 'call.accept' || event.type === 'call.reject') &&
    (event.inviteID === undefined ? !('expected' in event) || event.expected === undefined || event.expected === context.inviteID : event.inviteID === context.inviteID),
  /** accept() named no invitation and the one that rang when it was asked is gone: another rings now. */
  expectedGone: ({ context, event }: Args) =>
    event.type === 'call.accept' && event.inviteID === undefined && event.expected !== undefined && event.expected !== context.inviteID,
  /** Glare: the invitee of our 1v1 dial invited us too, and its invite sorts first (a callee has no dial: its invitees are the caller's word). */
  glareLost: ({ context: c, event }: Args) =>
    event.type === 'im.invited' &&
    c.role === 'caller' &&
    !c.isGroup &&
    !event.signal.isGroup &&
    event.from === c.invitees[0] &&
    event.signal.inviteID < c.inviteID,
  /** The other half of a glare we won (its invite sorts after ours): held, unanswered (see `glareHeld`). */
  glareWon: ({ context: c, event }: Args) =>
    event.type === 'im.invited' && c.role === 'caller' && !c.isGroup && event.from === c.invitees[0] && event.signal.inviteID > c.inviteID,
  /**
   * The other half of a glare we won, landing once our dial was answered: sent before the call was
   * up (the peer sent it before ours reached it), give or take {@link LATE_GLARE_MS}. One sent later
   * is a new call of the peer's (from another device, or after an end we have not heard of yet):
   * answered busy like every other invite.
   */
  lateGlare: (a: Args) =>
    callGuards.glareWon(a) && (a.context.upAt === null || ('age' in a.event && a.event.at - a.event.age < a.context.upAt + LATE_GLARE_MS)),
  /**
   * The peer whose glare invite we hold answered ours busy: it does not merge into ours (Tencent's
   * clients answer busy in glare), so we merge into its invite.
   */
  glareRefused: ({ context: c, event }: Args) =>
    event.type === 'im.rejected' &&
    event.signal.busy &&
    c.glareHeld !== null &&
    event.from === c.glareHeld.inviter &&
    event.signal.inviteID === c.inviteID,
  /** The peer withdrew the glare invite we hold (a cancel or its no-answer notice). */
  glareWithdrawn: ({ context: c, event }: Args) =>
    (event.type === 'im.cancelled' || event.type === 'im.timedOut') &&
    c.glareHeld !== null &&
    event.from === c.glareHeld.inviter &&
    event.signal.inviteID === c.glareHeld.inviteID,
  /**
   * Caller: an invitee answered, or, in a group call, someone who was not invited is in the room with us
   * (`joinInGroupCall()`): the call is connected. Left dialing with a joiner, the caller ended the call on its
   * invitees' last no-answer (`noResponse`, `callEnd` 0) while talking to the joiner, who saw the caller leave.
   */
  answeredOrJoined: ({ context: c }: Args) => anyAnswered(c) || (c.isGroup && c.present.some((p) => !Object.hasOwn(c.roster, p.userID))),
  everyoneDeclined: ({ context }: Args) => everyoneDeclined(context),
  /**
   * Everyone who answered has gone and nobody else may still come. A caller is in the call once someone answered or a
   * `joinInGroupCall()` joiner came (`answeredOrJoined`): a joiner gone, the last invitee's no-answer ends it as an
   * answered invitee's leave would (it waited for the alone timer, no invitee having answered).
   */
  nobodyLeft: ({ context: c }: Args) => c.present.length === 0 && nobodyLeft(c) && (anyAnswered(c) || (c.role === 'caller' && c.connectedAt !== null)),
  /** A hangup naming us ends the call, unless others are with us in a group call: then the sender left, the call goes on. */
  namesMe: ({ context: c, event }: Args) =>
    event.type === 'im.hungUp' &&
    event.signal.invitees.includes(c.self) &&
    hasPart(c, event.from) &&
    !(c.isGroup && c.present.some((p) => p.userID !== event.from)),
  /** The last member we were talking to (or waiting for) leaves. */
  lastOneLeaving: ({ context: c, event }: Args) =>
    event.type === 'member.left' &&
    (isPresent(c, event.userID) || c.roster[event.userID] === 'accepted') &&
    nobodyLeft(c, event.userID),
  roomOut: ({ context }: Args) => context.room === 'out',
  thisRoom: ({ context, event }: Args) => 'roomID' in event && event.roomID === context.roomID,
  groupCall: ({ context }: Args) => context.isGroup,
  /** Entering a group call in progress without an invitation (joinInGroupCall). */
  joining: ({ context }: Args) => context.joined === true,
  /** Our switch request is out, unanswered. */
  switchPending: ({ context }: Args) => context.switching !== null,
  /** switchTo...() asks for the type the call already has. */
  alreadyThatType: ({ context, event }: Args) => event.type === 'call.switch' && event.to === context.callType,
  /** An answer (or a timeout notice) from the peer about our pending switch request. */
  answersOurSwitch: ({ context: c, event }: Args) =>
    (event.type === 'im.accepted' || event.type === 'im.rejected' || event.type === 'im.timedOut') &&
    c.switching !== null &&
    event.signal.inviteID === c.switching.inviteID &&
    event.from === peerOf(c),
  isSwitchAccept: ({ event }: Args) => event.type === 'im.accepted' && event.signal.switchTo !== undefined,
  kickedOut: ({ event }: Args) => event.type === 'call.terminate' && event.reason === 'kickedOut',
  /**
   * Many devices: another device of ours answered the invitation we ring for (or accepted): an
   * accept, or a reject that is not busy (busy says only that that device is busy). The IM hands
   * a device what its user's other devices send, never what it sent itself.
   */
  otherDeviceInRoom: ({ event }: Args) => event.type === 'room.enterFailed' && event.error.code === OTHER_DEVICE_IN_ROOM,
  answeredByMyself: ({ context: c, event }: Args) =>
    c.role === 'callee' &&
    ((event.type === 'im.accepted' && event.signal.switchTo === undefined) || (event.type === 'im.rejected' && !event.signal.busy)) &&
    event.from === c.self &&
    event.signal.invitee === c.self &&
    event.signal.inviteID === c.inviteID &&
    event.signal.inviter === c.inviter,
};
