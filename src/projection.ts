/**
 * The projection: a pure function from a machine notice to the public event it means
 * (or none, for the facade's own bookkeeping notices).
 */
import type { Notice } from '../machines/events';
import { EVENT, type PublicEvent } from './events';

/**
 * A list as a payload carries it: a copy, so that a listener that edits the array it was handed (sorts it, empties
 * it once rendered) changes nothing inside, as with `getSnapshot()` (the notice's list is the call's own).
 */
const listOf = (list: readonly string[]): string[] => [...list];

/** The `version` TRTCCalling puts in `inviteData`. */
const PROTOCOL_VERSION = 4;

export function project(notice: Notice): PublicEvent | null {
  switch (notice.type) {
    case 'command.settled':
      return null;
    case 'line.ready':
      return { name: EVENT.SDK_READY, payload: { name: 'ts_im_ready' } }; // trtc-calling-js's: TSignaling's event, as it hands it on
    case 'line.notReady':
      return { name: EVENT.SDK_NOT_READY, payload: { name: 'ts_im_not_ready' } }; // TSignaling's event, as SDK_READY's
    case 'line.kickedOut':
      return { name: EVENT.KICKED_OUT, payload: { reason: notice.reason } };
    case 'call.invited':
      return {
        name: EVENT.INVITED,
        payload: {
          sponsor: notice.sponsor,
          userIDList: listOf(notice.userIDList),
          isFromGroup: notice.isFromGroup,
          inviteData: { version: PROTOCOL_VERSION, callType: notice.callType, roomID: notice.roomID },
          inviteID: notice.inviteID,
        },
      };
    case 'call.accepted':
      return { name: EVENT.USER_ACCEPT, payload: { userID: notice.userID } };
    case 'call.rejected':
      return { name: EVENT.REJECT, payload: { userID: notice.userID } };
    case 'call.busy':
      return { name: EVENT.LINE_BUSY, payload: { userID: notice.userID, sponsor: notice.sponsor } };
    case 'call.noResponse':
      return {
        name: EVENT.NO_RESP,
        payload: { userID: notice.userID, userIDList: listOf(notice.userIDList), sponsor: notice.sponsor },
      };
    case 'call.cancelled':
      return { name: EVENT.CALLING_CANCEL, payload: { inviteID: notice.inviteID, sponsor: notice.sponsor } };
    case 'call.timedOut':
      return {
        name: EVENT.CALLING_TIMEOUT,
        payload: { inviteID: notice.inviteID, sponsor: notice.sponsor, userIDList: listOf(notice.userIDList) },
      };
    case 'call.userEntered':
      return { name: EVENT.USER_ENTER, payload: { userID: notice.userID } };
    case 'call.userLeft':
      return { name: EVENT.USER_LEAVE, payload: { userID: notice.userID } };
    case 'call.remoteVideo':
      return { name: EVENT.USER_VIDEO_AVAILABLE, payload: { userID: notice.userID, isVideoAvailable: notice.available } };
    case 'call.remoteAudio':
      return { name: EVENT.USER_AUDIO_AVAILABLE, payload: { userID: notice.userID, isAudioAvailable: notice.available } };
    case 'call.typeChanged':
      return { name: EVENT.CALL_TYPE_CHANGED, payload: { oldCallType: notice.oldCallType, newCallType: notice.newCallType } };
    case 'call.roster':
      return { name: EVENT.GROUP_CALL_INVITEE_LIST_UPDATE, payload: { userIDList: listOf(notice.userIDList) } };
    case 'call.ended':
      return {
        name: EVENT.CALL_END,
        payload: { inviteID: notice.inviteID, userID: notice.sponsor, callEnd: notice.callEnd, reason: notice.reason },
      };
    case 'error': {
      // The backend's error, where one failed, as `cause` (none for the core's own faults).
      const { code, message: msg, cause } = notice;
      return { name: EVENT.ERROR, payload: cause === undefined ? { code, msg } : { code, msg, cause } };
    }
  }
}
