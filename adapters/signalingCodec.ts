/**
 * The signaling codec: {@link WireSignal} <-> TSignaling envelope JSON carrying TRTCCalling
 * `av_call` data (spec/wire-protocol.md sections 1 and 2). Pure, and the same for every backend:
 * the embedded server and the memory hub relay the string this produces, exactly as Tencent IM does.
 *
 * Decoding never throws. It is tolerant where Tencent's own clients are (unknown fields, absent
 * `data` on answers, legacy busy and end markers, TUICallEngine additions) and strict where a
 * wrong value would mislead a machine (types, room IDs, a sender that is not who it claims).
 */
import * as v from 'valibot';
import type { CallType, DecodeResult, InviteSignal, UserID, WireSignal } from '../machines/types';
import {
  ACTION,
  ActionTypeFieldSchema,
  ActionTypeSchema,
  CallTypeSchema,
  EmptyRoomSchema,
  EnvelopeSchema,
  HeaderSchema,
  MARK,
  describeIssues,
  fail,
  isFailure,
  lenientCallType,
  parseJson,
  rawRoomID,
  readInner,
  readRoomID,
  type Envelope,
  type Failure,
  type Inner,
} from './signalingSchema';

/** Largest payload decoded, in characters; a longer one is refused as `tooLarge` unparsed. */
export const MAX_PAYLOAD_LENGTH = 16 * 1024;

/** TSignaling timeout TRTCCalling gives a media-switch request (spec 2.2). */
const SWITCH_TIMEOUT = 30;

/** `data.cmd` for a call type: `["", "audioCall", "videoCall"][call_type]` (spec 2.1). */
const CMD_FOR_TYPE = ['', 'audioCall', 'videoCall'] as const;

// ---------------------------------------------------------------------------------------------
// Encoding

/** Keys of the av_call JSON; `undefined` ones vanish in JSON.stringify, which keeps the order. */
interface InnerFields {
  readonly call_type: CallType | 0;
  readonly room_id?: number;
  readonly call_end?: number;
  readonly line_busy?: string;
  readonly switch_to_audio_call?: string;
  readonly cmd: string;
  readonly message?: string;
  readonly userIDs?: readonly UserID[];
  readonly consumed?: true;
}

/**
 * Our hang-up INVITE's envelope inviteID: the call's, with this after it. An INVITE of its own, as
 * Tencent's clients send it (they mint a fresh one): TSignaling files every INVITE's inviteID in its
 * invite map, and the call's own ID filed there again after the accept or cancel that removed it
 * keeps that call's ring timer going, whose timeout then ends the receiver's next call. Ours
 * decode it back to the call's ID, to route it to the call it ends; Tencent's clients read only
 * its `data.cmd`.
 */
export const HANGUP_SUFFIX = '-hangup';

/** TRTCCalling's builder (spec 2.1), key order included. */
function innerJson(f: InnerFields): string {
  return JSON.stringify({
    extraInfo: '',
    version: MARK.version,
    call_type: f.call_type,
    room_id: f.room_id,
    call_end: f.call_end,
    line_busy: f.line_busy,
    switch_to_audio_call: f.switch_to_audio_call,
    businessID: MARK.businessID,
    platform: MARK.platform,
    data: {
      cmd: f.cmd,
      room_id: f.room_id,
      message: f.message ?? '',
      userIDs: f.userIDs,
      consumed: f.consumed,
    },
  });
}

/** An invite's av_call data, as TRTCCalling builds it (`userIDs` only without an IM group). */
function inviteDataJson(signal: InviteSignal): string {
  return innerJson({
    call_type: signal.callType,
    room_id: signal.roomID,
    cmd: CMD_FOR_TYPE[signal.callType],
    // With an IM group the group is the audience; without one `userIDs` marks a group call.
    userIDs: signal.groupID === '' ? signal.invitees : undefined,
    consumed: signal.consumed ? true : undefined,
  });
}

/** A cancel's av_call data: TRTCCalling passes `businessID` before `call_type` here (spec 2.2). */
function cancelDataJson(call_type: CallType | 0): string {
  return JSON.stringify({
    extraInfo: '',
    version: MARK.version,
    businessID: MARK.businessID,
    call_type,
    platform: MARK.platform,
    data: { cmd: CMD_FOR_TYPE[call_type], message: '' },
  });
}

/** TSignaling's envelope (spec 1.2), key order included; `onlineUserOnly` only on INVITE. */
function envelopeJson(
  s: WireSignal,
  actionType: number,
  inviteeList: readonly UserID[],
  data: string,
  timeout = 0,
  onlineUserOnly = false,
  inviteID = s.inviteID,
): string {
  return JSON.stringify({
    businessID: 1,
    inviteID,
    inviter: s.inviter,
    actionType,
    inviteeList,
    data,
    timeout,
    groupID: s.groupID,
    onlineUserOnly: actionType === ACTION.invite ? onlineUserOnly : undefined,
  });
}

/**
 * Encodes a signal as the TSignaling envelope JSON string that goes in a TIM custom message's
 * `payload.data`, with the TRTCCalling `av_call` JSON in its `data`, as trtc-calling-js 1.0.6
 * builds it (spec 2.2). Hangup and switch requests are INVITEs, as TRTCCalling sends them.
 *
 * A timeout notice repeats its invite's `data`: the `rawData` it carries verbatim, else its
 * `invite` encoded as that invite was (a notice with neither, which the machines never make,
 * carries `call_type`, `room_id` and `cmd` only). One message differs from Tencent's by
 * necessity: a C2C group invite lists every invitee in `inviteeList` (Tencent sends each
 * recipient a copy naming only that recipient; the tencent IM port makes those copies).
 */
export function encodeSignal(signal: WireSignal): string {
  const call_type = signal.callType;
  const cmd = CMD_FOR_TYPE[call_type];
  switch (signal.kind) {
    case 'invite':
      return envelopeJson(signal, ACTION.invite, signal.invitees, inviteDataJson(signal), signal.timeout, signal.onlineUserOnly);
    case 'accept': {
      if (signal.switchTo === undefined) return envelopeJson(signal, ACTION.accept, [signal.invitee], innerJson({ call_type, cmd }));
      // A switch's accept names the switch as the request did (spec 2.2), without its room.
      const toAudio = signal.switchTo === 1;
      const data = innerJson({
        call_type,
        switch_to_audio_call: toAudio ? MARK.switchToAudioCall : undefined,
        cmd: toAudio ? MARK.switchToAudio : MARK.switchToVideo,
      });
      return envelopeJson(signal, ACTION.accept, [signal.invitee], data);
    }
    case 'reject': {
      const data = signal.busy
        ? innerJson({ call_type, cmd, line_busy: MARK.lineBusy, message: MARK.lineBusyMessage })
        : innerJson({ call_type, cmd });
      return envelopeJson(signal, ACTION.reject, [signal.invitee], data);
    }
    case 'cancel':
      return envelopeJson(signal, ACTION.cancel, signal.invitees, cancelDataJson(call_type));
    case 'timeout': {
      const data =
        signal.rawData ??
        (signal.invite ? inviteDataJson(signal.invite) : innerJson({ call_type, room_id: signal.roomID, cmd }));
      return envelopeJson(signal, ACTION.timeout, signal.invitees, data);
    }
    case 'hangup': {
      const data = innerJson({ call_type, call_end: signal.callEnd, cmd: MARK.hangup });
      return envelopeJson(signal, ACTION.invite, signal.invitees, data, 0, false, `${signal.inviteID}${HANGUP_SUFFIX}`);
    }
    case 'switch': {
      const toAudio = signal.to === 1;
      const data = innerJson({
        call_type,
        room_id: signal.roomID,
        switch_to_audio_call: toAudio ? MARK.switchToAudioCall : undefined,
        cmd: toAudio ? MARK.switchToAudio : MARK.switchToVideo,
      });
      return envelopeJson(signal, ACTION.invite, signal.invitees, data, SWITCH_TIMEOUT);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Classifies an INVITE: hangup, legacy end marker, switch request or a real invitation (spec 2.3). */
function decodeInvite(env: Envelope, inner: Inner): WireSignal | Failure {
  const { inviteID, inviter, groupID, inviteeList } = env;
  const userIDs = inner.data.userIDs ?? [];
  const invitees = userIDs.length > 0 ? userIDs : inviteeList;
  const isGroup = groupID !== '' || inviteeList.length >= 2 || userIDs.length >= 2;
  const callEnd = inner.call_end !== undefined && inner.call_end > 0 ? inner.call_end : 0;
  const base = { inviteID, inviter, groupID };
  const hangup = { ...base, kind: 'hangup', callType: lenientCallType(inner), invitees: inviteeList, callEnd } as const;

  if (inner.data.cmd === MARK.hangup) {
    return inviteID.endsWith(HANGUP_SUFFIX) ? { ...hangup, inviteID: inviteID.slice(0, -HANGUP_SUFFIX.length) } : hangup;
  }
  // Legacy end markers. "No room" is read across every place a room ID may be, so a
  // TUICallEngine group invite with only `data.room_id` still rings (1.0.6 reads `room_id`).
  // A `call_end` of 0 ends a call only without a cmd (the legacy markers carry none; Tencent's later
  // clients send `call_end` with cmd "hangup" only): call-engine-js 3.3.4 (Tencent's C++ engine)
  // writes `call_end: 0` into every signal, beside "audioCall" / "videoCall" or a switch's cmd.
  const noRoom = v.is(EmptyRoomSchema, rawRoomID(inner));
  const callCmd = !!inner.data.cmd || inner.switch_to_audio_call === MARK.switchToAudioCall;
  const ended = inner.call_end !== undefined && (inner.call_end > 0 || (inner.call_end === 0 && !callCmd));
  if (isGroup && (noRoom || (inner.call_end === 0 && !callCmd))) return hangup;
  if (!isGroup && ended) return hangup;

  const callType = v.safeParse(CallTypeSchema, inner.call_type);
  if (!callType.success) return fail('malformed', `call_type: ${describeIssues(callType.issues)}`);
  const roomID = readRoomID(inner);
  if (isFailure(roomID)) return roomID;

  const cmd = inner.data.cmd;
  const switchToAudio =
    inner.switch_to_audio_call === MARK.switchToAudioCall || cmd === MARK.switchToAudio;
  if (groupID === '' && (switchToAudio || cmd === MARK.switchToVideo)) {
    const to: CallType = switchToAudio ? 1 : 2;
    return { ...base, kind: 'switch', callType: callType.output, invitees, roomID, to };
  }
  if (invitees.length === 0) return fail('malformed', 'invite has no invitees');
  return {
    ...base,
    kind: 'invite',
    callType: callType.output,
    invitees,
    roomID,
    timeout: env.timeout,
    onlineUserOnly: env.onlineUserOnly,
    isGroup,
    consumed: inner.data.consumed === true,
    ...(typeof env.data === 'string' ? { rawData: env.data } : {}),
  };
}

/** The call type an accept of a media switch switches to, or `undefined` for any other accept. */
function switchTarget(inner: Inner | undefined): CallType | undefined {
  if (inner === undefined) return undefined;
  if (inner.switch_to_audio_call === MARK.switchToAudioCall || inner.data.cmd === MARK.switchToAudio) return 1;
  return inner.data.cmd === MARK.switchToVideo ? 2 : undefined;
}

/** Decodes the four non-INVITE actions, whose av_call data is optional. */
function decodeAnswer(env: Envelope, inner: Inner | undefined): WireSignal | Failure {
  const { inviteID, inviter, groupID, inviteeList } = env;
  const base = { inviteID, inviter, groupID, callType: lenientCallType(inner) };
  switch (env.actionType) {
    case ACTION.cancel:
      return { ...base, kind: 'cancel', invitees: inviteeList };
    case ACTION.timeout: {
      // The room ID is informative here (spec 1.5): read when it is a valid one, else left out.
      const roomID = inner === undefined ? undefined : readRoomID(inner);
      const timeout = {
        ...base,
        kind: 'timeout',
        invitees: inviteeList,
        ...(typeof roomID === 'number' ? { roomID } : {}),
        ...(typeof env.data === 'string' ? { rawData: env.data } : {}),
      } as const;
      return timeout;
    }
    default: {
      const invitee = inviteeList[0];
      if (invitee === undefined) return fail('malformed', 'accept/reject has an empty inviteeList');
      if (env.actionType === ACTION.accept) {
        const switchTo = switchTarget(inner);
        return { ...base, kind: 'accept', invitee, ...(switchTo === undefined ? {} : { switchTo }) };
      }
      // Busy markers (spec 2.4); `line_busy: ""` comes from other platforms' encoders.
      const busy =
        inner !== undefined &&
        (inner.line_busy === MARK.lineBusy ||
          inner.line_busy === '' ||
          inner.data.message === MARK.lineBusyMessage);
      return { ...base, kind: 'reject', invitee, busy };
    }
  }
}

/** The IM-authenticated sender must be the party the signal claims sent it. */
function senderMatches(signal: WireSignal, from: UserID): boolean {
  switch (signal.kind) {
    case 'accept':
    case 'reject':
      return from === signal.invitee;
    case 'timeout':
      // The inviter's notice names whoever did not answer; an invitee's names itself alone (a group
      // member who knows the call's inviteID must not time the others out).
      return from === signal.inviter || (signal.invitees.length === 1 && signal.invitees[0] === from);
    default:
      return from === signal.inviter;
  }
}

function decodeChecked(payload: string, from: UserID): DecodeResult {
  if (typeof payload !== 'string') return fail('notJson', 'payload is not a string');
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    return fail('tooLarge', `payload is ${payload.length} characters, limit ${MAX_PAYLOAD_LENGTH}`);
  }
  const parsed = parseJson(payload);
  if (!parsed.ok) return fail('notJson', 'payload is not JSON');
  if (!v.is(HeaderSchema, parsed.value)) {
    return fail('notSignaling', 'not a TSignaling envelope (businessID !== 1)');
  }
  const action = v.safeParse(ActionTypeFieldSchema, parsed.value);
  if (!action.success) return fail('malformed', describeIssues(action.issues));
  if (!v.is(ActionTypeSchema, action.output.actionType)) {
    return fail('unknownAction', `actionType ${action.output.actionType} is not 1..5`);
  }
  const envelope = v.safeParse(EnvelopeSchema, parsed.value);
  if (!envelope.success) return fail('malformed', describeIssues(envelope.issues));
  const env = envelope.output;

  const inner = readInner(env.data);
  if (inner !== undefined && isFailure(inner)) return inner;
  let signal: WireSignal | Failure;
  if (env.actionType === ACTION.invite) {
    if (inner === undefined) return fail('malformed', 'INVITE without av_call data');
    signal = decodeInvite(env, inner);
  } else {
    signal = decodeAnswer(env, inner);
  }
  if (isFailure(signal)) return signal;
  if (!senderMatches(signal, from)) {
    return fail('senderMismatch', `a ${signal.kind} from "${String(from).slice(0, 64)}" is not from its sender`);
  }
  return { ok: true, signal };
}

/**
 * Decodes a TIM custom message's `payload.data` sent by `from` (the IM-authenticated sender).
 * Never throws: a payload it cannot use comes back as `{ ok: false, reason, detail }`.
 *
 * - `tooLarge`: over {@link MAX_PAYLOAD_LENGTH} characters
 * - `notJson` / `notSignaling`: not JSON, or not a TSignaling envelope (`businessID !== 1`)
 * - `unknownAction`: an action type other than 1..5
 * - `malformed`: a field of the wrong type, a bad inviteID, an INVITE without usable call data
 * - `notCallSignal`: TSignaling traffic of another application (inner `businessID`)
 * - `senderMismatch`: `from` is not the party the signal says sent it
 */
export function decodeSignal(payload: string, from: UserID): DecodeResult {
  try {
    return decodeChecked(payload, from);
  } catch (error) {
    // Unreachable by design (every parse is guarded); kept so "never throws" does not rest on it.
    return fail('malformed', error instanceof Error ? error.message : 'decoder error');
  }
}
