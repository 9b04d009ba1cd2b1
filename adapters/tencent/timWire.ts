/**
 * What TSignaling adds around a signal when it hands it to TIM (spec/wire-protocol.md 1.1, 1.4),
 * so that Tencent's clients and push services see our messages exactly as they see their own:
 * the `sendMessage` options (online-only flag, message control info, offline push info on
 * INVITE) and the per-recipient copy of a C2C signal.
 *
 * Pure functions of the payload our codec produced; nothing here decides anything about a call.
 */
import * as v from 'valibot';
import { ACTION, EnvelopeSchema, MARK, parseJson, type Envelope } from '../signalingSchema';

/** Offline push texts for invitations, as TSignaling's `offlinePushInfo` option takes them. */
export interface OfflinePushOptions {
  /** Notification title; default `""`. */
  readonly title?: string;
  /** Notification text; default `"您有一个通话请求"` ("You have a call request"), as TSignaling. */
  readonly description?: string;
  /** OPPO channel ID (Android 8+); default `""`. */
  readonly androidOPPOChannelID?: string;
  /** App data passed through as the push extension's `userData`; default `""`. */
  readonly extension?: string;
}

/** The offline push info TSignaling attaches to every INVITE (spec 1.4). */
export interface TimOfflinePushInfo {
  readonly title: string;
  readonly description: string;
  readonly androidOPPOChannelID: string;
  /** JSON: `{ entity: { action, chatType, content, sendTime, sender, version }, userData }`. */
  readonly extension: string;
}

/** The `options` argument of `tim.sendMessage` for a signal (spec 1.4), keys in TSignaling's order. */
export interface TimSendOptions {
  readonly offlinePushInfo?: TimOfflinePushInfo;
  readonly onlineUserOnly: boolean;
  readonly messageControlInfo: {
    readonly excludedFromContentModeration: true;
    readonly excludedFromUnreadCount: boolean;
    readonly excludedFromLastMessage: boolean;
  };
}

/** TSignaling's default push text. */
export const DEFAULT_PUSH_DESCRIPTION = '您有一个通话请求';

/** The envelope of a payload, or `undefined` when it is not TSignaling. */
function envelopeOf(payload: string): Envelope | undefined {
  const parsed = parseJson(payload);
  if (!parsed.ok) return undefined;
  const envelope = v.safeParse(EnvelopeSchema, parsed.value);
  return envelope.success ? envelope.output : undefined;
}

/** The three av_call values TSignaling copies into the push content, read raw as it reads them. */
const PushDataSchema = v.object({
  call_type: v.optional(v.unknown()),
  room_id: v.optional(v.unknown()),
  timeout: v.optional(v.unknown()),
});

function offlinePushInfo(env: Envelope, nowMs: number, push: OfflinePushOptions): TimOfflinePushInfo {
  const parsed = parseJson(env.data ?? '');
  const data = parsed.ok ? v.safeParse(PushDataSchema, parsed.value) : undefined;
  const raw = data?.success ? data.output : {};
  const group = env.groupID !== '';
  // Keys in TSignaling's order; an `undefined` value drops its key, as JSON.stringify does there.
  const content = {
    action: 1,
    call_type: raw.call_type,
    room_id: raw.room_id,
    call_id: env.inviteID,
    timeout: raw.timeout,
    version: MARK.version,
    invited_list: env.inviteeList,
    group_id: group ? env.groupID : undefined,
  };
  const entity = {
    action: 2,
    chatType: group ? 2 : 1,
    content: JSON.stringify(content),
    sendTime: Math.floor(nowMs / 1000),
    sender: env.inviter,
    version: 1,
  };
  return {
    title: push.title ?? '',
    description: push.description || DEFAULT_PUSH_DESCRIPTION,
    androidOPPOChannelID: push.androidOPPOChannelID ?? '',
    extension: JSON.stringify({ entity, userData: push.extension ?? '' }),
  };
}

/** Whether the signal's `data` asks to keep it out of the history (spec 1.4). */
function excludedFromHistory(env: Envelope): boolean {
  const data = env.data ?? '';
  return env.actionType === ACTION.timeout
    ? data.includes('excludeTimeoutSignalingFromHistoryMessage')
    : data.includes('excludeFromHistoryMessage') || data.includes('excludeOriginalSignalingFromHistoryMessage');
}

/**
 * The `sendMessage` options TSignaling uses for this payload: `onlineUserOnly` as given, the
 * message control info, and for an INVITE (calls, hangups, switches alike) the offline push info
 * built from the envelope and its av_call data. `nowMs` dates the push (`sendTime`, in s).
 */
export function timSendOptions(
  payload: string,
  options: { readonly onlineUserOnly: boolean; readonly nowMs: number; readonly push?: OfflinePushOptions },
): TimSendOptions {
  const env = envelopeOf(payload);
  const excluded = env !== undefined && excludedFromHistory(env);
  const messageControlInfo = {
    excludedFromContentModeration: true,
    excludedFromUnreadCount: excluded,
    excludedFromLastMessage: excluded,
  } as const;
  const base = { onlineUserOnly: options.onlineUserOnly, messageControlInfo };
  if (env === undefined || env.actionType !== ACTION.invite) return base;
  return { offlinePushInfo: offlinePushInfo(env, options.nowMs, options.push ?? {}), ...base };
}

/**
 * The copy of a C2C signal for one recipient. TSignaling sends a C2C group call as one invite
 * per invitee, each naming only its recipient in `inviteeList` (spec 2.2, "Group invite without
 * groupID"), and its cancels and timeout notices follow each invite. Our codec names every
 * invitee once; here the copy for `to` names `to` alone. Anything else passes unchanged.
 */
export function c2cCopyFor(payload: string, to: string): string {
  const env = envelopeOf(payload);
  if (env === undefined || env.groupID !== '' || env.inviteeList.length < 2 || !env.inviteeList.includes(to)) {
    return payload;
  }
  const parsed = parseJson(payload);
  const record = parsed.ok ? v.safeParse(v.record(v.string(), v.unknown()), parsed.value) : undefined;
  // Replacing an existing key keeps its position, so only `inviteeList` changes.
  return record?.success ? JSON.stringify({ ...record.output, inviteeList: [to] }) : payload;
}
