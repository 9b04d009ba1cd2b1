/**
 * The events of TUICallEngine 3.1.7 (`TUICallEvent`), with its payloads as its delegate builds
 * them (spec 4.2, and the runs here): the expected side of a TUICallEngine party's log. IDs the
 * engine makes up or copies (call IDs, room IDs) are matched by type.
 */
import { expect } from 'vitest';
import type { Ev } from './interopWorld';

const e = (name: string, payload: unknown): Ev => ({ name, payload });
type Role = 'inviter' | 'invitee';
type CallType = 1 | 2;

/** What the engine adds to most call events (`generateEventData`). */
const call = (role: Role, type: CallType, strRoomID = '') => ({ callID: expect.any(String), roomID: expect.any(Number), strRoomID, callRole: role, callMediaType: type });

export const te = {
  /** `onInvited` then `onCallReceived`: the two events of an incoming call. */
  invited: (sponsor: string, userIDList: string[], opts: { type?: CallType; groupID?: string; userData?: string } = {}): Ev[] => {
    const type = opts.type ?? 2;
    const received = { callerId: sponsor, callID: expect.any(String), calleeIdList: userIDList, groupID: opts.groupID ?? '', callMediaType: type, roomID: expect.any(Number), strRoomID: '', callRole: 'invitee', userData: opts.userData ?? '' };
    return [
      e('onInvited', {
        sponsor, userIDList, isFromGroup: opts.groupID !== undefined, inviteData: { version: 4, callType: type, roomID: expect.any(Number) }, inviteID: expect.any(String),
        ...received,
      }),
      e('onCallReceived', { ...received, userIDList }),
    ];
  },
  begin: (role: Role, type: CallType) => e('onCallBegin', call(role, type)),
  accepted: (userID: string) => e('onUserAccept', { userID }),
  rejected: (userID: string) => e('onReject', { userID }),
  busy: (userID: string) => e('onLineBusy', { userID }),
  noResp: (sponsor: string, userIDList: string[]) => e('onNoResp', { sponsor, userIDList }),
  enter: (userID: string) => e('onUserEnter', { userID }),
  leave: (userID: string) => e('onUserLeave', { userID }),
  audio: (userID: string, isAudioAvailable: boolean) => e('onUserAudioAvailable', { userID, isAudioAvailable }),
  video: (userID: string, isVideoAvailable: boolean) => e('onUserVideoAvailable', { userID, isVideoAvailable }),
  roster: (userIDList: string[]) => e('onGroupCallInviteeListUpdate', { userIDList }),
  /** `onCallingCancel` and its twin `onCallCanceled` (both emitted); `strRoomID` for a call in a string room. */
  cancelled: (userID: string, role: Role, type: CallType, reason: 'normal' | 'reject' | 'busyline' | 'timeout', strRoomID = ''): Ev[] => {
    const payload = { userID, ...call(role, type, strRoomID), reason };
    return [e('onCallingCancel', payload), e('onCallCanceled', payload)];
  },
  /** `onCallEnd`: `userID` is the local user; `totalTime` = `callEnd`, in seconds. */
  end: (userID: string, role: Role, type: CallType, totalTime: number) => {
    const { callID, roomID, strRoomID, callRole, callMediaType } = call(role, type);
    return e('onCallEnd', { callID, roomID, strRoomID, callMediaType, callRole, totalTime, userID, callEnd: totalTime });
  },
};
