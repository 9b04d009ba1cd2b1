/**
 * The real calls of Tencent's client (test/fixtures/tencent-wire, copied from
 * shared/fixtures/tencent-wire): their shape, and how a sent message is compared with a
 * recorded one (same fields and values; invite and room IDs aside).
 */
import { readFileSync } from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One IM custom message Tencent's client sent. */
export interface WireEntry {
  readonly seq: number;
  readonly t: number;
  readonly kind: 'wire';
  readonly from: string;
  readonly to: string | null;
  readonly groupID: string | null;
  readonly conversationType: 'C2C' | 'GROUP';
  readonly priority: string;
  readonly envelope: JsonObject;
  readonly sendOptions: JsonObject;
  readonly label: string;
}

export type TimelineEntry =
  | WireEntry
  | { readonly seq: number; readonly t: number; readonly kind: 'action'; readonly party: string; readonly action: string; readonly args: JsonObject[] }
  | { readonly seq: number; readonly t: number; readonly kind: 'event'; readonly party: string; readonly event: string; readonly payload: JsonObject }
  | { readonly seq: number; readonly t: number; readonly kind: 'result' | 'meta' | 'note' };

export interface Capture {
  readonly scenario: string;
  readonly epoch: string;
  readonly options: { readonly imDelayMs: number; readonly rtcDelayMs: number; readonly SDKAppID: number };
  readonly parties: Readonly<Record<string, string>>;
  readonly wire: readonly WireEntry[];
  readonly timeline: readonly TimelineEntry[];
}

export const CAPTURE_NAMES = ['1v1-accept-hangup', '1v1-reject', '1v1-busy', 'group-3'] as const;
export type CaptureName = (typeof CAPTURE_NAMES)[number];

export function loadCapture(name: CaptureName): Capture {
  const url = new URL(`../../fixtures/tencent-wire/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Capture;
}

/** The party's INVITEs (not hangups): the invite and room IDs its client generated, in order. */
export function generatedIDs(capture: Capture, party: string): { inviteIDs: string[]; roomIDs: number[] } {
  const invites = capture.wire.filter((w) => w.from === party && w.label.includes(' INVITE ') && !w.label.includes('hangup'));
  return {
    inviteIDs: invites.map((w) => String(w.envelope['inviteID'])),
    roomIDs: invites.map((w) => Number((JSON.parse(String(w.envelope['data'])) as JsonObject)['room_id'])),
  };
}

/** A message as compared: where it went, and its envelope and options with every JSON string parsed. */
export interface Comparable {
  readonly to: string;
  readonly conversationType: string;
  readonly priority: string;
  readonly envelope: JsonObject;
  readonly sendOptions: JsonObject;
}

const INVITE_ID = '<inviteID>';
const ROOM_ID = '<roomID>';

function parse(text: Json | undefined): Json {
  return typeof text === 'string' ? (JSON.parse(text) as Json) : (text ?? null);
}

/** Replaces the values of ID keys, at any depth. */
function withoutIDs(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutIDs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if (k === 'inviteID' || k === 'call_id') return [k, INVITE_ID];
      if (k === 'room_id' || k === 'str_room_id') return [k, ROOM_ID];
      return [k, withoutIDs(v)];
    }),
  );
}

/** The push info with its extension (and the content inside it) parsed. */
function pushOf(options: JsonObject): JsonObject {
  const push = options['offlinePushInfo'];
  if (push === undefined || push === null || typeof push !== 'object' || Array.isArray(push)) return options;
  const { extensionParsed: _dropped, ...rest } = push;
  const extension = parse(rest['extension']) as JsonObject;
  const entity = extension['entity'] as JsonObject;
  return {
    ...options,
    offlinePushInfo: { ...rest, extension: { ...extension, entity: { ...entity, content: parse(entity['content']) } } },
  };
}

/**
 * What is compared of a message: JSON strings parsed, invite and room IDs replaced by markers
 * (kept with `keepIDs`).
 */
export function comparable(
  message: { to: string; conversationType: unknown; priority: unknown; data: string; options: unknown },
  keepIDs = false,
): Comparable {
  const envelope = JSON.parse(message.data) as JsonObject;
  return (keepIDs ? (value: Json) => value : withoutIDs)({
    to: message.to,
    conversationType: String(message.conversationType),
    priority: String(message.priority),
    envelope: { ...envelope, data: parse(envelope['data']) },
    sendOptions: pushOf(message.options as JsonObject),
  } as unknown as JsonObject) as unknown as Comparable;
}

/** A recorded message in the same form. */
export function recorded(entry: WireEntry, keepIDs = false): Comparable {
  return comparable(
    {
      to: entry.groupID ?? entry.to ?? '',
      conversationType: entry.conversationType,
      priority: entry.priority,
      data: JSON.stringify(entry.envelope),
      options: entry.sendOptions,
    },
    keepIDs,
  );
}

/** Every message Tencent's client sent in every capture, with the capture's epoch. */
export function allWire(): { name: CaptureName; epoch: number; entry: WireEntry }[] {
  return CAPTURE_NAMES.flatMap((name) => {
    const capture = loadCapture(name);
    return capture.wire.map((entry) => ({ name, epoch: Date.parse(capture.epoch), entry }));
  });
}
