/**
 * The demo page: one TRTCCalling over the embedded backend with WebRTC media, built around the
 * call (who is online, ringing, the call itself, how it ended), with the live statecharts and
 * the event log in a developer drawer. It imports only the package's public entry points, so it
 * doubles as the integration example.
 *
 * Query parameters (tests and the benchmark): `?user=alice` signs in at once, `&autoAccept=1`
 * accepts every invitation as it rings, `&preview=0` shows no self-view and skips the device
 * check, `&ws=URL` picks another server.
 */
import TRTCCalling, { type CallingSnapshot } from 'headless-calling';
import { type PresenceView, webrtcBackend } from 'headless-calling/embedded';
import { EventLog, type LogEntry } from './log';
import { StatechartPanel } from './statechart/panel';
import { DeviceCheck } from './ui/devices';
import { DialingPanel } from './ui/dialing';
import { $, clockText, names, show } from './ui/dom';
import { Drawer } from './ui/drawer';
import { setIcon } from './ui/icons';
import { IncomingCall, type Invitation } from './ui/incoming';
import { Outcome } from './ui/outcome';
import { PeopleList } from './ui/people';
import { Ringtone } from './ui/ringtone';
import { Stage } from './ui/stage';
import { codeOf, describeError } from './ui/words';

const params = new URLSearchParams(location.search);
const autoAccept = params.get('autoAccept') === '1';
const preview = params.get('preview') !== '0';
const EVENT = TRTCCalling.EVENT;

const log = new EventLog($<HTMLOListElement>('event-log'), $('log-count'));
const charts = new StatechartPanel($('pane-charts'));
new Drawer();
const ringtone = new Ringtone();
const outcome = new Outcome();
const stage = new Stage();
const dialing = new DialingPanel();
const devices = new DeviceCheck($('devices'), () => closeDevices());
const people = new PeopleList((userID, type) => dial([userID], type));
const incoming = new IncomingCall(ringtone, { accept, reject });

let calling: TRTCCalling | null = null;
let presence: PresenceView = { state: 'idle', online: [] };
/** call() runs but the call has not begun (its devices are being captured). */
let dialPending = false;
/** Per call: did this user hang up, who left last, since when it is connected. */
let byMe = false;
let leftLast: string | null = null;
let connectedSince: number | null = null;
let selfShown = false;
let devicesChecked = !preview;

/** Wall-clock marks (ms, `performance.timeOrigin` based) for the benchmark: `call`, `invited`, `enter:<userID>`, `frame:<userID>`. */
const marks: Record<string, number> = {};
const now = () => performance.timeOrigin + performance.now();
/** Every connection state the page saw, in order (tests). */
const connection: string[] = [];

/** What tests and the benchmark read from the page. */
const hcDemo = { events: log.entries as readonly LogEntry[], marks, connection, calling: () => calling, presence: () => presence, outcome: () => outcome.text };
(globalThis as unknown as { hcDemo: typeof hcDemo }).hcDemo = hcDemo;

/** Runs an API call; a rejection is logged and said in plain words (`onError`, else the error banner). */
function act(name: string, run: () => Promise<unknown>, onError: (text: string) => void = (text) => outcome.error(text)): void {
  run().catch((error: unknown) => {
    log.add(`${name}() rejected`, { code: codeOf(error), message: error instanceof Error ? error.message : String(error) }, 'error');
    onError(describeError(error));
  });
}

async function login(userID: string): Promise<void> {
  ringtone.unlock(); // a user gesture: later rings may play
  $('login-error').classList.add('hidden');
  const res = await fetch(`/usersig?userID=${encodeURIComponent(userID)}`);
  if (!res.ok) throw new Error(`the server refused to sign in ${userID} (${res.status})`);
  const { sdkAppID, userSig } = (await res.json()) as { sdkAppID: number; userSig: string };
  calling?.destroy();
  charts.reset();
  const url = params.get('ws') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const b = webrtcBackend({ url, environment: devices.environment() });
  const c = new TRTCCalling({ SDKAppID: sdkAppID, backend: b, inspect: (event) => charts.inspect(event) });
  calling = c;
  for (const name of new Set(Object.values(EVENT))) c.on(name, (payload: unknown) => onEvent(name, payload));
  c.subscribe(render);
  b.im.onConnectionChange(onConnection);
  b.presence.subscribe((view) => {
    presence = view;
    render();
  });
  await c.login({ userID, userSig });
  render();
  if (!devicesChecked) openDevices();
}

function onConnection(state: string): void {
  connection.push(state);
  const badge = $('connection');
  badge.dataset.state = state;
  badge.textContent = state === 'connected' ? 'Online' : state === 'connecting' ? 'Reconnecting…' : 'Offline';
  show($('reconnecting'), state === 'connecting');
}

function onEvent(name: string, payload: unknown): void {
  log.add(name, payload);
  const c = calling;
  if (!c) return;
  const p = payload as Record<string, unknown>;
  const userID = typeof p.userID === 'string' ? p.userID : '';
  switch (name) {
    case EVENT.INVITED: {
      marks.invited = now();
      const inviteID = String(p.inviteID);
      if (autoAccept) return act('accept', () => c.accept({ inviteID }));
      const callType = (p.inviteData as { callType?: number } | undefined)?.callType ?? 2;
      return incoming.ring({ inviteID, sponsor: String(p.sponsor), callType, userIDList: (p.userIDList as string[] | undefined) ?? [], isFromGroup: p.isFromGroup === true });
    }
    case EVENT.USER_ENTER: {
      marks[`enter:${userID}`] = now();
      const viewID = stage.addRemote(userID);
      act('startRemoteView', async () => {
        await c.startRemoteView({ userID, videoViewDomID: viewID });
        watchFirstFrame(userID, viewID);
      });
      return render();
    }
    case EVENT.USER_LEAVE:
      leftLast = userID;
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
      return outcome.ended({ reason: String(p.reason), callEnd: Number(p.callEnd) || 0, byMe, leftLast });
    case EVENT.KICKED_OUT:
      incoming.close();
      $('login-error').textContent = 'You signed in somewhere else, so this tab was signed out.';
      return show($('login-error'), true);
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

/** A new call of this user's: the last one's words and marks go. */
function newCall(): void {
  devices.close();
  show($('devices'), false);
  outcome.clear();
  byMe = false;
  leftLast = null;
}

function dial(userIDs: readonly string[], type: 1 | 2): void {
  const c = calling;
  if (!c || userIDs.length === 0) return;
  const timeout = Math.max(0, Number($<HTMLInputElement>('timeout').value || 30));
  newCall();
  for (const key of Object.keys(marks)) delete marks[key];
  marks.call = now();
  dialPending = true;
  dialing.start(userIDs, timeout, presence);
  render();
  const [one] = userIDs;
  const run = userIDs.length === 1 && one !== undefined ? () => c.call({ userID: one, type, timeout }) : () => c.groupCall({ userIDList: [...userIDs], type, timeout });
  act(userIDs.length === 1 ? 'call' : 'groupCall', () =>
    run().finally(() => {
      dialPending = false;
      render();
    }),
  );
}

function accept(invitation: Invitation): void {
  const c = calling;
  if (!c) return;
  newCall();
  incoming.quiet();
  act('accept', () => c.accept({ inviteID: invitation.inviteID }), (text) => incoming.failed(text));
}

function reject(invitation: Invitation): void {
  const c = calling;
  if (!c) return;
  outcome.clear();
  outcome.note(`You declined ${invitation.sponsor}'s call`);
  act('reject', () => c.reject({ inviteID: invitation.inviteID }));
}

function openDevices(): void {
  show($('devices'), true);
  show($('devices-btn'), false);
  void devices.open();
}

function closeDevices(): void {
  devicesChecked = true;
  devices.close();
  show($('devices'), false);
  render();
}

function render(): void {
  const s: CallingSnapshot | undefined = calling?.getSnapshot();
  const online = s?.line === 'idle' || s?.line === 'busy';
  const call = s?.call ?? null;
  const view = !online ? 'signedOut' : dialPending || call?.state === 'dialing' ? 'dialing' : call && call.state !== 'ringing' ? 'call' : 'home';
  document.body.dataset.view = view;
  document.body.dataset.callState = call?.state ?? 'none';
  $('whoami').textContent = online && s?.userID ? s.userID : 'Not signed in';
  $('status').textContent = statusText(s);
  people.render(presence, call !== null || dialPending);
  $<HTMLButtonElement>('call-btn').disabled = call !== null || dialPending;
  dialing.update(call, presence, dialPending);
  if (incoming.invitation && call?.state !== 'ringing') incoming.close();
  show($('devices-btn'), view === 'home' && !devices.isOpen && preview && $('devices').classList.contains('hidden'));
  if (!call) {
    if (stage.hasSelf || stage.remoteIDs.length) stage.clear();
    selfShown = false;
    connectedSince = null;
    return;
  }
  if (call.state === 'inCall') connectedSince ??= performance.now();
  if (!selfShown && call.state !== 'ringing' && calling && s?.userID) {
    selfShown = true;
    const viewID = stage.addSelf(s.userID);
    const c = calling;
    if (preview) act('startLocalView', () => c.startLocalView({ userID: s.userID ?? '', videoViewDomID: viewID }));
  }
  stage.mark(null, 'video', call.local.camera);
  stage.mark(null, 'audio', !call.local.micMuted);
  $('call-title').textContent = callTitle(call);
  const camera = $('camera-btn');
  show(camera, call.callType !== 1);
  camera.classList.toggle('off', !call.local.camera);
  setIcon(camera, call.local.camera ? 'camera' : 'cameraOff');
  camera.title = call.local.camera ? 'Turn camera off' : 'Turn camera on';
  const mic = $('mic-btn');
  mic.classList.toggle('off', call.local.micMuted);
  setIcon(mic, call.local.micMuted ? 'micOff' : 'mic');
  mic.title = call.local.micMuted ? 'Unmute' : 'Mute';
  const hangup = $('hangup-btn');
  hangup.title = view === 'dialing' ? 'Cancel the call' : 'Hang up';
  hangup.setAttribute('aria-label', hangup.title);
}

function statusText(s: CallingSnapshot | undefined): string {
  if (!s || s.line === 'loggedOut') return 'Offline';
  if (s.line === 'loggingIn') return 'Signing in…';
  if (s.line === 'kickedOut') return 'Signed in elsewhere';
  return s.call ? (s.call.state === 'ringing' ? `${s.call.sponsor} is calling` : 'In a call') : 'Ready';
}

function callTitle(call: NonNullable<CallingSnapshot['call']>): string {
  const with_ = call.participants.map((p) => p.userID);
  const others = call.role === 'caller' ? call.invitees.map((i) => i.userID) : [call.sponsor];
  switch (call.state) {
    case 'accepting':
      return 'Connecting…';
    case 'inCall':
      return with_.length ? `In call with ${names(with_)}` : `Waiting for ${names(others)}…`;
    case 'ending':
      return 'Ending…';
    default:
      return '';
  }
}

setInterval(() => {
  $('call-timer').textContent = connectedSince === null ? '' : clockText(performance.now() - connectedSince);
}, 500);

// ---------------------------------------------------------------------------------------------

setIcon($('hangup-btn'), 'hangup');
setIcon($('logout-btn'), 'logout');
$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const userID = $<HTMLInputElement>('login-user').value.trim();
  act('login', () => login(userID), (text) => {
    $('login-error').textContent = text;
    show($('login-error'), true);
  });
});
$('dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const ids = $<HTMLInputElement>('callee').value.split(',').map((x) => x.trim()).filter(Boolean);
  dial(ids, Number($<HTMLSelectElement>('call-type').value) === 1 ? 1 : 2);
});
$('hangup-btn').addEventListener('click', () => {
  const c = calling;
  if (!c) return;
  byMe = true;
  act('hangup', () => c.hangup());
});
$('camera-btn').addEventListener('click', () => {
  const c = calling;
  const on = c?.getSnapshot().call?.local.camera;
  if (c) act(on ? 'closeCamera' : 'openCamera', () => (on ? c.closeCamera() : c.openCamera()));
});
$('mic-btn').addEventListener('click', () => {
  const c = calling;
  const muted = c?.getSnapshot().call?.local.micMuted ?? false;
  if (c) act('setMicMute', () => c.setMicMute(!muted));
});
$('logout-btn').addEventListener('click', () => {
  const c = calling;
  if (c) act('logout', () => c.logout().then(render));
});
$('devices-btn').addEventListener('click', openDevices);
$('clear-log').addEventListener('click', () => log.clear());

// Over plain http on another address, browsers give pages no camera or microphone: say so now.
if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
  const port = location.port ? `:${location.port}` : '';
  $('insecure').textContent = `Camera and microphone need https or localhost: this page was opened over ${location.protocol.replace(':', '')} at ${location.hostname}, so calls cannot use them. On this machine open http://localhost${port}/ instead; from another device, serve the page over https.`;
  show($('insecure'), true);
}
onConnection('disconnected');
connection.length = 0;
render();

const auto = params.get('user');
if (auto) {
  $<HTMLInputElement>('login-user').value = auto;
  act('login', () => login(auto));
}
