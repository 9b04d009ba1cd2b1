/** What the page does with each TRTCCalling event (all of them also go to the event log). */
import TRTCCalling from 'headless-calling';
import { act, actions, connection, marks, now, options, state, ui } from './page';
import { render } from './render';
import { $, show } from './ui/dom';
import { describeError, kickedInWords } from './ui/words';

const EVENT = TRTCCalling.EVENT;

/** The connection to the server changed (`connected`, `connecting` while it comes back, `disconnected`). */
export function onConnection(s: string): void {
  connection.push(s);
  const badge = $('connection');
  badge.dataset.state = s;
  badge.textContent = s === 'connected' ? 'Online' : s === 'connecting' ? 'Reconnecting…' : 'Offline';
  show($('reconnecting'), s === 'connecting');
}

export function onEvent(name: string, payload: unknown): void {
  ui.log.add(name, payload);
  const c = state.calling;
  if (!c) return;
  const p = payload as Record<string, unknown>;
  const userID = typeof p.userID === 'string' ? p.userID : '';
  const { outcome, incoming, stage } = ui;
  switch (name) {
    case EVENT.INVITED: {
      marks.invited = now();
      // A new call: the last one's words go (a missed call would read after them).
      outcome.clear();
      const callType = (p.inviteData as { callType?: number } | undefined)?.callType ?? 2;
      const invitation = { inviteID: String(p.inviteID), sponsor: String(p.sponsor), callType, userIDList: (p.userIDList as string[] | undefined) ?? [], isFromGroup: p.isFromGroup === true };
      return options.autoAccept ? actions.accept(invitation) : incoming.ring(invitation);
    }
    case EVENT.USER_ENTER: {
      marks[`enter:${userID}`] = now();
      const viewID = stage.addRemote(userID, c.getSnapshot().call?.callType === 1);
      act('startRemoteView', async () => {
        await c.startRemoteView({ userID, videoViewDomID: viewID });
        watchFirstFrame(userID, viewID);
      });
      return render();
    }
    case EVENT.USER_LEAVE:
      state.leftLast = userID;
      stage.removeRemote(userID);
      return render();
    case EVENT.USER_VIDEO_AVAILABLE:
      return stage.mark(userID, 'video', p.isVideoAvailable === true);
    case EVENT.USER_AUDIO_AVAILABLE:
      return stage.mark(userID, 'audio', p.isAudioAvailable === true);
    case EVENT.REJECT:
      return outcome.note(`${userID} declined`);
    case EVENT.LINE_BUSY:
      return outcome.note(`${userID} is busy in another call`);
    case EVENT.NO_RESP:
      return outcome.note(`${userID || 'Nobody'} did not answer`);
    case EVENT.CALLING_CANCEL:
      incoming.close();
      return outcome.note(`Missed call: ${String(p.sponsor)} hung up before you answered`);
    case EVENT.CALLING_TIMEOUT:
      incoming.close();
      return outcome.note(`Missed call from ${String(p.sponsor)}`);
    case EVENT.CALL_END:
      incoming.close();
      return outcome.ended({ reason: String(p.reason), callEnd: Number(p.callEnd) || 0, byMe: state.byMe, kicked: state.kicked, leftLast: state.leftLast ?? (state.peers.length === 1 ? (state.peers[0] ?? null) : null) });
    case EVENT.KICKED_OUT: {
      incoming.close();
      const reason = String(p.reason);
      state.kicked = reason;
      // The server refused this page's userSig (expired; or `npm start` restarted, whose throwaway demo key is
      // new each time): the page took it from /usersig, so it takes a fresh one, as an app refreshes its userSig.
      if (reason.startsWith('userSig') && state.userID && state.autoSignIns < 3) return actions.signInAgain(state.userID);
      $('login-error').textContent = kickedInWords(reason);
      return show($('login-error'), true);
    }
    case EVENT.ERROR: {
      // The rejected call() or accept() says it too; where it shows depends on what failed.
      const text = describeError({ code: p.code, msg: p.msg });
      return incoming.invitation ? incoming.failed(text) : outcome.error(text);
    }
  }
}

/** Marks the first video frame shown for `userID` (the benchmark's end point). */
function watchFirstFrame(userID: string, viewID: string): void {
  const video = document.getElementById(viewID)?.querySelector('video');
  if (!video || !('requestVideoFrameCallback' in video)) return;
  video.requestVideoFrameCallback(() => {
    marks[`frame:${userID}`] ??= now();
  });
}
