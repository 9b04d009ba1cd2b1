/**
 * What travels between the nodes of a cluster, read defensively (a malformed frame or stream
 * entry is dropped, never trusted), and the peek at a login frame the login gate needs.
 */
import * as v from 'valibot';
import { UserIDSchema } from '../../adapters/ws/protocol';
import type { Body } from '../store';
import { type UserSigKey, verifyUserSig } from '../userSig';
import type { RoomEvent } from './rooms';

/** A stored copy as it travels through a stream. */
export type Travelling = Omit<Body, 'id'>;

/** What a login frame says, read before the frame is handled. */
export interface LoginPeek {
  readonly rid: number;
  readonly userID: string;
  readonly resume: string | undefined;
  /** Its userSig's verified content ({@link verifyUserSig}'s `key`). */
  readonly digest: string;
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

/** Orders two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export function parseTravelling(text: string | undefined): Travelling | null {
  const m = parseJson(text);
  return isTravelling(m) ? m : null;
}

/**
 * True when `m` has the fields of a stored copy (an entry from before `call` travelled gets it,
 * null: no room told for it).
 */
export function isTravelling(x: unknown): x is Travelling {
  const m = x as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || typeof m.msgID !== 'string' || typeof m.from !== 'string' || typeof m.payload !== 'string') return false;
  if (typeof m.sentAt !== 'number' || typeof m.expiresAt !== 'number' || !(m.groupID === null || typeof m.groupID === 'string')) return false;
  m.call ??= null;
  const call = m.call as Record<string, unknown> | null;
  return call === null || (typeof call === 'object' && typeof call.inviteID === 'string' && typeof call.roomID === 'number');
}

export function isRoomEvent(m: Record<string, unknown>): m is RoomEvent & Record<string, unknown> {
  return (
    typeof m.node === 'string' &&
    (m.ev === 'enter' || m.ev === 'leave' || m.ev === 'state') &&
    typeof m.roomID === 'number' &&
    typeof m.userID === 'string' &&
    typeof m.audio === 'boolean' &&
    typeof m.video === 'boolean'
  );
}

/**
 * The login in a raw frame, if it is one the hub may take: a userID the protocol takes and a userSig
 * that verifies. Anything else (another frame, or a login the hub will refuse) is the dispatcher's to
 * judge, and never reaches Redis: before a login succeeds, nothing a connection sends may.
 */
export function peekLogin(data: Buffer, key: UserSigKey, now: number): LoginPeek | null {
  if (data.length > 16_384) return null;
  const f = parseJson(data.toString('utf8')) as Record<string, unknown> | null;
  if (!f || f.type !== 'login' || !v.is(UserIDSchema, f.userID) || typeof f.userSig !== 'string' || typeof f.rid !== 'number') return null;
  const verdict = verifyUserSig(key, f.userID, f.userSig, now);
  if (!verdict.ok) return null;
  return { rid: f.rid, userID: f.userID, resume: typeof f.resume === 'string' ? f.resume : undefined, digest: verdict.key };
}

/** Orders replicated changes by their version. */
export function compareVersions(a: { readonly v?: number }, b: { readonly v?: number }): number {
  return (a.v ?? 0) - (b.v ?? 0);
}
