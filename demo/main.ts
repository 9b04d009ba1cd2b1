/**
 * The demo page: one TRTCCalling over the embedded backend with WebRTC media, built around the
 * call (who is online, ringing, the call itself, how it ended), with the live statecharts and
 * the event log in a developer drawer. It imports only the package's public entry points, so it
 * doubles as the integration example.
 *
 * Query parameters (tests and the benchmark): `?user=alice` signs in at once, `&autoAccept=1`
 * accepts every invitation as it rings, `&preview=0` shows no self-view and skips the device
 * check, `&ws=URL` picks another server (`&ws=URL,URL`: a cluster's nodes, tried in order),
 * `&multiDevice=1` logs in as one of the user's devices, `&relay=1` sends media only through the
 * server's TURN servers (`--turn-urls`).
 */
import TRTCCalling, { NOTICE_EVENTS } from 'headless-calling';
import { webrtcBackend } from 'headless-calling/embedded';
import { readConfigParam } from './config';
import { onConnection, onEvent } from './events';
import { act, actions, marks, now, options, state, ui } from './page';
import { render } from './render';
import { $, clockText, show } from './ui/dom';
import { setIcon } from './ui/icons';
import type { Invitation } from './ui/incoming';

/** The page's `?config=`, read once: a malformed one is said at load and refuses every sign-in (demo/config.ts). */
const configParam = readConfigParam(options.config);

async function login(userID: string): Promise<void> {
  ui.ringtone.unlock(); // a user gesture: later rings may play
  show($('login-error'), false);
  if (!configParam.ok) throw new Error(configParam.error);
  const res = await fetch(`/usersig?userID=${encodeURIComponent(userID)}`);
  if (!res.ok) throw new Error(`the server refused to sign in ${userID} (${res.status})`);
  const { sdkAppID, userSig } = (await res.json()) as { sdkAppID: number; userSig: string };
  state.calling?.destroy();
  state.userID = userID;
  state.kicked = null;
  ui.charts.reset();
  const url = options.ws ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const backend = webrtcBackend({ url, environment: ui.devices.environment(), ...(options.multiDevice ? { multiDevice: true } : {}), ...(options.relay ? { iceTransportPolicy: 'relay' as const } : {}) });
  const c = new TRTCCalling({ SDKAppID: sdkAppID, backend, inspect: (event) => ui.charts.inspect(event), ...configParam.options });
  state.calling = c;
  for (const name of NOTICE_EVENTS) c.on(name, (payload: unknown) => onEvent(name, payload));
  c.subscribe(render);
  backend.im.onConnectionChange(onConnection);
  backend.presence.subscribe((view) => {
    state.presence = view;
    render();
  });
  await c.login({ userID, userSig });
  render();
  if (!state.devicesChecked) openDevices();
}

/** A new call of this user's: the last one's words go, the device check gives the devices back. */
function newCall(): void {
  ui.devices.close();
  show($('devices'), false);
  ui.outcome.clear();
  state.byMe = false;
  state.leftLast = null;
}

actions.dial = (userIDs, type) => {
  const c = state.calling;
  if (!c || userIDs.length === 0) return;
  const timeout = Math.max(0, Number($<HTMLInputElement>('timeout').value || 30));
  newCall();
  for (const key of Object.keys(marks)) delete marks[key];
  marks.call = now();
  state.dialPending = true;
  ui.dialing.start(userIDs, timeout, state.presence);
  render();
  const [one] = userIDs;
  const run = userIDs.length === 1 && one !== undefined ? () => c.call({ userID: one, type, timeout }) : () => c.groupCall({ userIDList: [...userIDs], type, timeout });
  act(userIDs.length === 1 ? 'call' : 'groupCall', () =>
    run()
      // Hung up before the invitation went (the devices still being captured): nobody was called.
      .catch((error: unknown) => {
        if ((error as { reason?: unknown } | null)?.reason !== 'cancelled') throw error;
        ui.outcome.note('You cancelled the call');
      })
      .finally(() => {
        state.dialPending = false;
        render();
      }),
  );
};

actions.accept = (invitation: Invitation) => {
  const c = state.calling;
  if (!c) return;
  newCall();
  ui.incoming.quiet();
  // A refusal that ended the call (WebRTC enters while it captures) shows on the page: the dialog is gone.
  act('accept', () => c.accept({ inviteID: invitation.inviteID }), (text) => (ui.incoming.invitation ? ui.incoming.failed(text) : ui.outcome.error(text)));
};

actions.reject = (invitation: Invitation) => {
  const c = state.calling;
  if (!c) return;
  ui.outcome.clear();
  ui.outcome.note(`You declined ${invitation.sponsor}'s call`);
  act('reject', () => c.reject({ inviteID: invitation.inviteID }));
};

function openDevices(): void {
  show($('devices'), true);
  show($('devices-btn'), false);
  void ui.devices.open();
}

actions.devicesDone = () => {
  state.devicesChecked = true;
  ui.devices.close();
  show($('devices'), false);
  render();
};

setInterval(() => {
  $('call-timer').textContent = state.connectedSince === null ? '' : clockText(performance.now() - state.connectedSince);
}, 500);

// ---------------------------------------------------------------------------------------------

setIcon($('hangup-btn'), 'hangup');
setIcon($('logout-btn'), 'logout');
const loginFailed = (text: string) => {
  $('login-error').textContent = text;
  show($('login-error'), true);
};
$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const userID = $<HTMLInputElement>('login-user').value.trim();
  state.autoSignIns = 0;
  act('login', () => login(userID), loginFailed);
});
actions.signInAgain = (userID) => {
  state.autoSignIns += 1;
  act('login', () => login(userID), loginFailed);
};
$('dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const ids = $<HTMLInputElement>('callee').value.split(',').map((x) => x.trim()).filter(Boolean);
  actions.dial(ids, Number($<HTMLSelectElement>('call-type').value) === 1 ? 1 : 2);
});
$('hangup-btn').addEventListener('click', () => {
  const c = state.calling;
  if (!c) return;
  state.byMe = true;
  act('hangup', () => c.hangup());
});
$('camera-btn').addEventListener('click', () => {
  const c = state.calling;
  const on = c?.getSnapshot().call?.local.camera;
  if (c) act(on ? 'closeCamera' : 'openCamera', () => (on ? c.closeCamera() : c.openCamera()));
});
$('mic-btn').addEventListener('click', () => {
  const c = state.calling;
  const muted = c?.getSnapshot().call?.local.micMuted ?? false;
  if (c) act('setMicMute', () => c.setMicMute(!muted));
});
$('logout-btn').addEventListener('click', () => {
  const c = state.calling;
  // Signing out ends the call: this side ended it ("You hung up", not the other's name).
  if (c?.getSnapshot().call) state.byMe = true;
  if (c) act('logout', () => c.logout().then(render));
});
$('devices-btn').addEventListener('click', openDevices);
$('clear-log').addEventListener('click', () => ui.log.clear());

// Over plain http on another address, browsers give pages no camera or microphone: say so now.
if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
  const port = location.port ? `:${location.port}` : '';
  $('insecure').textContent = `Camera and microphone need https or localhost: this page was opened over ${location.protocol.replace(':', '')} at ${location.hostname}, so calls cannot use them. On this machine open http://localhost${port}/ instead; from another device, serve the page over https.`;
  show($('insecure'), true);
}
render();

if (options.user) $<HTMLInputElement>('login-user').value = options.user;
if (!configParam.ok) loginFailed(configParam.error); // said at once; no sign-in of ?user= either
else if (options.user) {
  const userID = options.user;
  // Refused (a ?config= key the library does not take, say), it is said on the sign-in form, where the page is.
  act('login', () => login(userID), loginFailed);
}
