/**
 * The demo page: one TRTCCalling over the embedded backend with WebRTC media. It imports only
 * the package's public entry points, so it doubles as the integration example.
 *
 * Query parameters (handy for tests and the benchmark): `?user=alice` signs in at once,
 * `&autoAccept=1` accepts every invitation as it rings, `&preview=0` shows no self-view.
 */
import TRTCCalling, { type CallingSnapshot, type TRTCCallingOptions } from 'headless-calling';
import { webrtcBackend } from 'headless-calling/embedded';
import { EventLog, type LogEntry } from './log';
import { StatechartView } from './statechart';
import { Tiles } from './tiles';

type InspectFn = Extract<NonNullable<TRTCCallingOptions['inspect']>, (...args: never[]) => unknown>;
type InspectionEvent = Parameters<InspectFn>[0];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const autoAccept = params.get('autoAccept') === '1';

const log = new EventLog($<HTMLOListElement>('event-log'));
const tiles = new Tiles($('tiles'));
const chart = new StatechartView($('statechart'), $('sc-caption'));
const incoming = $<HTMLDialogElement>('incoming');

/** Wall-clock marks (ms, `performance.timeOrigin` based) for the benchmark: `call`, `invited`, `enter:<userID>`, `frame:<userID>`. */
const marks: Record<string, number> = {};
const now = () => performance.timeOrigin + performance.now();
let calling: TRTCCalling | null = null;
let ringing: { inviteID: string } | null = null;
let localShown = false;

/** What tests and the benchmark read from the page. */
const hcDemo = { events: log.entries as readonly LogEntry[], marks, calling: () => calling };
(globalThis as unknown as { hcDemo: typeof hcDemo }).hcDemo = hcDemo;

function toast(text: string): void {
  const el = $('toast');
  el.textContent = text;
  el.classList.add('show');
  setTimeout(() => el.classList.remove('show'), 3000);
}

/** Runs an API call; a rejection goes to the log and a toast, never unhandled. */
function act(name: string, run: () => Promise<void>): void {
  run().catch((error: unknown) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    log.add(`${name}() rejected`, { code, message }, 'error');
    toast(`${name}: ${message}`);
  });
}

function inspect(event: InspectionEvent): void {
  if (event.type !== '@xstate.snapshot' || (event.actorRef as { id?: string }).id !== 'call') return;
  const snapshot = event.snapshot as { value?: unknown; status?: string };
  const value = snapshot.value ?? null;
  chart.update(value, snapshot.status === 'done' ? 'ended' : typeof value === 'string' ? value : Object.keys(value ?? {}).join(', '));
}

async function login(userID: string): Promise<void> {
  const res = await fetch(`/usersig?userID=${encodeURIComponent(userID)}`);
  if (!res.ok) throw new Error(`the server refused to sign for ${userID} (${res.status})`);
  const { sdkAppID, userSig } = (await res.json()) as { sdkAppID: number; userSig: string };
  calling?.destroy();
  const url = params.get('ws') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const c = new TRTCCalling({ SDKAppID: sdkAppID, backend: webrtcBackend({ url }), inspect });
  calling = c;
  const names = new Set<string>(Object.values(TRTCCalling.EVENT));
  for (const name of names) c.on(name as (typeof TRTCCalling.EVENT)[keyof typeof TRTCCalling.EVENT], (payload: unknown) => onEvent(name, payload));
  c.subscribe(() => render(c.getSnapshot()));
  await c.login({ userID, userSig });
  render(c.getSnapshot());
}

function onEvent(name: string, payload: unknown): void {
  log.add(name, payload);
  const c = calling;
  if (!c) return;
  const p = payload as Record<string, unknown>;
  const userID = typeof p.userID === 'string' ? p.userID : '';
  switch (name) {
    case TRTCCalling.EVENT.INVITED: {
      marks.invited = now();
      const inviteID = String(p.inviteID);
      if (autoAccept) return act('accept', () => c.accept({ inviteID }));
      ringing = { inviteID };
      const type = (p.inviteData as { callType?: number } | undefined)?.callType === 1 ? 'audio' : 'video';
      const others = (p.userIDList as string[] | undefined)?.length ?? 1;
      $('incoming-from').textContent = String(p.sponsor);
      $('incoming-type').textContent = `Incoming ${type} call${p.isFromGroup || others > 1 ? ` (group of ${others + 1})` : ''}`;
      if (!incoming.open) incoming.showModal();
      return;
    }
    case TRTCCalling.EVENT.USER_ENTER: {
      marks[`enter:${userID}`] = now();
      const viewID = tiles.add(userID, false);
      act('startRemoteView', async () => {
        await c.startRemoteView({ userID, videoViewDomID: viewID });
        watchFirstFrame(userID, viewID);
      });
      return;
    }
    case TRTCCalling.EVENT.USER_LEAVE:
      return tiles.remove(userID);
    case TRTCCalling.EVENT.USER_VIDEO_AVAILABLE:
      return tiles.mark(userID, 'video', p.isVideoAvailable === true);
    case TRTCCalling.EVENT.USER_AUDIO_AVAILABLE:
      return tiles.mark(userID, 'audio', p.isAudioAvailable === true);
    case TRTCCalling.EVENT.CALL_END:
      return endOfCall(`Call ended (${String(p.reason)}, ${String(p.callEnd)} s)`);
    case TRTCCalling.EVENT.CALLING_CANCEL:
      return endOfCall(`${String(p.sponsor)} cancelled the call`);
    case TRTCCalling.EVENT.CALLING_TIMEOUT:
      return endOfCall('Missed call');
    case TRTCCalling.EVENT.REJECT:
      return toast(`${userID} declined`);
    case TRTCCalling.EVENT.LINE_BUSY:
      return toast(`${userID} is busy`);
    case TRTCCalling.EVENT.NO_RESP:
      return toast(`${userID || 'Nobody'} did not answer`);
    case TRTCCalling.EVENT.KICKED_OUT:
      return toast('Signed in elsewhere');
    case TRTCCalling.EVENT.ERROR:
      return toast(`Error ${String(p.code)}: ${String(p.msg)}`);
  }
}

/** Marks the first video frame shown for `userID` (the benchmark's end point). */
function watchFirstFrame(userID: string, viewID: string): void {
  const video = $(viewID).querySelector('video');
  if (!video || !('requestVideoFrameCallback' in video)) return;
  video.requestVideoFrameCallback(() => {
    marks[`frame:${userID}`] ??= now();
  });
}

function endOfCall(message: string): void {
  ringing = null;
  if (incoming.open) incoming.close();
  toast(message);
}

function render(s: CallingSnapshot): void {
  const online = s.line === 'idle' || s.line === 'busy';
  $('whoami').innerHTML = online && s.userID ? `Signed in as <b>${s.userID}</b>` : 'Not signed in';
  $('login-form').classList.toggle('hidden', online);
  $('dial-form').classList.toggle('hidden', !online);
  $<HTMLButtonElement>('call-btn').disabled = s.call !== null;
  const call = s.call;
  const inRoom = call !== null && call.state !== 'ringing';
  $('controls').classList.toggle('hidden', !inRoom);
  $('stage-empty').classList.toggle('hidden', inRoom);
  $('status').textContent = statusText(s);
  $('status').dataset.state = call?.state ?? s.line;
  if (!inRoom) {
    if (localShown || tiles.count) tiles.clear();
    localShown = false;
    if (!call && incoming.open) incoming.close();
    return;
  }
  if (!localShown && calling && s.userID) {
    localShown = true;
    const viewID = tiles.add(s.userID, true);
    const c = calling;
    if (params.get('preview') !== '0') act('startLocalView', () => c.startLocalView({ userID: s.userID ?? '', videoViewDomID: viewID }));
  }
  tiles.mark(null, 'video', call.local.camera);
  tiles.mark(null, 'audio', !call.local.micMuted);
  $('camera-btn').classList.toggle('hidden', call.callType === 1);
  $('camera-btn').classList.toggle('off', !call.local.camera);
  $('camera-btn').querySelector('span')!.textContent = call.local.camera ? 'Camera off' : 'Camera on';
  $('mic-btn').classList.toggle('off', call.local.micMuted);
  $('mic-btn').querySelector('span')!.textContent = call.local.micMuted ? 'Unmute' : 'Mute';
}

function statusText(s: CallingSnapshot): string {
  if (s.line === 'loggedOut') return 'Offline';
  if (s.line === 'loggingIn') return 'Signing in…';
  if (s.line === 'kickedOut') return 'Signed in elsewhere';
  const call = s.call;
  if (!call) return 'Ready';
  const who = call.participants.map((p) => p.userID).join(', ');
  switch (call.state) {
    case 'dialing':
      return `Calling ${call.invitees.map((i) => i.userID).join(', ')}…`;
    case 'ringing':
      return `${call.sponsor} is calling`;
    case 'accepting':
      return 'Connecting…';
    case 'inCall':
      return who ? `In call with ${who}` : 'Waiting for the others…';
    default:
      return 'Ending…';
  }
}

// ---------------------------------------------------------------------------------------------

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const userID = $<HTMLInputElement>('login-user').value.trim();
  act('login', () => login(userID));
});

$('dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const c = calling;
  if (!c) return;
  const ids = $<HTMLInputElement>('callee').value.split(',').map((x) => x.trim()).filter(Boolean);
  const type = Number($<HTMLSelectElement>('call-type').value) === 1 ? 1 : 2;
  const timeout = Number($<HTMLInputElement>('timeout').value || 30);
  for (const key of Object.keys(marks)) delete marks[key];
  marks.call = now();
  if (ids.length === 1) act('call', () => c.call({ userID: ids[0] ?? '', type, timeout }));
  else act('groupCall', () => c.groupCall({ userIDList: ids, type, timeout }));
});

$('accept-btn').addEventListener('click', () => {
  const c = calling;
  const r = ringing;
  incoming.close();
  if (!c || !r) return;
  act('accept', () =>
    c.accept({ inviteID: r.inviteID }).catch((error: unknown) => {
      // The devices were refused: the call still rings, so the user can reject it or try again.
      if (c.getSnapshot().call?.state === 'ringing' && !incoming.open) incoming.showModal();
      throw error;
    }),
  );
});

$('reject-btn').addEventListener('click', () => {
  const c = calling;
  const r = ringing;
  incoming.close();
  ringing = null;
  if (c && r) act('reject', () => c.reject({ inviteID: r.inviteID }));
});

$('hangup-btn').addEventListener('click', () => calling && act('hangup', () => calling!.hangup()));
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
$('logout-btn').addEventListener('click', () => calling && act('logout', () => calling!.logout()));
$('clear-log').addEventListener('click', () => log.clear());
incoming.addEventListener('cancel', (e) => e.preventDefault()); // Esc does not dismiss a ringing call

const auto = params.get('user');
if (auto) {
  $<HTMLInputElement>('login-user').value = auto;
  act('login', () => login(auto));
}
