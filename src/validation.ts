/**
 * Parameter schemas of the public methods (valibot). A method validates before it touches
 * anything, so bad input is refused with an `InvalidParameterError` and changes nothing.
 */
import * as v from 'valibot';
import { VIDEO_PROFILES } from '../adapters/mediaDevices';
import { MAX_TIMEOUT_SECONDS } from '../adapters/signalingSchema';
import { describeThrown } from '../adapters/bridges';
import { InvalidParameterError } from './errors';
import { EVENT } from './events';

/** The spec's user ID: letters, digits, `-` and `_`; Tencent IM allows at most 32 bytes. */
export const UserIDSchema = v.pipe(
  v.string('userID must be a string'),
  v.regex(/^[A-Za-z0-9_-]{1,32}$/, 'userID must be 1-32 characters of A-Z, a-z, 0-9, - and _'),
);
const CallTypeSchema = v.picklist([1, 2], 'type must be 1 (audio) or 2 (video)');
const TimeoutSchema = v.pipe(
  v.number('timeout must be a number of seconds'),
  v.finite('timeout must be finite'),
  v.minValue(0, 'timeout must not be negative'),
  v.maxValue(MAX_TIMEOUT_SECONDS, `timeout is at most ${MAX_TIMEOUT_SECONDS} seconds (one day)`),
);
const DomIdSchema = v.pipe(v.string('videoViewDomID must be a string'), v.nonEmpty('videoViewDomID must not be empty'));
const InviteIDSchema = v.pipe(v.string('inviteID must be a string'), v.nonEmpty('inviteID must not be empty'));

const UserIDListSchema = v.pipe(
  v.array(UserIDSchema, 'userIDList must be an array of user IDs'),
  v.nonEmpty('userIDList must not be empty'),
  v.check((list) => new Set(list).size === list.length, 'userIDList must not repeat a user'),
);
const GroupIDSchema = v.pipe(v.string('groupID must be a string'), v.maxLength(48, 'groupID is at most 48 characters'));

/**
 * A tunable duration of `config`: whole ms, at most a day (the machines add them to other delays, an
 * invitation's timeout of up to a day among them, and a timer waits at most 2^31-1 ms: past it, it fires at once).
 */
const DurationSchema = v.optional(
  v.pipe(v.number('must be a number of ms'), v.integer('must be a whole number of ms'), v.minValue(0, 'must not be negative'), v.maxValue(86_400_000, 'is at most 86,400,000 ms (a day)')),
);

const CONFIG_KEYS = { noAnswerGraceMs: DurationSchema, exitTimeoutMs: DurationSchema, aloneTimeoutMs: DurationSchema, leaveGraceMs: DurationSchema, missingMemberMs: DurationSchema };

export const Schemas = {
  /** Tencent's SDKAppID is a uint32 (TIM, TRTC and the userSig all carry it so): a larger one names no app. */
  SDKAppID: v.pipe(
    v.number('SDKAppID must be a positive integer'),
    v.integer('SDKAppID must be a positive integer'),
    v.minValue(1, 'SDKAppID must be a positive integer'),
    v.maxValue(0xffffffff, 'SDKAppID is at most 4294967295 (2^32-1: a uint32)'),
  ),
  config: v.optional(v.object(CONFIG_KEYS, 'config must be an object')),
  login: v.object({ userID: UserIDSchema, userSig: v.pipe(v.string('userSig must be a string'), v.nonEmpty('userSig must not be empty')) }),
  call: v.object({ userID: UserIDSchema, type: CallTypeSchema, timeout: v.optional(TimeoutSchema, 30) }),
  groupCall: v.object({
    userIDList: UserIDListSchema,
    type: CallTypeSchema,
    // null is no group, as trtc-calling-js takes any falsy groupID (a form field left empty).
    groupID: v.optional(v.pipe(v.nullable(GroupIDSchema), v.transform((g) => g ?? '')), ''),
    timeout: v.optional(TimeoutSchema, 30),
  }),
  inviteUser: v.object({ userIDList: UserIDListSchema }),
  joinInGroupCall: v.object({
    groupID: v.pipe(GroupIDSchema, v.nonEmpty('groupID must not be empty')),
    roomID: v.pipe(v.number('roomID must be a number'), v.integer('roomID must be an integer'), v.minValue(1, 'roomID must be positive'), v.maxValue(2 ** 31 - 1, 'roomID is at most 2^31-1')),
    callType: CallTypeSchema,
  }),
  accept: v.optional(
    v.object({
      inviteID: v.optional(InviteIDSchema),
      roomID: v.optional(v.pipe(v.number('roomID must be a number'), v.integer('roomID must be an integer'), v.minValue(0))),
      callType: v.optional(CallTypeSchema),
    }),
    {},
  ),
  reject: v.optional(
    v.object({
      inviteID: v.optional(InviteIDSchema),
      isBusy: v.optional(v.boolean('isBusy must be a boolean'), false),
      callType: v.optional(CallTypeSchema),
    }),
    {},
  ),
  view: v.object({ userID: UserIDSchema, videoViewDomID: DomIdSchema }),
  /** The stop methods: without an element, wherever the video plays (trtc-calling-js checks only the user). */
  stopView: v.object({ userID: UserIDSchema, videoViewDomID: v.optional(DomIdSchema) }),
  mute: v.boolean('isMute must be a boolean'),
  eventName: v.picklist(Object.values(EVENT), 'unknown event name'),
  callback: v.function('callback must be a function'),
  listener: v.function('listener must be a function'),
  switchDevice: v.object({
    deviceType: v.picklist(['video', 'audio'], "deviceType must be 'video' or 'audio'"),
    deviceId: v.pipe(v.string('deviceId must be a string'), v.nonEmpty('deviceId must not be empty')),
  }),
  videoQuality: v.union(
    [
      v.picklist(Object.keys(VIDEO_PROFILES) as (keyof typeof VIDEO_PROFILES)[]),
      v.object({
        width: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(3840)),
        height: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(2160)),
        frameRate: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(60)),
        bitrate: v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(10_000)),
      }),
    ],
    `profile must be one of ${Object.keys(VIDEO_PROFILES).join(', ')} or { width, height, frameRate, bitrate }`,
  ),
} as const;

/**
 * `read()`, where reading the app's parameters may throw (a getter that throws, a revoked Proxy, a reactive
 * store's proxy whose traps throw): an {@link InvalidParameterError} then, its `cause` what was thrown.
 */
export function readable<T>(method: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new InvalidParameterError(method, `parameters could not be read: ${describeThrown(error)}`, { cause: error });
  }
}

const OPTION_KEYS = ['SDKAppID', 'backend', 'clock', 'inspect', 'config', 'onDropped'] as const;

const isFn = (x: unknown): boolean => typeof x === 'function';
/** The constructor's functional options, when given: what each must be (checked only: a clock keeps its methods and `this`). */
const OPTION_CHECKS: [string, (x: { [k: string]: unknown }) => boolean, string][] = [
  ['clock', (c) => isFn(c.now) && isFn(c.setTimeout) && isFn(c.clearTimeout), 'a Clock (now, setTimeout, clearTimeout)'],
  ['inspect', (i) => isFn(i) || isFn(i.next), 'a function or an observer with next()'],
  ['onDropped', isFn, 'a function'],
];

/** The constructor's options as a plain object, read once (not an object, unreadable, or a bad `clock`, `inspect` or `onDropped`: {@link InvalidParameterError}). */
export function plainOptions<T extends object>(options: T): T {
  if (typeof options !== 'object' || options === null) throw new InvalidParameterError('new TRTCCalling', 'options must be an object');
  const read = () => OPTION_KEYS.filter((key) => key in options).map((key) => [key, (options as Record<string, unknown>)[key]]);
  const given = Object.fromEntries(readable('new TRTCCalling', read)) as Record<string, unknown>;
  for (const [key, ok, what] of OPTION_CHECKS) {
    const value = given[key];
    // `null` is no value, as `undefined` (a plain-JS app's `inspect: dev ? inspector : null`).
    if (value === null) delete given[key];
    else if (value !== undefined && !readable('new TRTCCalling', () => ok(value as never))) throw new InvalidParameterError('new TRTCCalling', `${key} must be ${what}`);
  }
  return given as T;
}

/** Parses `input` or throws an {@link InvalidParameterError} naming the method and the problem. */
export function parse<S extends v.GenericSchema>(method: string, schema: S, input: unknown): v.InferOutput<S> {
  const result = readable(method, () => v.safeParse(schema, input));
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.');
  throw new InvalidParameterError(method, path ? `${path}: ${issue.message}` : issue.message);
}

/** The constructor's `config`: its known durations (a key given as `undefined` keeps its default); an unknown key is refused. */
export function parseConfig(input: unknown): Record<string, number> {
  const unknownKey = (keys: string[]) => keys.find((k) => !Object.hasOwn(CONFIG_KEYS, k));
  const unknown = typeof input === 'object' && input !== null ? readable('new TRTCCalling', () => unknownKey(Object.keys(input))) : undefined;
  if (unknown !== undefined) throw new InvalidParameterError('new TRTCCalling', `config: unknown key ${unknown} (it takes ${Object.keys(CONFIG_KEYS).join(', ')})`);
  return Object.fromEntries(Object.entries(parse('new TRTCCalling', Schemas.config, input) ?? {}).filter(([, ms]) => ms !== undefined));
}
