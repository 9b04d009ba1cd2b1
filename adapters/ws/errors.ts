/** How the server's typed refusals surface to the core: `ImPortError`s with Tencent IM's numbers. */
import { OTHER_DEVICE_IN_ROOM } from '../../machines/events';
import { ImPortError } from '../ImPort';
import type { ErrorCode } from './protocol';

/**
 * A call's room ID is in use by another call: TUICallEngine's "signaling send failed" (-1401),
 * as the call cannot be signalled with that room. `call()` rejects with it (reason `roomInUse`).
 */
export const ROOM_IN_USE = -1401;

/** Tencent IM error numbers where one means the same thing (10007: no permission); 65535 (unknown) otherwise. */
const IM_CODES: Partial<Record<ErrorCode, number>> = {
  userSigMissing: 70001,
  userSigExpired: 70001,
  userSigMalformed: 70003,
  userSigForged: 70009,
  userSigWrongUser: 70013,
  userSigWrongApp: 70014,
  notLoggedIn: 2024,
  sessionSuperseded: 2024,
  noSuchGroup: 10010,
  notGroupMember: 10010,
  groupExists: 10021,
  notInvited: 10007,
  notGroupOwner: 10007,
  roomInUse: ROOM_IN_USE,
  deviceInRoom: OTHER_DEVICE_IN_ROOM,
};

/** Not logged in (or logged out, or kicked out): as Tencent IM says it. */
export const NOT_LOGGED_IN = 2024;
/** The server cannot be reached or did not answer. */
export const NO_NETWORK = 2805;
/** Anything else. */
export const UNKNOWN = 65535;

/** An `ImPortError` that also carries the server's typed code, when the server refused. */
export class WsPortError extends ImPortError {
  constructor(
    code: number,
    message: string,
    /** The protocol's refusal code, when the server sent one. */
    readonly serverCode?: ErrorCode,
    /** `cause`: what failed below it (a 2805's socket error or close event, or the server's refusal of a login retried). */
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The error for a server refusal. */
export function fromServer(code: ErrorCode, message: string): WsPortError {
  return new WsPortError(IM_CODES[code] ?? UNKNOWN, `${message} (${code})`, code);
}

/**
 * What a refused login means for a connection: `fail`, the app's own login() failed (tell it, keep
 * nothing); `kicked`, coming back failed for good (another login took over, or the userSig expired
 * meanwhile); `drop`, drop the socket and go on as if it was lost: a node that cannot serve (a cluster
 * node without its store) before any session, while another is left to try, or a refusal under load
 * while coming back (tried again per policy).
 */
export function loginRefusal(code: ErrorCode, comingBack: boolean, nextNode: boolean): 'fail' | 'kicked' | 'drop' {
  if (!comingBack) return code === 'unavailable' && nextNode ? 'drop' : 'fail';
  return code === 'sessionSuperseded' || code.startsWith('userSig') ? 'kicked' : 'drop';
}
