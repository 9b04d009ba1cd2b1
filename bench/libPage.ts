/**
 * The library on a page as bare as the raw baseline's (bench/rawPage.ts), for `npm run bench:call`:
 * `TRTCCalling` over `webrtcBackend`, no UI but one `<video>` per remote user, so that the
 * comparison with raw WebRTC is the library's own cost (the demo pages also lay out and paint a
 * whole app). Opened at the embedded server's origin as `?user=alice` (signs in with the server's
 * demo signing); `&autoAccept=1` accepts every invitation, at once or, with `&acceptAfter=<ms>`,
 * after ringing that long. `benchLib.call(userID)` dials a video call, `benchLib.hangup()` ends it;
 * `benchLib.marks` holds `call`, `invited`, `accept`, `enter`, `frame`.
 */
import { webrtcBackend } from '../src/embedded';
import { EVENT, TRTCCalling } from '../src/index';

const params = new URLSearchParams(location.search);
const me = params.get('user') ?? 'alice';
const now = () => performance.timeOrigin + performance.now();
const marks: Record<string, number> = {};
let ends = 0;

async function open(): Promise<TRTCCalling> {
  const res = await fetch(`/usersig?userID=${encodeURIComponent(me)}`);
  const { sdkAppID, userSig } = (await res.json()) as { sdkAppID: number; userSig: string };
  const backend = webrtcBackend({ url: `ws://${location.host}/ws` });
  const calling = new TRTCCalling({ SDKAppID: sdkAppID, backend });
  const acceptAfter = Number(params.get('acceptAfter') ?? 0);
  const accept = (inviteID: string) => {
    marks.accept = now();
    void calling.accept({ inviteID });
  };
  calling.on(EVENT.INVITED, ({ inviteID }) => {
    marks.invited = now();
    if (params.get('autoAccept') !== '1') return;
    if (acceptAfter > 0) setTimeout(() => accept(inviteID), acceptAfter);
    else accept(inviteID);
  });
  calling.on(EVENT.USER_ENTER, ({ userID }) => {
    marks.enter = now();
    const box = document.createElement('div');
    box.id = `view-${userID}`;
    document.body.appendChild(box);
    void calling.startRemoteView({ userID, videoViewDomID: box.id }).then(() => {
      box.querySelector('video')?.requestVideoFrameCallback(() => {
        marks.frame ??= now();
      });
    });
  });
  calling.on(EVENT.USER_LEAVE, ({ userID }) => document.getElementById(`view-${userID}`)?.remove());
  calling.on(EVENT.CALL_END, () => {
    ends += 1;
    for (const box of document.querySelectorAll('div[id^="view-"]')) box.remove();
  });
  await calling.login({ userID: me, userSig });
  return calling;
}

const ready = open();
(globalThis as unknown as { benchLib: unknown }).benchLib = {
  ready: ready.then(() => undefined),
  marks,
  ends: () => ends,
  reset: () => {
    for (const key of Object.keys(marks)) delete marks[key];
  },
  call: async (userID: string) => {
    marks.call = now();
    await (await ready).call({ userID, type: 2 });
  },
  hangup: async () => (await ready).hangup(),
};
