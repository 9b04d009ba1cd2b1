/**
 * Property test between our clients and Tencent's own: 2-4 users, each on ours (`tencentBackend`),
 * trtc-calling-js 1.0.6, TUICallEngine 3.1.7 or call-engine-js 3.3.4 (unmodified), over the interop tier's fake IM and
 * TRTC on one simulated clock (interopSystem.ts); random API calls, clock steps, logouts and
 * second logins (interopCommands.ts); our clients' invariants after every step, and the
 * cross-client agreement once every timer ran out (interopInvariants.ts).
 *
 * `npm test` and `npm run test:property` replay one fixed seed, 25 runs (each loads Tencent's
 * bundles into fresh pages); `INTEROP_PROPERTY_RUNS` hunts (that many runs of a new seed each time),
 * `PROPERTY_SEED` replays one; `PROPERTY_PATH` (a failure's `path`, with its seed) replays just that run,
 * and `PROPERTY_REPLAY_PATH` (the counterexample's `replayPath`) too for a shrunk one, as in
 * embedded.property.test.ts. Hunting still finds failures not yet classified (Tencent's, a fake's
 * or ours: README, Testing), so the team's long run does not draw new seeds here yet.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPOCH, interopWorld } from '../interop/support/interopWorld';
import { trapRealNetwork, type NetworkTrap } from '../interop/support/noRealNetwork';
import { interopCommandArbitraries, type InteropCmd } from './interopCommands';
import { checkAllOver, checkQuiescent, oursViolations } from './interopInvariants';
import { abandon, act, createInteropSystem, harvest, liveSeats, status, type InteropSystem, type SeatKind } from './interopSystem';

const RUNS = Number(process.env.INTEROP_PROPERTY_RUNS ?? 25);
const FIXED_SEED = 20261206;
const SEED = Number(process.env.PROPERTY_SEED ?? (process.env.INTEROP_PROPERTY_RUNS ? Math.floor(Math.random() * 2 ** 31) : FIXED_SEED));
/** fast-check's `path` of a failure (with its PROPERTY_SEED): replays that one run and its shrinking, as in embedded.property.test.ts. */
const PATH = process.env.PROPERTY_PATH;
/** The counterexample's `replayPath` (printed after its commands), needed to replay a shrunk one. */
const REPLAY_PATH = process.env.PROPERTY_REPLAY_PATH;

const KIND = fc.constantFrom<SeatKind>('ours', 'official', 'tui', 'callEngine');
/** 2-4 users; at least one on ours and one on Tencent's (ours among ours is the other tiers' business). */
const kinds = fc.array(KIND, { minLength: 2, maxLength: 4 }).map((ks) => {
  const out: SeatKind[] = [...ks];
  if (!out.includes('ours')) out[0] = 'ours';
  if (!out.some((k) => k !== 'ours')) out[1] = ks.length > 2 && ks[2] === 'tui' ? 'tui' : 'official';
  return out;
});

/**
 * A rejection Tencent's clients left unhandled, thrown from their own code (its first frame in
 * their bundles): e.g. trtc-calling-js's second logout() resets a TRTC client it already dropped
 * ("Cannot read properties of null (reading 'reset')"). Not ours; any other is reported.
 */
const TENCENT_FRAME = /\/node_modules\/(trtc-calling-js|tsignaling|tuicall-engine-webrtc|@tencentcloud\/(call-engine-js|src))\//;
function tencents(reason: unknown): boolean {
  const frame = String((reason as Error | null)?.stack ?? '').split('\n').find((l) => l.trimStart().startsWith('at '));
  return frame !== undefined && TENCENT_FRAME.test(frame);
}

/** The wire (every IM message, raw: Tencent's may carry what the interop tier's WireRecorder refuses) and every client's log. */
function report(s: InteropSystem): string {
  const ids = new Map<string, string>();
  const label = (id: string) => ids.get(id) ?? (ids.set(id, `id${ids.size + 1}`), ids.get(id)!);
  const wire = s.world.im.log.map((m) => {
    const env = JSON.parse(m.payload.data) as { actionType?: number; inviteID?: string; inviteeList?: string[]; data?: string };
    let inner: { data?: { cmd?: string }; line_busy?: string; room_id?: unknown } = {};
    try {
      inner = JSON.parse(env.data ?? '{}') as typeof inner;
    } catch {
      // not av_call data
    }
    const offline = m.recipients.filter((r) => !r.online).map((r) => r.userID);
    const action = ['', 'INVITE', 'CANCEL', 'ACCEPT', 'REJECT', 'TIMEOUT'][env.actionType ?? 0];
    return `  ${m.at - EPOCH} ${m.from} -> ${m.to} ${action} ${label(env.inviteID ?? '')} ${inner.data?.cmd ?? ''}${inner.line_busy !== undefined ? ' busy' : ''} room ${String(inner.room_id)} [${env.inviteeList?.join(',')}]${offline.length ? ` offline:${offline.join(',')}` : ''}`;
  });
  const named = (name: string, payload: unknown) => {
    const who = (payload as { userID?: unknown } | null)?.userID;
    return typeof who === 'string' ? `${name}(${who})` : name;
  };
  const seats = s.seats.map((x) =>
    `  ${x.label} (${x.kind}${x.retired ? ', retired' : ''}${x.abandoned ? ', abandoned' : ''}): ` +
    (x.user ? x.user.timeline.map((e) => (e.kind === 'api' ? `${e.method}()` : named(e.name, e.payload))) : x.log.map((e) => named(e.name, e.payload))).join(' ') +
    (x.refusals.length ? `\n    refused: ${x.refusals.join('; ')}` : ''),
  );
  return `steps: ${s.steps.join('; ')}\nwire (ms, from -> to, action, invite, cmd, room, invitees):\n${wire.join('\n')}\nclients:\n${seats.join('\n')}`;
}

/** One run: the commands, then every timer run out (checked), everyone hangs up (checked), ours log out (checked). */
async function run(ks: SeatKind[], cmds: Iterable<InteropCmd>): Promise<void> {
  const world = interopWorld();
  let s: InteropSystem | undefined;
  try {
    s = await createInteropSystem(world, ks);
    const system = s;
    await fc.asyncModelRun(() => ({ model: {}, real: system }), cmds);
    const problems: string[] = [];
    await world.advance(120_000);
    harvest(s);
    problems.push(...checkQuiescent(s).map((p) => `at quiescence: ${p}`));
    for (const seat of liveSeats(s)) if (status(seat) !== 'idle') await act(seat, { op: 'hangup' });
    abandon(s);
    await world.advance(120_000);
    harvest(s);
    problems.push(...checkAllOver(s));
    for (const seat of liveSeats(s)) if (seat.user) await act(seat, { op: 'logout' });
    await world.advance(60_000);
    harvest(s);
    problems.push(...oursViolations(s), ...world.unhandled.filter((e) => !tencents(e)).map((e) => `unhandled rejection: ${String((e as Error)?.stack ?? e)}`));
    if (problems.length > 0) throw new Error(problems.join('\n'));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${s ? report(s) : ''}`, { cause: error });
  } finally {
    await world.dispose();
  }
}

describe('ours and Tencent\'s clients: property-based call sequences', () => {
  let trap: NetworkTrap;
  beforeAll(() => {
    trap = trapRealNetwork();
  });
  afterAll(() => {
    trap.restore();
    expect(trap.attempts).toEqual([]);
  });

  it(`keep their invariants over ${RUNS} random runs (seed ${SEED})`, async () => {
    console.log(`interop property seed: ${SEED} (replay with PROPERTY_SEED=${SEED})`);
    await fc.assert(
      fc.asyncProperty(kinds, fc.commands(interopCommandArbitraries, { maxCommands: 30, size: 'large', ...(REPLAY_PATH ? { replayPath: REPLAY_PATH } : {}) }), (ks, cmds) => run(ks, cmds)),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH, endOnFailure: true } : {}) },
    );
    expect(trap.attempts).toEqual([]);
  }, 600_000);
});
