/**
 * The system under the interop property test: 2-4 users on the interop tier's world (one fake IM
 * cloud, one fake TRTC, one simulated clock: test/interop/support/interopWorld.ts), each user on
 * one client of the kind the run drew: ours (`tencentBackend`), Tencent's trtc-calling-js 1.0.6
 * ('official'), Tencent's TUICallEngine 3.1.7 ('tui') or Tencent's call-engine-js 3.3.4
 * ('callEngine'), the last three unmodified. A second login
 * of a user (any kind) kicks the first client out, which stays as a retired seat.
 *
 * Every seat is driven through the same few verbs. Ours are tracked as the other property tiers'
 * devices (harness.ts: a timeline of events and API outcomes, the invariants of invariants.ts);
 * Tencent's record their events, and whom they see in their call (USER_ENTER minus USER_LEAVE,
 * forgotten once the client is seen idle), which the cross-client agreement reads.
 */
import { CallingError, type TRTCCalling } from '../../src/index';
import { drain } from '../../src/testing';
import type { CallEngineParty } from '../interop/support/callEngineParty';
import type { Ev, InteropWorld, OfficialParty, Party } from '../interop/support/interopWorld';
import type { TuiParty } from '../interop/support/tuiParty';
import { attempt, tracked, type User } from './harness';

export type SeatKind = 'ours' | 'official' | 'tui' | 'callEngine';
export type Status = 'idle' | 'calling' | 'connected';

/** One client of a user. */
export interface Seat {
  readonly kind: SeatKind;
  readonly id: string;
  /** `bob`, or `bob@2` for the client of Bob's second login. */
  readonly label: string;
  /** Ours: the tracked device (its timeline, its calls). */
  readonly user: User | null;
  readonly client: Party | TuiParty | CallEngineParty;
  /** Kicked out by a later login of its user: no longer driven, no longer its user's client. */
  retired: boolean;
  /** Tencent's: every event it emitted, in order (for the failure report). */
  readonly log: Ev[];
  /** Tencent's: the users it saw enter its call and not leave it. */
  readonly sees: Set<string>;
  /** Tencent's: the refusals of its API calls (a legal outcome, kept for the failure report). */
  readonly refusals: string[];
  /** Logged in, as far as the commands went (login() and logout() to Tencent's follow it). */
  loggedIn: boolean;
  /**
   * A Tencent's client that left its call without leaving its TRTC room: a trtc-calling-js kicked
   * out (spec 3.2: its KICKED_OUT only sets idle; test/interop/kicked.test.ts), a call-engine-js
   * 3.3.4 kicked out (its handler throws: it stays in its call; callEngineQuirks.test.ts), or any kind
   * logged out while not idle (their logout() drops the TRTC client without leaving when a join is
   * under way). Its client may stay in the room for good, in nobody's call: {@link abandon} closes
   * its page at the end.
   */
  abandoned: boolean;
  /** Tencent's: its API call not settled yet, if any (it gets one at a time: see {@link act}). */
  pending: string | null;
  /** The world's clock. */
  readonly now: () => number;
  /** TUICallEngine: when its last call ended (CALLING_CANCEL or CALL_END), on the world's clock. */
  endedAt: number;
  /** TUICallEngine: whom its last call() dialled (null: its last dial was a groupCall(), or none yet). */
  dialled: string | null;
  /**
   * call-engine-js 3.3.4, which has no getCallStatus(): its status as its events and its dials say
   * (see {@link trackCallEngine}), and whether it rings for an invitation (not its own dial).
   */
  phase: Status;
  ringing: boolean;
  /** call-engine-js 3.3.4: counts its call's status changes (a failed dial resets 'calling' only if none came since). */
  epoch: number;
}

export interface InteropSystem {
  readonly world: InteropWorld;
  readonly ids: readonly string[];
  /** Every seat, in the order they logged in (retired ones included). */
  readonly seats: Seat[];
  /** The labels of the commands run so far (for the failure report). */
  readonly steps: string[];
  /** Every TRTC room one of our clients dialled, rang for or was in: the calls ours had a part in. */
  readonly oursRooms: Set<number | string>;
  /** The rooms of the calls clients were in, or rang for, when a second login kicked them out. */
  readonly kickedRooms: Set<number | string>;
}

/** How soon after its last call ended a TUICallEngine may call again (see {@link act}). */
const REDIAL_MS = 20;

export const INTEROP_USER_IDS = ['alice', 'bob', 'carol', 'dave'] as const;
/** The IM group every user is in (group calls through it: `inviteInGroup`). */
export const GROUP_ID = 'everyone';

/** The client of `id` that is not retired (each user has exactly one). */
export function seatOf(s: InteropSystem, id: string): Seat {
  const seat = s.seats.find((x) => x.id === id && !x.retired);
  if (!seat) throw new Error(`no seat for ${id}`);
  return seat;
}

/** The seats still driven: one per user. */
export const liveSeats = (s: InteropSystem): Seat[] => s.seats.filter((x) => !x.retired);

/** The call status, in trtc-calling-js's words, of any kind of client. */
export function status(seat: Seat): Status {
  const c = seat.client;
  if (c.kind === 'callEngine') return seat.phase;
  return (c.kind === 'tui' ? c.engine.getCallStatus() : c.getCallStatus()) as Status;
}

/**
 * call-engine-js 3.3.4's status, from its events: an invitation rings (`onCallReceived`), a call
 * begins (`onCallBegin`) and ends (`onCallEnd`, or `onCallNotConnected` for one that never began);
 * its dials set 'calling' in {@link act}. Its API calls that have nothing to act on never settle
 * (hangup(), accept(), reject() with no call: callEngineQuirks.test.ts), so a call's end also ends
 * the wait for them, as its UI's buttons follow the call, not the promise.
 */
function trackCallEngine(s: InteropSystem, seat: Seat, p: CallEngineParty): void {
  const to = (phase: Status, ringing: boolean) => () => {
    seat.phase = phase;
    seat.ringing = ringing;
    seat.epoch++;
    if (phase === 'idle') {
      seat.endedAt = s.world.clock.now();
      seat.pending = null;
    }
  };
  p.engine.on('onCallReceived', to('calling', true));
  p.engine.on('onCallBegin', to('connected', false));
  p.engine.on('onCallEnd', to('idle', false));
  p.engine.on('onCallNotConnected', to('idle', false));
}

/** Ours: the call's state (`dialing`, `ringing`, `inCall` ...), or `none`. */
export const oursState = (seat: Seat): string => seat.user?.calling.getSnapshot().call?.state ?? 'none';

/** A new client of `kind` for `id`, tracked from before its login (a stored invite may ring as it logs in), then logged in. */
async function join(s: InteropSystem, kind: SeatKind, id: string, n: number): Promise<Seat> {
  const client = kind === 'tui' ? await s.world.tui(id, { login: false }) : kind === 'callEngine' ? await s.world.callEngine(id, { login: false }) : await s.world.party(kind, id, { login: false });
  const user = client.kind === 'ours' ? tracked(client.calling, id, n) : null;
  if (client.kind === 'ours')
    client.calling.subscribe(() => {
      const roomID = client.calling.getSnapshot().call?.roomID;
      if (roomID) s.oursRooms.add(roomID);
    });
  const seat: Seat = { kind, id, label: n === 1 ? id : `${id}@${n}`, user, client, retired: false, log: [], sees: new Set(), refusals: [], loggedIn: false, abandoned: false, pending: null, now: () => s.world.clock.now(), endedAt: -Infinity, dialled: null, phase: 'idle', ringing: false, epoch: 0 };
  if (client.kind === 'callEngine') trackCallEngine(s, seat, client);
  if (client.kind === 'tui') for (const name of ['onCallingCancel', 'onCallEnd']) client.engine.on(name, () => void (seat.endedAt = s.world.clock.now()));
  s.seats.push(seat);
  await act(seat, { op: 'login' });
  await s.world.advance(100);
  return seat;
}

/** A world with one client per user, of the kinds given, all in group {@link GROUP_ID}, logged in. */
export async function createInteropSystem(world: InteropWorld, kinds: readonly SeatKind[]): Promise<InteropSystem> {
  const ids = INTEROP_USER_IDS.slice(0, kinds.length);
  world.im.createGroup(GROUP_ID, [...ids]);
  const s: InteropSystem = { world, ids, seats: [], steps: [], oursRooms: new Set(), kickedRooms: new Set() };
  for (const [i, kind] of kinds.entries()) await join(s, kind, ids[i]!, 1);
  return s;
}

/**
 * `id` logs in again on a new client of `kind` (TIM's default: the earlier session is kicked
 * out). The earlier client retires; at most two logins per user, so runs stay small.
 */
export async function secondLogin(s: InteropSystem, id: string, kind: SeatKind): Promise<void> {
  const n = s.seats.filter((x) => x.id === id).length + 1;
  if (n > 2) return;
  const old = seatOf(s, id);
  const room = old.user ? old.user.calling.getSnapshot().call?.roomID : undefined;
  if (room) s.kickedRooms.add(room);
  if (!old.user) for (const r of tencentRooms(s, old)) s.kickedRooms.add(r);
  await join(s, kind, id, n);
  old.retired = true;
  // trtc-calling-js's KICKED_OUT only sets idle; call-engine-js 3.3.4's throws (callEngineQuirks.test.ts): both stay in their rooms.
  if (old.client.kind === 'official' || old.client.kind === 'callEngine') old.abandoned = true;
}

/**
 * The pages of abandoned clients ({@link Seat.abandoned}) close: TRTC drops their clients from
 * their rooms, as it does a closed page's.
 */
export function abandon(s: InteropSystem): void {
  for (const seat of s.seats) {
    if (!seat.abandoned || seat.client.kind === 'ours') continue;
    for (const client of seat.client.trtc.clients) if (client.room !== null) void client.leave().catch(() => undefined);
  }
}

/** Moves what Tencent's clients emitted into their seats' logs, and whom they see. */
export function harvest(s: InteropSystem): void {
  for (const seat of s.seats) {
    if (seat.kind === 'ours') continue;
    for (const e of seat.client.take()) {
      seat.log.push(e);
      const who = (e.payload as { userID?: unknown } | null)?.userID;
      // call-engine-js 3.3.4 names it `onUserJoin`.
      if ((e.name === 'onUserEnter' || e.name === 'onUserJoin') && typeof who === 'string') seat.sees.add(who);
      if (e.name === 'onUserLeave' && typeof who === 'string') seat.sees.delete(who);
    }
    if (status(seat) === 'idle') seat.sees.clear();
  }
}

/** What a user does, whichever client it is on. */
export type Verb =
  | { readonly op: 'call'; readonly to: string; readonly type: 1 | 2; readonly timeout?: number }
  | { readonly op: 'groupCall'; readonly to: readonly string[]; readonly type: 1 | 2; readonly viaGroup: boolean; readonly timeout?: number }
  | { readonly op: 'accept' }
  | { readonly op: 'reject'; readonly busy: boolean }
  | { readonly op: 'hangup' }
  | { readonly op: 'camera'; readonly on: boolean }
  | { readonly op: 'mic'; readonly muted: boolean }
  | { readonly op: 'logout' }
  | { readonly op: 'login' };

/** TUICallEngine renders into a DOM element: each TUI page gets one for its camera. */
function localView(p: TuiParty | CallEngineParty): string {
  const doc = p.browser.document;
  if (!doc.getElementById('local-view')) {
    const el = doc.createElement('div');
    el.id = 'local-view';
    doc.body.appendChild(el);
  }
  return 'local-view';
}

function officialDo(p: OfficialParty, v: Verb): Promise<unknown> {
  switch (v.op) {
    case 'call': return p.calling.call({ userID: v.to, type: v.type });
    case 'groupCall': return p.calling.groupCall({ userIDList: [...v.to], type: v.type, ...(v.viaGroup ? { groupID: GROUP_ID } : {}) });
    case 'accept': return p.calling.accept();
    case 'reject': return p.calling.reject();
    case 'hangup': return p.calling.hangup();
    case 'camera': return v.on ? p.calling.openCamera() : p.calling.closeCamera();
    case 'mic': return p.calling.setMicMute(v.muted);
    case 'logout': return p.calling.logout();
    case 'login': return p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
  }
}

/** TUICallEngine 3.1.7 and call-engine-js 3.3.4 take the same calls for these verbs. */
function engineDo(p: TuiParty | CallEngineParty, v: Verb): Promise<unknown> {
  const e = p.engine;
  const timeout = v.op === 'call' || v.op === 'groupCall' ? (v.timeout !== undefined ? { timeout: v.timeout } : {}) : {};
  switch (v.op) {
    case 'call': return e.call({ userID: v.to, type: v.type, ...timeout });
    // Their groupCall() needs a group (3.3.4's: callEngineQuirks.test.ts): always through the IM group.
    case 'groupCall': return e.groupCall({ userIDList: [...v.to], type: v.type, groupID: GROUP_ID, ...timeout });
    case 'accept': return e.accept();
    case 'reject': return e.reject();
    case 'hangup': return e.hangup();
    case 'camera': return v.on ? e.openCamera(localView(p)) : e.closeCamera();
    case 'mic': return v.muted ? e.closeMicrophone() : e.openMicrophone();
    case 'logout': return e.logout();
    case 'login': return e.login({ userID: p.id, userSig: `sig-${p.id}` });
  }
}

/**
 * Whether call-engine-js 3.3.4 has something to act on: its accept() and reject() only for an
 * invitation ringing, its hangup() and media only in a call, its dials only when idle. Its API
 * calls with nothing to act on never settle (callEngineQuirks.test.ts), and its UI offers them
 * only so (TUICallKit's buttons follow the call's status).
 */
function callEngineCan(seat: Seat, v: Verb): boolean {
  switch (v.op) {
    case 'accept':
    case 'reject': return seat.ringing;
    case 'hangup':
    case 'camera':
    case 'mic': return seat.phase !== 'idle';
    case 'call':
    case 'groupCall': return seat.phase === 'idle';
    default: return true;
  }
}

/**
 * `seat` does `v`, not waited for (Tencent's methods settle only as the clock runs). Ours through
 * the property harness's `attempt` (its outcome on the timeline, an untyped error recorded);
 * Tencent's refusals are legal outcomes, kept for the report.
 */
export async function act(seat: Seat, v: Verb): Promise<void> {
  const c = seat.client;
  // Tencent's clients get one API call at a time, the next once the last settled, as their demos'
  // buttons do: calls that overlap race inside them (accept() then reject() at once: the reset
  // runs, then accept()'s join lands, and trtc-calling-js sits in that room for good). Ours take
  // any interleaving.
  if (!seat.user && seat.pending !== null) return;
  if (v.op === 'login' || v.op === 'logout') {
    // Tencent's clients are used as their docs say: login() once, logout() once. trtc-calling-js's
    // login() while logged in makes a new TRTC client and orphans the one in its room (a ghost
    // there for good); its logout() while logged out throws from its own reset (unhandled).
    if (!seat.user && seat.loggedIn === (v.op === 'login')) return;
    seat.loggedIn = v.op === 'login';
    if (v.op === 'logout' && !seat.user && status(seat) !== 'idle') seat.abandoned = true;
  }
  // trtc-calling-js's groupCall() does not check its state (spec 2.7: it reuses the room of a call
  // in progress to invite more): called while it rings or joins, it starts a second call beside the
  // first, in a second room it then never leaves. Its apps call it idle, or connected.
  if (v.op === 'groupCall' && c.kind === 'official' && status(seat) === 'calling') return;
  // TUICallEngine's reset after a call ends runs on for a few ms: a call() within ~5 ms of its
  // CALLING_CANCEL invites into room 0 and sits in its TRTC room for good, idle (pinned by
  // test/interop/tuiQuirks.test.ts, "a call() right after a CANCEL"). Its apps redial slower.
  if ((v.op === 'call' || v.op === 'groupCall') && c.kind === 'tui' && seat.now() - seat.endedAt < REDIAL_MS) return;
  if ((v.op === 'call' || v.op === 'groupCall') && c.kind === 'tui') seat.dialled = v.op === 'call' ? v.to : null;
  if (seat.user) {
    const user = seat.user;
    const timeout = v.op === 'call' || v.op === 'groupCall' ? (v.timeout !== undefined ? { timeout: v.timeout } : {}) : {};
    switch (v.op) {
      case 'call': return attempt(user, 'call', (x) => x.call({ userID: v.to, type: v.type, ...timeout }));
      case 'groupCall': {
        // During a group call it dialled, groupCall() invites into it (spec 2.7), as commands.ts records it.
        const live = user.calling.getSnapshot().call;
        const inviting = live?.isGroup === true && live.role === 'caller' && (live.state === 'dialing' || live.state === 'inCall');
        const group = (x: TRTCCalling) => x.groupCall({ userIDList: [...v.to], type: v.type, ...(v.viaGroup ? { groupID: GROUP_ID } : {}), ...timeout });
        return inviting ? attempt(user, 'invite', group, v.to) : attempt(user, 'groupCall', group);
      }
      case 'accept': return attempt(user, 'accept', (x) => x.accept());
      case 'reject': return attempt(user, 'reject', (x) => x.reject({ isBusy: v.busy }));
      case 'hangup': return attempt(user, 'hangup', (x) => x.hangup());
      case 'camera': return attempt(user, 'media', (x) => (v.on ? x.openCamera() : x.closeCamera()));
      case 'mic': return attempt(user, 'media', (x) => x.setMicMute(v.muted));
      case 'logout': return attempt(user, 'logout', (x) => x.logout());
      case 'login': return attempt(user, 'login', (x) => x.login({ userID: user.id, userSig: `sig-${user.id}` }));
    }
  }
  if (c.kind === 'callEngine' && !callEngineCan(seat, v)) return;
  // Its dial: 'calling' at once (its call() resolves once the invitation is out, maybe after the answer).
  const dial = c.kind === 'callEngine' && (v.op === 'call' || v.op === 'groupCall') ? ++seat.epoch : null;
  if (dial !== null) seat.phase = 'calling';
  seat.pending = v.op;
  const started = Promise.resolve().then(() => (c.kind === 'tui' || c.kind === 'callEngine' ? engineDo(c, v) : officialDo(c as OfficialParty, v)));
  started.then(
    () => void (seat.pending = null),
    (error: unknown) => {
      seat.pending = null;
      if (dial !== null && seat.epoch === dial) seat.phase = 'idle';
      seat.refusals.push(`${v.op}: ${error instanceof CallingError ? error.message : String((error as { message?: unknown })?.message ?? error)}`);
    },
  );
  await drain();
}

/** The TRTC rooms a Tencent's client's clients are in. */
export function trtcRooms(seat: Seat): (number | string)[] {
  const c = seat.client;
  return c.kind === 'ours' ? [] : c.trtc.clients.filter((x) => !x.destroyed && x.room !== null).map((x) => x.room as number | string);
}

/**
 * The rooms of a Tencent's client's call: those its TRTC clients are in, and the one of the last
 * invitation it rang for.
 */
export function tencentRooms(s: InteropSystem, seat: Seat): (number | string)[] {
  void s;
  const invited = [...seat.log].reverse().find((e) => e.name === 'onInvited')?.payload as { inviteData?: { roomID?: number }; roomID?: number } | undefined;
  // call-engine-js 3.3.4 names the room at the top of its payload.
  const room = invited?.inviteData?.roomID ?? (seat.client.kind === 'callEngine' ? invited?.roomID : undefined);
  return [...trtcRooms(seat), ...(room ? [room] : [])];
}
