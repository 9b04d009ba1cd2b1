/**
 * The demo page's parts and its own state (what is not the library's: the library's state is
 * `calling.getSnapshot()`). The parts that act (the online list, the device check, the ringing
 * dialog) call `actions`, which main.ts fills in.
 */
import type TRTCCalling from 'headless-calling';
import type { PresenceView } from 'headless-calling/embedded';
import { EventLog, type LogEntry } from './log';
import { StatechartPanel } from './statechart/panel';
import { DeviceCheck } from './ui/devices';
import { DialingPanel } from './ui/dialing';
import { $ } from './ui/dom';
import { Drawer } from './ui/drawer';
import { IncomingCall, type Invitation } from './ui/incoming';
import { Outcome } from './ui/outcome';
import { PeopleList } from './ui/people';
import { Ringtone } from './ui/ringtone';
import { Stage } from './ui/stage';
import { codeOf, describeError } from './ui/words';

const params = new URLSearchParams(location.search);

/**
 * Query parameters: `?user=alice&autoAccept=1&preview=0&ws=URL&multiDevice=1&relay=1&config=JSON` (`ws=URL,URL`: a
 * cluster's nodes, in the order to try).
 */
export const options = {
  user: params.get('user'),
  /** Accept every invitation as it rings (the benchmark's callee). */
  autoAccept: params.get('autoAccept') === '1',
  /** Self-view and device check (`preview=0`: neither, as the benchmark's raw baseline has none). */
  preview: params.get('preview') !== '0',
  /** The servers to try, in order (`ws=URL,URL`: the nodes of a cluster; the page's own by default). */
  ws: params.get('ws')?.split(',') ?? null,
  /** Log in as one device of the user (a server started with `--multi-device` rings every one). */
  multiDevice: params.get('multiDevice') === '1',
  /** Media only through the server's TURN servers (`--turn-urls`): no peer learns this page's addresses. */
  relay: params.get('relay') === '1',
  /**
   * The library's timing tunables as JSON, handed to `new TRTCCalling({ config })` at sign-in (`config={"leaveGraceMs":2000}`):
   * to try other waits than the defaults (the browser tests shorten the ones they wait out). Unknown keys fail the sign-in;
   * JSON that does not parse is said on the page as it loads, and refuses the sign-in (demo/config.ts).
   */
  config: params.get('config'),
};

/** What the page's parts ask main.ts to do. */
export const actions = {
  dial: (_userIDs: readonly string[], _type: 1 | 2): void => undefined,
  accept: (_invitation: Invitation): void => undefined,
  reject: (_invitation: Invitation): void => undefined,
  devicesDone: (): void => undefined,
  /** Signs in again as `userID` with a fresh userSig (the server refused the one it had). */
  signInAgain: (_userID: string): void => undefined,
};

const ringtone = new Ringtone();

/** The parts of the page. */
export const ui = {
  log: new EventLog($<HTMLOListElement>('event-log'), $('log-count')),
  charts: new StatechartPanel($('pane-charts')),
  drawer: new Drawer(),
  ringtone,
  outcome: new Outcome(),
  stage: new Stage(),
  dialing: new DialingPanel(),
  devices: new DeviceCheck($('devices'), () => actions.devicesDone()),
  people: new PeopleList((userID, type) => actions.dial([userID], type)),
  incoming: new IncomingCall(ringtone, { accept: (i) => actions.accept(i), reject: (i) => actions.reject(i) }),
};

/** The page's own state. */
export const state = {
  calling: null as TRTCCalling | null,
  presence: { state: 'idle', online: [] } as PresenceView,
  /** call() runs but the call has not begun (its devices are being captured). */
  dialPending: false,
  /** Per call: this user hung up; who left last; since when it is connected (ms, page clock). */
  byMe: false,
  leftLast: null as string | null,
  /** The other side of the current call (who "hung up" when nobody was seen leaving). */
  peers: [] as readonly string[],
  connectedSince: null as number | null,
  selfShown: false,
  devicesChecked: !options.preview,
  /** Who this page signed in as, and why the server signed it out (`KICKED_OUT`'s reason), if it did. */
  userID: null as string | null,
  kicked: null as string | null,
  /** Sign-ins made by the page itself since the user's own: a server that keeps refusing them is not asked forever. */
  autoSignIns: 0,
};
if (ui.devices.checkedBefore) state.devicesChecked = true;

/** Wall-clock marks (ms, `performance.timeOrigin` based) for the benchmark: `call`, `invited`, `enter:<userID>`, `frame:<userID>`. */
export const marks: Record<string, number> = {};
export const now = () => performance.timeOrigin + performance.now();
/** Every connection state the page saw, in order (tests). */
export const connection: string[] = [];

/** What tests and the benchmark read from the page: `window.hcDemo`. */
const hcDemo = {
  events: ui.log.entries as readonly LogEntry[],
  marks,
  connection,
  calling: () => state.calling,
  presence: () => state.presence,
  outcome: () => ui.outcome.text,
};
(globalThis as unknown as { hcDemo: typeof hcDemo }).hcDemo = hcDemo;

/** Runs an API call; a rejection is logged and said in plain words (`onError`, else the error banner). */
export function act(name: string, run: () => Promise<unknown>, onError: (text: string) => void = (text) => ui.outcome.error(text)): void {
  run().catch((error: unknown) => {
    ui.log.add(`${name}() rejected`, { code: codeOf(error), message: error instanceof Error ? error.message : String(error) }, 'error');
    onError(describeError(error));
  });
}
