/**
 * The interop property test's commands: the users' API calls, whichever client each is on, clock
 * steps short of and past the timeouts (Tencent's invitations time out after 30 s, their caller's
 * own timer 5 s later; ours follow the spec), logouts, logins and second logins (the first
 * client kicked out). The model is empty, as in commands.ts: every command is always allowed (a
 * refusal is a legal outcome); correctness is in the invariants (interopInvariants.ts), checked on
 * our clients after every step.
 */
import fc from 'fast-check';
import { oursViolations } from './interopInvariants';
import { act, harvest, liveSeats, oursState, seatOf, secondLogin, status, type InteropSystem, type Seat, type SeatKind, type Verb } from './interopSystem';

type Model = Record<string, never>;
export type InteropCmd = fc.AsyncCommand<Model, InteropSystem>;

/** A command that records itself and, once run, checks our clients (so a failure names the step). */
const cmd = (label: string, run: (s: InteropSystem) => Promise<void>): InteropCmd => ({
  check: () => true,
  run: async (_m, s) => {
    s.steps.push(label);
    await run(s);
    harvest(s);
    const found = oursViolations(s);
    if (found.length > 0) throw new Error(`after ${label}:\n${found.join('\n')}`);
  },
  toString: () => label,
});

const user = fc.nat(3);
const idAt = (s: InteropSystem, i: number): string => s.ids[i % s.ids.length]!;
/** The client the i-th user is on now. */
const seatAt = (s: InteropSystem, i: number): Seat => seatOf(s, idAt(s, i));

/** Ringing: ours in `ringing`; Tencent's `calling` (its callee rings in it; its caller mostly waits `connected`); 3.3.4 ringing for an invitation. */
const ringing = (seat: Seat) => (seat.user ? oursState(seat) === 'ringing' : seat.client.kind === 'callEngine' ? seat.ringing : status(seat) === 'calling');
const live = (seat: Seat) => (seat.user ? oursState(seat) !== 'none' : status(seat) !== 'idle');

/** The k-th seat for which `is` holds, or any seat when none does (its refusal is then the outcome). */
const pick = (s: InteropSystem, k: number, is: (seat: Seat) => boolean): Seat => {
  const candidates = liveSeats(s).filter(is);
  return candidates.length > 0 ? candidates[k % candidates.length]! : seatAt(s, k);
};

/** Ours, TUICallEngine and call-engine-js take a timeout (seconds); trtc-calling-js's is fixed at 30 s. */
const TIMEOUTS = [undefined, undefined, 10] as const;
const SHORT_STEPS = [0, 10, 20, 50, 200, 1_000, 1_000, 2_000] as const;
const LONG_STEPS = [4_990, 5_000, 10_000, 29_990, 30_000, 35_000, 60_000] as const;
const KINDS: readonly SeatKind[] = ['ours', 'official', 'tui', 'callEngine'];

/**
 * The pause after an API call before the next step: none (the next call races it), an IM hop,
 * a TRTC join, or a second. Calls paced like this reach answered calls far more often than
 * bare clock-step commands would.
 */
const PAUSE = fc.constantFrom(0, 0, 20, 300, 1_000, 1_000);

const verb = (label: string, pause: number, who: (s: InteropSystem) => Seat, v: (s: InteropSystem, seat: Seat) => Verb) =>
  cmd(pause > 0 ? `${label} +${pause}` : label, async (s) => {
    const seat = who(s);
    await act(seat, v(s, seat));
    if (pause > 0) await s.world.advance(pause);
  });

const call = fc.tuple(user, user, fc.constantFrom(1 as const, 2 as const), fc.constantFrom(...TIMEOUTS), PAUSE).map(([u, v, type, timeout, pause]) =>
  verb(`call(${u}->${v}, type ${type}${timeout ? `, timeout ${timeout}` : ''})`, pause, (s) => seatAt(s, u), (s, seat) => {
    const to = idAt(s, v) === seat.id ? idAt(s, v + 1) : idAt(s, v);
    return { op: 'call', to, type, ...(timeout !== undefined ? { timeout } : {}) };
  }),
);
const groupCall = fc.tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 3 }), fc.constantFrom(1 as const, 2 as const), fc.boolean(), fc.constantFrom(...TIMEOUTS), PAUSE).map(
  ([u, vs, type, viaGroup, timeout, pause]) =>
    verb(`groupCall(${u}->[${vs}], type ${type}, ${viaGroup ? 'group' : 'c2c'}${timeout ? `, timeout ${timeout}` : ''})`, pause, (s) => seatAt(s, u), (s, seat) => {
      const ids = [...new Set(vs.map((v) => idAt(s, v)))].filter((id) => id !== seat.id);
      const to = ids.length > 0 ? ids : [idAt(s, u + 1)];
      return { op: 'groupCall', to, type, viaGroup, ...(timeout !== undefined ? { timeout } : {}) };
    }),
);
const accept = fc.tuple(user, PAUSE).map(([k, pause]) => verb(`accept(ringing #${k})`, pause, (s) => pick(s, k, ringing), () => ({ op: 'accept' })));
const reject = fc.tuple(user, fc.boolean(), PAUSE).map(([k, busy, pause]) => verb(`reject(ringing #${k}${busy ? ', busy' : ''})`, pause, (s) => pick(s, k, ringing), () => ({ op: 'reject', busy })));
const hangup = fc.tuple(user, PAUSE).map(([k, pause]) => verb(`hangup(live #${k})`, pause, (s) => pick(s, k, live), () => ({ op: 'hangup' })));
const camera = fc.tuple(user, fc.boolean(), PAUSE).map(([k, on, pause]) => verb(`camera(live #${k}, ${on})`, pause, (s) => pick(s, k, live), () => ({ op: 'camera', on })));
const mic = fc.tuple(user, fc.boolean(), PAUSE).map(([k, muted, pause]) => verb(`mic(live #${k}, muted ${muted})`, pause, (s) => pick(s, k, live), () => ({ op: 'mic', muted })));
const logout = fc.tuple(user, PAUSE).map(([u, pause]) => verb(`logout(${u})`, pause, (s) => seatAt(s, u), () => ({ op: 'logout' })));
const login = fc.tuple(user, PAUSE).map(([u, pause]) => verb(`login(${u})`, pause, (s) => seatAt(s, u), () => ({ op: 'login' })));
/** The user logs in on a new client (of any kind): TIM kicks the first one out. */
const kick = fc.tuple(user, fc.constantFrom(...KINDS)).map(([u, kind]) => cmd(`secondLogin(${u}, ${kind})`, (s) => secondLogin(s, idAt(s, u), kind)));
const shortStep = fc.constantFrom(...SHORT_STEPS).map((ms) => cmd(`advance(${ms})`, (s) => s.world.advance(ms)));
const longStep = fc.constantFrom(...LONG_STEPS).map((ms) => cmd(`advance(${ms})`, (s) => s.world.advance(ms)));

/** Weighted by repetition: calls, answers and short steps most; logouts and second logins least. */
export const interopCommandArbitraries: fc.Arbitrary<InteropCmd>[] = [
  call, call, call, groupCall, groupCall,
  accept, accept, accept, accept, reject, reject, hangup, hangup,
  camera, mic,
  shortStep, shortStep, longStep, longStep,
  logout, login, kick,
];
