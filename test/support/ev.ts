/**
 * Expected public events, by name, for whole-log assertions. IDs that differ between
 * backends (inviteID, roomID) match any value unless given.
 */
import { expect } from 'vitest';
import type { EndReason } from '../../src/index';

type Ev = { name: string; payload: unknown };
const e = (name: string, payload: unknown): Ev => ({ name, payload });

export const ev = {
  ready: () => e('sdkReady', {}),
  notReady: () => e('sdkNotReady', {}),
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
  error: (code: number) => e('onError', { code, msg: expect.any(String) }),
  /** A remote user arriving with audio, and video too for video calls. */
  arrives: (userID: string, video = true): Ev[] => [
    e('onUserEnter', { userID }),
    e('onUserAudioAvailable', { userID, isAudioAvailable: true }),
    ...(video ? [e('onUserVideoAvailable', { userID, isVideoAvailable: true })] : []),
  ],
};
