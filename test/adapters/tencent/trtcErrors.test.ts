/**
 * TRTC's failures as `RoomPortError`s: the spec's code, and what TRTC or the browser said as the
 * error's `cause` (an app reads TRTC's own error there, as the public `CallingError.cause.cause`).
 */
import { describe, expect, it } from 'vitest';
import { RoomPortError } from '../../../adapters/RoomPort';
import { MEDIA_ERROR, deviceError, rtcError } from '../../../adapters/tencent/trtcErrors';
import { FakeRtcError } from '../../tencent/fakes/fakeClient';

const named = (name: string) => Object.assign(new Error(`${name}: the browser says no`), { name });

describe('trtcErrors', () => {
  it.each([
    ['permission refused', named('NotAllowedError'), 'both', MEDIA_ERROR.PERMISSION_DENIED],
    ['no camera', named('NotFoundError'), 'camera', MEDIA_ERROR.NO_CAMERA],
    ['no microphone (TRTC DEVICE_NOT_FOUND)', new FakeRtcError(0x1003, 'device not found'), 'microphone', MEDIA_ERROR.NO_MICROPHONE],
    ['anything else: TRTC\'s code', new FakeRtcError(0x4041, 'server timeout'), 'both', 0x4041],
  ] as const)('a capture failed (%s) -> its code, the original error its cause', (_, original, media, code) => {
    const error = deviceError(original, media);
    expect(error).toBeInstanceOf(RoomPortError);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(original);
  });

  it('any TRTC failure keeps TRTC\'s code and the error as its cause; a RoomPortError passes as it is', () => {
    const original = new FakeRtcError(0x4040, 'banned');
    expect(rtcError(original)).toMatchObject({ code: 0x4040, message: 'banned', cause: original });
    const ours = new RoomPortError(60004, 'no camera');
    expect(rtcError(ours)).toBe(ours);
  });
});
