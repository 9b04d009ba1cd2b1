/**
 * valibot schemas for the two layers of a TRTCCalling signal (spec/wire-protocol.md 1.2, 2.1):
 * the TSignaling envelope and the TRTCCalling `av_call` JSON carried in its `data` string.
 *
 * Validation is staged so the codec can tell *why* a payload was refused: a header that says
 * whether this is TSignaling at all, the action type, then the full envelope. Every object schema
 * is a plain `v.object`, which drops unknown keys: fields added by other clients (TUICallEngine's
 * `userData`, `inCallUserIDs`, `data.inviter` ...) are tolerated, never copied.
 */
import * as v from 'valibot';
import type { CallType, DecodeErrorReason, DecodeResult } from '../machines/types';

/** Longest `inviteID` accepted (TSignaling sends a 36-character UUID). */
export const MAX_INVITE_ID_LENGTH = 128;

/**
 * Longest ring time an invitation may ask for, in seconds: one day. The API refuses more, the
 * codec refuses an envelope asking more (`malformed`), and the embedded server bounds it the same
 * way (`MAX_CALL_TIMEOUT_SECONDS` in its protocol): far below the 2^31-1 ms past which a timer
 * would fire at once.
 */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** TSignaling action types (spec 1.2). */
export const ACTION = { invite: 1, cancel: 2, accept: 3, reject: 4, timeout: 5 } as const;

/** TRTCCalling's marker values (spec 2.1, 3.1 `CMD_TYPE`). */
export const MARK = {
  businessID: 'av_call',
  platform: 'Web',
  version: 4,
  hangup: 'hangup',
  switchToAudio: 'switchToAudio',
  switchToVideo: 'switchToVideo',
  switchToAudioCall: 'switch_to_audio_call',
  lineBusy: 'line_busy',
  lineBusyMessage: 'lineBusy',
} as const;

/**
 * A field another client may send with another type: read when it has the expected type,
 * otherwise treated as absent (the tolerant reading Tencent's own JavaScript gives it).
 */
function lenient<const S extends v.GenericSchema>(schema: S) {
  return v.fallback(v.optional(schema), undefined);
}

/** Stage 1: is this a TSignaling envelope at all? (TIM custom messages carry other things too.) */
export const HeaderSchema = v.object({ businessID: v.literal(1) });

/** Stage 2: the action type, checked before the rest so a future action is `unknownAction`. */
export const ActionTypeFieldSchema = v.object({ actionType: v.number() });

/** The five known action types. */
export const ActionTypeSchema = v.picklist([
  ACTION.invite,
  ACTION.cancel,
  ACTION.accept,
  ACTION.reject,
  ACTION.timeout,
]);

/** A TSignaling action type this codec understands. */
export type ActionType = v.InferOutput<typeof ActionTypeSchema>;

/**
 * Stage 3: the envelope. Optional fields may also be `null` (other platforms' encoders);
 * TSignaling itself leaves an absent `data` out.
 */
export const EnvelopeSchema = v.object({
  inviteID: v.pipe(v.string(), v.minLength(1, 'inviteID is empty'), v.maxLength(MAX_INVITE_ID_LENGTH)),
  inviter: v.pipe(v.string(), v.minLength(1, 'inviter is empty')),
  actionType: ActionTypeSchema,
  inviteeList: v.nullish(v.array(v.string()), () => []),
  data: v.nullish(v.string()),
  timeout: v.nullish(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_TIMEOUT_SECONDS, `timeout is at most ${MAX_TIMEOUT_SECONDS} s`)), 0),
  groupID: v.nullish(v.string(), ''),
  onlineUserOnly: v.nullish(v.boolean(), false),
});

/** A validated envelope, defaults applied. */
export type Envelope = v.InferOutput<typeof EnvelopeSchema>;

/** The nested `data` object of the av_call JSON (`cmd`, `room_id`, `message`, `userIDs` ...). */
const InnerDataSchema = v.object({
  cmd: lenient(v.string()),
  // Room IDs are validated only when a signal needs one, so a bad one is `malformed`, not absent.
  room_id: v.optional(v.unknown()),
  str_room_id: v.optional(v.unknown()),
  message: lenient(v.string()),
  userIDs: lenient(v.array(v.string())),
  consumed: lenient(v.boolean()),
});

/** The av_call JSON that TRTCCalling (and TUICallEngine) put in the envelope's `data` string. */
export const InnerSchema = v.object({
  businessID: v.optional(v.unknown()),
  call_type: v.optional(v.unknown()),
  room_id: v.optional(v.unknown()),
  str_room_id: v.optional(v.unknown()),
  call_end: lenient(v.number()),
  line_busy: lenient(v.string()),
  switch_to_audio_call: lenient(v.string()),
  data: v.fallback(v.optional(InnerDataSchema, {}), {}),
});

/** A parsed av_call JSON, unknown keys dropped. */
export type Inner = v.InferOutput<typeof InnerSchema>;

/** The inner `businessID`, when present, must be TRTCCalling's. */
export const CallBusinessSchema = v.optional(v.literal(MARK.businessID));

/** `call_type`: 1 = audio, 2 = video. */
export const CallTypeSchema = v.picklist([1, 2]);

/** A TRTC numeric room ID. */
export const RoomIdSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** "No room" as TRTCCalling's `isEmpty` reads it, for the legacy group end marker. */
export const EmptyRoomSchema = v.nullish(v.picklist([0, '']));

/** A numeric room ID sent as a string of digits (`room_id: "123"`), read as that number. */
export const DigitRoomIdSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}$/, 'room_id is not a number'),
  v.transform(Number),
  RoomIdSchema,
);

/**
 * One line for an error `detail`: the first issue, with its path. valibot quotes the received
 * value in its messages, so the line is capped.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (first === undefined) return 'invalid';
  const path = v.getDotPath(first);
  const line = path === null ? first.message : `${path}: ${first.message}`;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

// ---------------------------------------------------------------------------------------------
// Readers shared by the codec: each returns a value or a typed failure, never throws.

/** A refused payload, as {@link DecodeResult} carries it. */
export type Failure = Extract<DecodeResult, { ok: false }>;

/** Builds a {@link Failure}. */
export function fail(reason: DecodeErrorReason, detail: string): Failure {
  return { ok: false, reason, detail };
}

/** Tells a {@link Failure} from a decoded value (no decoded value has an `ok` key). */
export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && 'ok' in value;
}

/** `JSON.parse` that reports instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Reads the av_call JSON from an envelope's `data`. `undefined` when there is none to read:
 * absent, empty, not JSON or not an object (answers from foreign clients may carry anything;
 * the codec requires it on INVITE). Another application's inner `businessID` is `notCallSignal`.
 */
export function readInner(data: string | null | undefined): Inner | Failure | undefined {
  if (data === undefined || data === null || data === '') return undefined;
  const parsed = parseJson(data);
  if (!parsed.ok) return undefined;
  const inner = v.safeParse(InnerSchema, parsed.value);
  if (!inner.success) return undefined;
  if (!v.is(CallBusinessSchema, inner.output.businessID)) {
    return fail('notCallSignal', `inner businessID is not "${MARK.businessID}"`);
  }
  return inner.output;
}

/** The room ID as sent, for the legacy "no room" end marker: `room_id`, else `data.room_id`, else `str_room_id` (TUICallEngine). */
export function rawRoomID(inner: Inner): unknown {
  return inner.room_id ?? inner.data.room_id ?? inner.data.str_room_id ?? inner.str_room_id;
}

/**
 * The room ID of an invitation or switch request: a TRTC numeric room, from `room_id`, else
 * `data.room_id`. TUICallEngine sends `0` there for a call in a **string room** (its
 * `str_room_id`), and TRTC keeps string rooms apart from numeric ones (the string "123" is not the
 * room 123): no room port here joins a string room, so such an invite is refused (`malformed`)
 * rather than rung, answered, and entered in a room its caller is not in, or not at all.
 */
export function readRoomID(inner: Inner): number | Failure {
  const numeric = [inner.room_id, inner.data.room_id].find((r) => r !== undefined && r !== null && r !== 0 && r !== '');
  if (numeric === undefined) {
    const str = inner.data.str_room_id ?? inner.str_room_id;
    if (typeof str === 'string' && str !== '') return fail('malformed', `a call in the string room "${str}", which this client cannot join`);
    return fail('malformed', 'invite has no room_id');
  }
  const room = v.safeParse(typeof numeric === 'string' ? DigitRoomIdSchema : RoomIdSchema, numeric);
  return room.success ? room.output : fail('malformed', `room_id: ${describeIssues(room.issues)}`);
}

/** Answers and notices tolerate a missing or unusual call type: it reads as 0. */
export function lenientCallType(inner: Inner | undefined): CallType | 0 {
  return inner !== undefined && v.is(CallTypeSchema, inner.call_type) ? inner.call_type : 0;
}
