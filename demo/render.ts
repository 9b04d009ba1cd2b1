/** Draws the page from the library's snapshot and the page's own state. */
import type { CallingSnapshot } from 'headless-calling';
import { act, options, state, ui } from './page';
import { $, names, show } from './ui/dom';
import { setIcon } from './ui/icons';

type Call = NonNullable<CallingSnapshot['call']>;

/** Which screen: signed out, home (ringing included: the dialog is over it), dialing, or the call. */
export type View = 'signedOut' | 'home' | 'dialing' | 'call';

export function render(): void {
  const s = state.calling?.getSnapshot();
  const online = s?.line === 'idle' || s?.line === 'busy';
  const call = s?.call ?? null;
  const view: View = !online ? 'signedOut' : state.dialPending || call?.state === 'dialing' ? 'dialing' : call && call.state !== 'ringing' ? 'call' : 'home';
  document.body.dataset.view = view;
  document.body.dataset.callState = call?.state ?? 'none';
  $('whoami').textContent = online && s?.userID ? s.userID : 'Not signed in';
  $('status').textContent = statusText(s);
  ui.people.render(state.presence, call !== null || state.dialPending);
  $<HTMLButtonElement>('call-btn').disabled = call !== null || state.dialPending;
  ui.dialing.update(call, state.presence, state.dialPending);
  if (ui.incoming.invitation && call?.state !== 'ringing') ui.incoming.close();
  show($('devices-btn'), view === 'home' && options.preview && $('devices').classList.contains('hidden'));
  if (!call) {
    if (ui.stage.hasSelf || ui.stage.remoteIDs.length) ui.stage.clear();
    state.selfShown = false;
    state.connectedSince = null;
    return;
  }
  if (call.state === 'inCall') state.connectedSince ??= performance.now();
  state.peers = call.role === 'caller' ? call.invitees.map((i) => i.userID) : [call.sponsor];
  const self = s?.userID;
  const calling = state.calling;
  if (!state.selfShown && call.state !== 'ringing' && calling && self) {
    state.selfShown = true;
    // `preview=0`: no self-view at all, not an empty tile.
    if (options.preview) act('startLocalView', () => calling.startLocalView({ userID: self, videoViewDomID: ui.stage.addSelf(self) }));
  }
  ui.stage.mark(null, 'video', call.local.camera);
  ui.stage.mark(null, 'audio', !call.local.micMuted);
  $('call-title').textContent = callTitle(call);
  controls(call, view);
}

function controls(call: Call, view: View): void {
  const camera = $('camera-btn');
  show(camera, call.callType !== 1);
  camera.classList.toggle('off', !call.local.camera);
  setIcon(camera, call.local.camera ? 'camera' : 'cameraOff');
  label(camera, call.local.camera ? 'Turn camera off' : 'Turn camera on');
  const mic = $('mic-btn');
  mic.classList.toggle('off', call.local.micMuted);
  setIcon(mic, call.local.micMuted ? 'micOff' : 'mic');
  label(mic, call.local.micMuted ? 'Unmute' : 'Mute');
  label($('hangup-btn'), view === 'dialing' ? 'Cancel the call' : 'Hang up');
}

function label(button: HTMLElement, text: string): void {
  button.title = text;
  button.setAttribute('aria-label', text);
}

function statusText(s: CallingSnapshot | undefined): string {
  if (!s || s.line === 'loggedOut') return 'Offline';
  if (s.line === 'loggingIn') return 'Signing in…';
  if (s.line === 'kickedOut') return state.kicked === 'multipleAccount' ? 'Signed in elsewhere' : 'Signed out by the server';
  return s.call ? (s.call.state === 'ringing' ? `${s.call.sponsor} is calling` : 'In a call') : 'Ready';
}

function callTitle(call: Call): string {
  const inRoom = call.participants.map((p) => p.userID);
  const others = call.role === 'caller' ? call.invitees.map((i) => i.userID) : [call.sponsor];
  switch (call.state) {
    case 'accepting':
      return 'Connecting…';
    case 'inCall':
      return inRoom.length ? `In call with ${names(inRoom)}` : `Waiting for ${names(others)}…`;
    case 'ending':
      return 'Ending…';
    default:
      return '';
  }
}
