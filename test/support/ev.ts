/**
 * Expected public events, by name, for whole-log assertions. IDs that differ between
 * backends (inviteID, roomID) match any value unless given.
 */
import { expect } from 'vitest';
import type { EndReason } from '../../src/index';

type Ev = { name: string; payload: unknown };
const e = (name: string, payload: unknown): Ev => ({ name, payload });

/** An ERROR payload `{ code, msg }`, with or without the `cause` a backend's error adds, and nothing else. */
function errorPayload(code: number) {
  const fields = expect.objectContaining({ code, msg: expect.any(String) });
  return {
    asymmetricMatch: (actual: unknown) =>
      fields.asymmetricMatch(actual) && Object.keys(actual as object).every((key) => key === 'code' || key === 'msg' || key === 'cause'),
    toString: () => 'ErrorPayload',
    toAsymmetricMatcher: () => `ErrorPayload { code: ${String(code)}, msg: any String, cause?: any }`,
  };
}

export const ev = {
  ready: () => e('sdkReady', { name: 'ts_im_ready' }),
  notReady: () => e('sdkNotReady', { name: 'ts_im_not_ready' }),
  invited: (sponsor: string, userIDList: string[], opts: { isFromGroup?: boolean; callType?: 1 | 2; inviteID?: string } = {}) =>
    e('onInvited', {
      sponsor,
      userIDList,
      isFromGroup: opts.isFromGroup ?? false,
      inviteData: { version: 4, callType: opts.callType ?? 2, roomID: expect.any(Number) },
      inviteID: opts.inviteID ?? expect.any(String),
    }),
  accepted: (userID: string) => e('onUserAccept', { userID }),
  rejected: (userID: string) => e('onReject', { userID }),
  busy: (userID: string, sponsor: string) => e('onLineBusy', { userID, sponsor }),
  noResp: (userID: string, sponsor: string, userIDList = [userID]) => e('onNoResp', { userID, userIDList, sponsor }),
  cancelled: (sponsor: string) => e('onCallingCancel', { inviteID: expect.any(String), sponsor }),
  timedOut: (sponsor: string, userIDList: string[]) =>
    e('onCallingTimeout', { inviteID: expect.any(String), sponsor, userIDList }),
  enter: (userID: string) => e('onUserEnter', { userID }),
  leave: (userID: string) => e('onUserLeave', { userID }),
  video: (userID: string, isVideoAvailable: boolean) => e('onUserVideoAvailable', { userID, isVideoAvailable }),
  audio: (userID: string, isAudioAvailable: boolean) => e('onUserAudioAvailable', { userID, isAudioAvailable }),
  roster: (userIDList: string[]) => e('onGroupCallInviteeListUpdate', { userIDList }),
  end: (sponsor: string, reason: EndReason, callEnd: number | unknown = expect.any(Number)) =>
    e('onCallEnd', { inviteID: expect.any(String), userID: sponsor, callEnd, reason }),
  kicked: (reason = expect.any(String)) => e('onKickedOut', { reason }),
  /** ERROR `code`; with `cause`, the backend's error it carries (`toEqual`: that object); without, any cause or none. */
  error: (code: number, cause?: unknown) => e('onError', cause === undefined ? errorPayload(code) : { code, msg: expect.any(String), cause }),
  /** A remote user arriving with audio, and video too for video calls. */
  arrives: (userID: string, video = true): Ev[] => [
    e('onUserEnter', { userID }),
    e('onUserAudioAvailable', { userID, isAudioAvailable: true }),
    ...(video ? [e('onUserVideoAvailable', { userID, isVideoAvailable: true })] : []),
  ],
};
