/**
 * What the bench's clients put on the wire, built once per pair so that the hot loop only
 * appends a `rid`: the TSignaling invite, accept and hangup of a 1v1 video call, encoded by our
 * own codec (adapters/signalingCodec.ts) exactly as TRTCCalling sends them, inside `sendC2C`
 * frames with the key order of the real client (`encodeRequest`: the request's fields, then `rid`).
 *
 * {@link checkFrames} proves the shortcut against the protocol's schemas before any load: a
 * frame built here parses to the frame the real client would send, so a change of the protocol
 * stops the bench instead of measuring refusals.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { WireSignal } from '../../machines/types';
import { encodeSignal } from '../../adapters/signalingCodec';
import { ClientFrameSchema, PROTOCOL_VERSION, parseClientFrame, type ClientFrameOf } from '../../adapters/ws/protocol';
import { callMetaOf } from '../../adapters/ws/WsImPort';

/** Distinct calls per pair, used in turn: consecutive setups never repeat an inviteID. */
export const CALLS_PER_PAIR = 4;

/** The three signals of one call, as payload strings and as `sendC2C` frames waiting for a `rid`. */
export interface CallFrames {
  readonly invite: string;
  readonly accept: string;
  readonly hangup: string;
  /** `sendC2C` frame text without its final `rid` value and `}`. */
  readonly invitePrefix: string;
  readonly acceptPrefix: string;
  readonly hangupPrefix: string;
}

/** Caller and callee IDs of pair `i` (TRTCCalling user IDs: 1-32 of A-Z a-z 0-9 - _). */
export const callerID = (i: number): string => `bench-caller-${String(i).padStart(6, '0')}`;
export const calleeID = (i: number): string => `bench-callee-${String(i).padStart(6, '0')}`;

/** A `sendC2C` frame as the real client encodes it, minus the `rid` value. */
function prefix(to: string, payload: string, call?: ClientFrameOf<'sendC2C'>['call']): string {
  const request: Omit<ClientFrameOf<'sendC2C'>, 'rid'> = { type: 'sendC2C', to, payload, onlineUserOnly: false, ...(call ? { call } : {}) };
  return `${JSON.stringify(request).slice(0, -1)},"rid":`;
}

/** One 1v1 video call between `caller` and `callee`: TRTCCalling's invite (30 s), accept and the caller's hangup. */
export function callFrames(caller: string, callee: string): CallFrames {
  const base = { inviteID: randomUUID(), inviter: caller, groupID: '', callType: 2 } as const;
  const roomID = 1 + Math.floor(Math.random() * 4_294_967_294);
  const signals: Record<'invite' | 'accept' | 'hangup', WireSignal> = {
    invite: { kind: 'invite', ...base, invitees: [callee], roomID, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false },
    accept: { kind: 'accept', ...base, invitee: callee },
    hangup: { kind: 'hangup', ...base, invitees: [callee], callEnd: 1 },
  };
  const invite = encodeSignal(signals.invite);
  const accept = encodeSignal(signals.accept);
  const hangup = encodeSignal(signals.hangup);
  return {
    invite,
    accept,
    hangup,
    // With its room, invitees and ring time beside it, as WsImPort sends an invitation: the server grants the room.
    invitePrefix: prefix(callee, invite, callMetaOf(invite, caller)),
    acceptPrefix: prefix(caller, accept),
    hangupPrefix: prefix(callee, hangup),
  };
}

/** The `login` frame of the real client (adapters/ws/WsConnection.ts `sendLogin`). */
export function loginFrame(rid: number, userID: string, userSig: string): string {
  const frame: ClientFrameOf<'login'> = { type: 'login', rid, userID, userSig, protocol: PROTOCOL_VERSION };
  return JSON.stringify(frame);
}

/** The keepalive `ping`. */
export function pingFrame(rid: number): string {
  const frame: ClientFrameOf<'ping'> = { type: 'ping', rid };
  return JSON.stringify(frame);
}

/** The cumulative receipt (adapters/ws/inbox.ts). */
export function receiptFrame(upTo: number): string {
  const frame: ClientFrameOf<'received'> = { type: 'received', upTo };
  return JSON.stringify(frame);
}

/** Throws unless every kind of frame the bench sends is one the protocol accepts, as the real client builds it. */
export function checkFrames(): void {
  const call = callFrames(callerID(0), calleeID(0));
  const samples: [string, unknown][] = [
    [`${call.invitePrefix}7}`, { type: 'sendC2C', to: calleeID(0), payload: call.invite, onlineUserOnly: false, call: callMetaOf(call.invite, callerID(0)), rid: 7 }],
    [`${call.acceptPrefix}8}`, { type: 'sendC2C', to: callerID(0), payload: call.accept, onlineUserOnly: false, rid: 8 }],
    [`${call.hangupPrefix}9}`, { type: 'sendC2C', to: calleeID(0), payload: call.hangup, onlineUserOnly: false, rid: 9 }],
    [loginFrame(1, callerID(0), 'sig'), { type: 'login', rid: 1, userID: callerID(0), userSig: 'sig', protocol: PROTOCOL_VERSION }],
    [pingFrame(2), { type: 'ping', rid: 2 }],
    [receiptFrame(3), { type: 'received', upTo: 3 }],
    [`{"received":4,${call.acceptPrefix.slice(1)}10}`, { type: 'sendC2C', received: 4, to: callerID(0), payload: call.accept, onlineUserOnly: false, rid: 10 }],
  ];
  for (const [text, expected] of samples) {
    const read = parseClientFrame(text);
    if (!read.ok) throw new Error(`the bench builds a frame the protocol refuses (${read.code}: ${read.message}): ${text.slice(0, 120)}`);
    const canonical = v.parse(ClientFrameSchema, expected);
    if (JSON.stringify(read.frame) !== JSON.stringify(canonical)) {
      throw new Error(`the bench's frame differs from the real client's: ${JSON.stringify(read.frame).slice(0, 200)}`);
    }
  }
}
