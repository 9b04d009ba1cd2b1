/**
 * TRTC failures as {@link RoomPortError}s with the spec's codes (spec/wire-protocol.md 3.4):
 * 60003 no microphone, 60004 no camera, 60005 permission denied, 60006 no WebRTC; anything else
 * keeps TRTC's own error code (`RtcError.getCode()`), or 65535 when it has none.
 */
import * as v from 'valibot';
import type { ErrorCode } from 'trtc-js-sdk';
import { RoomPortError } from '../RoomPort';

/** TRTCCalling's media error codes (spec 3.4). */
export const MEDIA_ERROR = {
  NO_MICROPHONE: 60003,
  NO_CAMERA: 60004,
  PERMISSION_DENIED: 60005,
  NOT_SUPPORTED: 60006,
  UNKNOWN: 65535,
} as const;

/** The TRTC v4 error codes the room port reads (trtc-js-sdk `ErrorCode`). */
export const TRTC_ERROR = {
  DEVICE_NOT_FOUND: 0x1003 satisfies ErrorCode['DEVICE_NOT_FOUND'],
  REMOTE_STREAM_NOT_EXIST: 0x4010 satisfies ErrorCode['REMOTE_STREAM_NOT_EXIST'],
  CLIENT_BANNED: 0x4040 satisfies ErrorCode['CLIENT_BANNED'],
} as const;

/** `getUserMedia` error names (what `LocalStream.initialize()` rejects with). */
const DENIED = ['NotAllowedError', 'PermissionDeniedError', 'SecurityError'];
const NOT_FOUND = ['NotFoundError', 'DevicesNotFoundError', 'OverconstrainedError'];

const NamedSchema = v.object({ name: v.string() });
const RtcErrorSchema = v.object({ getCode: v.function() });

/** TRTC's own code for an error (`RtcError.getCode()`), if it has one. */
export function rtcCode(error: unknown): number | undefined {
  // `v.is` narrows the error itself: `getCode` must be called on it, not on a parsed copy.
  if (!v.is(RtcErrorSchema, error)) return undefined;
  const code: unknown = error.getCode();
  return typeof code === 'number' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Any TRTC failure, keeping TRTC's code. */
export function rtcError(error: unknown): RoomPortError {
  if (error instanceof RoomPortError) return error;
  return new RoomPortError(rtcCode(error) ?? MEDIA_ERROR.UNKNOWN, messageOf(error), undefined, { cause: error });
}

/**
 * A failure to capture `media`: permission refused is 60005; a missing device is 60003 for the
 * microphone (or both) and 60004 for the camera alone; anything else keeps TRTC's code.
 */
export function deviceError(error: unknown, media: 'microphone' | 'camera' | 'both'): RoomPortError {
  if (error instanceof RoomPortError) return error;
  const named = v.safeParse(NamedSchema, error);
  const name = named.success ? named.output.name : '';
  const cause = { cause: error };
  if (DENIED.includes(name)) return new RoomPortError(MEDIA_ERROR.PERMISSION_DENIED, `media permission denied: ${messageOf(error)}`, undefined, cause);
  if (NOT_FOUND.includes(name) || rtcCode(error) === TRTC_ERROR.DEVICE_NOT_FOUND) {
    return media === 'camera'
      ? new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'no camera', undefined, cause)
      : new RoomPortError(MEDIA_ERROR.NO_MICROPHONE, 'no microphone', undefined, cause);
  }
  return rtcError(error);
}
