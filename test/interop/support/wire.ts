/**
 * The wire of an interop test: every TIM custom message either party sent through the fake IM
 * service, as a readable entry (envelope with its `data` JSON parsed, `sendMessage` options with
 * the offline push extension parsed), and builders of the entries Tencent's own client sends
 * (spec/wire-protocol.md 1.2-1.4 and 2.1-2.2, and the runs of the official bundle here).
 *
 * IDs are the only thing made readable: invite IDs become `id1`, `id2` ... and TRTC room IDs
 * `room1`, `room2` ... in order of first appearance, after checking their form (a v4 UUID;
 * an integer in 1..2^31-1, the range a room must have for Tencent's client, which joins
 * `~~roomID`). The push extension's `sendTime` must be the send instant and reads `now`.
 * Everything else is compared as sent, key order included ({@link expectWire}).
 */
import { expect } from 'vitest';
import { HANGUP_SUFFIX } from '../../../adapters/signalingCodec';
import type { TimSent } from '../../tencent/fakes/fakeTim';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One sent message, readable. */
export interface WireEntry {
  readonly from: string;
  readonly to: string;
  readonly conv: 'C2C' | 'GROUP';
  readonly envelope: JsonObject;
  readonly options: JsonObject;
  /** Recipients that were offline: the IM stored the message for them (see {@link offline}). */
  readonly offline?: readonly string[];
}

/** `entry`, as stored by the IM for `users`, who were offline when it was sent. */
export const offline = (entry: WireEntry, users: readonly string[]): WireEntry => ({ ...entry, offline: [...users] });

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MAX_ROOM = 2 ** 31 - 1;

const parse = (text: string): Json => JSON.parse(text) as Json;
const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Records the cloud's log as {@link WireEntry}s, with stable labels for the whole test. */
export class WireRecorder {
  readonly #ids = new Map<string, string>();
  readonly #rooms = new Map<number, string>();
  #taken = 0;

  constructor(private readonly log: readonly TimSent[]) {}

  /** The entries sent since the last `take()`. */
  take(): WireEntry[] {
    const fresh = this.log.slice(this.#taken);
    this.#taken = this.log.length;
    return fresh.map((m) => this.entry(m));
  }

  /** The `data` strings exactly as sent, of every message so far. */
  raw(): { readonly actionType: number; readonly inviteID: string; readonly data: string }[] {
    return this.log.map((m) => {
      const env = parse(m.payload.data) as JsonObject;
      return { actionType: Number(env['actionType']), inviteID: this.#id(String(env['inviteID'])), data: String(env['data']) };
    });
  }

  entry(m: TimSent): WireEntry {
    const env = parse(m.payload.data) as JsonObject;
    const data = typeof env['data'] === 'string' ? this.#data(env['data']) : env['data'];
    const envelope: JsonObject = { ...env, inviteID: this.#id(String(env['inviteID'])) };
    if (data !== undefined) envelope['data'] = data;
    const stored = m.recipients.filter((r) => !r.online).map((r) => r.userID);
    const entry: WireEntry = { from: m.from, to: m.to, conv: m.conversationType === 'GROUP' ? 'GROUP' : 'C2C', envelope, options: this.#options(m) };
    return stored.length > 0 ? { ...entry, offline: stored } : entry;
  }

  #id(id: string): string {
    // Our hang-up files itself under its call's inviteID and a suffix (HANGUP_SUFFIX): `id1-hangup`.
    if (id.endsWith(HANGUP_SUFFIX)) return `${this.#id(id.slice(0, -HANGUP_SUFFIX.length))}${HANGUP_SUFFIX}`;
    if (!UUID_V4.test(id)) throw new Error(`inviteID ${id} is not a lowercase v4 UUID`);
    if (!this.#ids.has(id)) this.#ids.set(id, `id${this.#ids.size + 1}`);
    return this.#ids.get(id) ?? id;
  }

  #room(room: Json | undefined): Json | undefined {
    if (room === undefined) return undefined;
    if (typeof room !== 'number' || !Number.isInteger(room) || room < 1 || room > MAX_ROOM) throw new Error(`room_id ${JSON.stringify(room)} is not in 1..2^31-1`);
    if (!this.#rooms.has(room)) this.#rooms.set(room, `room${this.#rooms.size + 1}`);
    return this.#rooms.get(room);
  }

  #data(text: string): Json {
    let data: Json;
    try {
      data = parse(text);
    } catch {
      return text;
    }
    if (!isObject(data)) return data;
    const out: JsonObject = { ...data };
    if ('room_id' in out) out['room_id'] = this.#room(out['room_id']) ?? null;
    const inner = out['data'];
    if (isObject(inner) && 'room_id' in inner) out['data'] = { ...inner, room_id: this.#room(inner['room_id']) ?? null };
    return out;
  }

  #options(m: TimSent): JsonObject {
    const options = { ...(m.options as JsonObject) };
    const push = options['offlinePushInfo'];
    if (isObject(push) && typeof push['extension'] === 'string') {
      const ext = parse(push['extension']) as JsonObject;
      const entity = ext['entity'] as JsonObject;
      if (entity['sendTime'] !== Math.floor(m.at / 1000)) throw new Error(`push sendTime ${String(entity['sendTime'])} is not the send instant`);
      const content = parse(String(entity['content'])) as JsonObject;
      const labelled: JsonObject = { ...content, call_id: this.#id(String(content['call_id'])) };
      if ('room_id' in content) labelled['room_id'] = this.#room(content['room_id']) ?? null;
      options['offlinePushInfo'] = { ...push, extension: { ...ext, entity: { ...entity, content: labelled, sendTime: 'now' } } };
    }
    return options;
  }
}

/** Asserts the wire entry by entry, then key order too (what `toEqual` cannot see). */
export function expectWire(actual: readonly WireEntry[], expected: readonly WireEntry[]): void {
  expect(actual).toEqual(expected);
  expect(actual.map((e) => JSON.stringify(e))).toEqual(expected.map((e) => JSON.stringify(e)));
}

// ---------------------------------------------------------------------------------------------
// What Tencent's client sends (trtc-calling-js 1.0.6's `handleNewSignaling`, TSignaling 1.0.8)

const CMD = ['', 'audioCall', 'videoCall'] as const;
type CallType = 1 | 2;

const CONTROL = { excludedFromContentModeration: true, excludedFromUnreadCount: false, excludedFromLastMessage: false };

export interface InviteSpec {
  readonly id: string;
  readonly room: string;
  readonly type: CallType;
  /** The envelope's `inviteeList`. */
  readonly invitees: readonly string[];
  /** `data.userIDs`: C2C invites only (all the call's invitees). */
  readonly userIDs?: readonly string[];
  readonly groupID?: string;
}

interface Answer {
  readonly id: string;
  readonly inviter: string;
  readonly type: CallType;
  readonly groupID?: string;
}

/** The invite's av_call data. */
export function inviteData(s: Pick<InviteSpec, 'type' | 'room' | 'userIDs'>): JsonObject {
  const data: JsonObject = { cmd: CMD[s.type], room_id: s.room, message: '' };
  if (s.userIDs) data['userIDs'] = [...s.userIDs];
  return { extraInfo: '', version: 4, call_type: s.type, room_id: s.room, businessID: 'av_call', platform: 'Web', data };
}

function envelope(id: string, inviter: string, actionType: number, inviteeList: readonly string[], data: Json, timeout: number, groupID: string, invite: boolean): JsonObject {
  const env: JsonObject = { businessID: 1, inviteID: id, inviter, actionType, inviteeList: [...inviteeList], data, timeout, groupID };
  if (invite) env['onlineUserOnly'] = false;
  return env;
}

const plainOptions = (): JsonObject => ({ onlineUserOnly: false, messageControlInfo: { ...CONTROL } });

/** TSignaling's INVITE options: the offline push info, then the plain options (spec 1.4). */
function inviteOptions(env: JsonObject, data: JsonObject): JsonObject {
  const group = env['groupID'] !== '';
  const content: JsonObject = { action: 1, call_type: data['call_type'] ?? null, room_id: data['room_id'] ?? null, call_id: env['inviteID'] ?? null, version: 4, invited_list: env['inviteeList'] ?? [] };
  if (data['room_id'] === undefined) delete content['room_id'];
  if (group) content['group_id'] = env['groupID'] ?? '';
  const extension = { entity: { action: 2, chatType: group ? 2 : 1, content, sendTime: 'now', sender: env['inviter'] ?? '', version: 1 }, userData: '' };
  return { offlinePushInfo: { title: '', description: '您有一个通话请求', androidOPPOChannelID: '', extension }, ...plainOptions() };
}

function to(conv: 'C2C' | 'GROUP', from: string, recipient: string, env: JsonObject, options: JsonObject): WireEntry {
  return { from, to: recipient, conv, envelope: env, options };
}

const where = (groupID: string | undefined, user: string): ['C2C' | 'GROUP', string] => (groupID ? ['GROUP', groupID] : ['C2C', user]);

/** Builders of the messages Tencent's client sends, as {@link WireEntry}s. */
export const W = {
  /** `invite` (C2C: `to` is the invitee) or `inviteInGroup` (`groupID`: `to` is ignored). */
  invite(from: string, recipient: string, s: InviteSpec): WireEntry {
    const data = inviteData(s);
    const env = envelope(s.id, from, 1, s.invitees, data, 30, s.groupID ?? '', true);
    const [conv, target] = where(s.groupID, recipient);
    return to(conv, from, target, env, inviteOptions(env, data));
  },
  accept(from: string, a: Answer): WireEntry {
    const data = { extraInfo: '', version: 4, call_type: a.type, businessID: 'av_call', platform: 'Web', data: { cmd: CMD[a.type], message: '' } };
    const [conv, recipient] = where(a.groupID, a.inviter);
    return to(conv, from, recipient, envelope(a.id, a.inviter, 3, [from], data, 0, a.groupID ?? '', false), plainOptions());
  },
  /** The automatic ACCEPT of a switch request (spec 2.2): `type` is the request's (old) type; the markers name the switch. */
  switchAccept(from: string, a: { readonly id: string; readonly inviter: string; readonly type: CallType }): WireEntry {
    const data: JsonObject = a.type === 2
      ? { extraInfo: '', version: 4, call_type: 2, switch_to_audio_call: 'switch_to_audio_call', businessID: 'av_call', platform: 'Web', data: { cmd: 'switchToAudio', message: '' } }
      : { extraInfo: '', version: 4, call_type: 1, businessID: 'av_call', platform: 'Web', data: { cmd: 'switchToVideo', message: '' } };
    return to('C2C', from, a.inviter, envelope(a.id, a.inviter, 3, [from], data, 0, '', false), plainOptions());
  },
  reject(from: string, a: Answer & { readonly busy?: boolean }): WireEntry {
    const data: JsonObject = a.busy
      ? { extraInfo: '', version: 4, call_type: a.type, line_busy: 'line_busy', businessID: 'av_call', platform: 'Web', data: { cmd: CMD[a.type], message: 'lineBusy' } }
      : { extraInfo: '', version: 4, call_type: a.type, businessID: 'av_call', platform: 'Web', data: { cmd: CMD[a.type], message: '' } };
    const [conv, recipient] = where(a.groupID, a.inviter);
    return to(conv, from, recipient, envelope(a.id, a.inviter, 4, [from], data, 0, a.groupID ?? '', false), plainOptions());
  },
  /** `cancel`: to the group, else to the first of the invitees it names. */
  cancel(from: string, c: { readonly id: string; readonly type: CallType; readonly invitees: readonly string[]; readonly groupID?: string }): WireEntry {
    const data = { extraInfo: '', version: 4, businessID: 'av_call', call_type: c.type, platform: 'Web', data: { cmd: CMD[c.type], message: '' } };
    const [conv, recipient] = where(c.groupID, c.invitees[0] ?? '');
    return to(conv, from, recipient, envelope(c.id, from, 2, c.invitees, data, 0, c.groupID ?? '', false), plainOptions());
  },
  /**
   * A TIMEOUT notice: from a callee (`invitees` = itself, to the inviter) or from the caller's own
   * timer (`invitees` = those who did not answer, to the first of them); `data` = the invite's.
   */
  timeout(from: string, t: { readonly id: string; readonly inviter: string; readonly invitees: readonly string[]; readonly invite: Pick<InviteSpec, 'type' | 'room' | 'userIDs'>; readonly groupID?: string }): WireEntry {
    const recipient = from === t.inviter ? (t.invitees[0] ?? '') : t.inviter;
    const [conv, target] = where(t.groupID, recipient);
    return to(conv, from, target, envelope(t.id, t.inviter, 5, t.invitees, inviteData(t.invite), 0, t.groupID ?? '', false), plainOptions());
  },
  /** The "last one out" hangup: a new INVITE (timeout 0) from the one who stayed, C2C to the leaver. */
  hangup(from: string, recipient: string, h: { readonly id: string; readonly type: CallType; readonly callEnd: number }): WireEntry {
    const data: JsonObject = { extraInfo: '', version: 4, call_type: h.type, call_end: h.callEnd, businessID: 'av_call', platform: 'Web', data: { cmd: 'hangup', message: '' } };
    const env = envelope(h.id, from, 1, [recipient], data, 0, '', true);
    return to('C2C', from, recipient, env, inviteOptions(env, data));
  },
  /** `switchToAudioCall` (to 1) / `switchToVideoCall` (to 2): an INVITE (timeout 30) to the peer; `type` is the current call type. */
  switchRequest(from: string, recipient: string, s: { readonly id: string; readonly room: string; readonly type: CallType; readonly to: CallType }): WireEntry {
    const toAudio = s.to === 1;
    const data: JsonObject = toAudio
      ? { extraInfo: '', version: 4, call_type: s.type, room_id: s.room, switch_to_audio_call: 'switch_to_audio_call', businessID: 'av_call', platform: 'Web', data: { cmd: 'switchToAudio', room_id: s.room, message: '' } }
      : { extraInfo: '', version: 4, call_type: s.type, room_id: s.room, businessID: 'av_call', platform: 'Web', data: { cmd: 'switchToVideo', room_id: s.room, message: '' } };
    const env = envelope(s.id, from, 1, [recipient], data, 30, '', true);
    return to('C2C', from, recipient, env, inviteOptions(env, data));
  },
};
