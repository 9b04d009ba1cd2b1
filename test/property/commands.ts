/**
 * The fast-check commands: user actions, clock steps short of and past the timeouts, and
 * network faults from the memory hub. The model is empty on purpose: every command is
 * always allowed (a refusal is a legal outcome); correctness is in the invariants.
 */
import fc from 'fast-check';
import { attempt, USER_IDS, type System } from './harness';
import { violations } from './invariants';

type Model = Record<string, never>;
type Cmd = fc.AsyncCommand<Model, System>;

const userOf = (s: System, i: number) => s.users[i % s.users.length]!;
const idOf = (s: System, i: number) => USER_IDS[i % s.users.length]!;

/** A command that, once run, checks every invariant (so a failure names the step that broke it). */
const cmd = (label: string, run: (s: System) => Promise<void>): Cmd => ({
  check: () => true,
  run: async (_m, s) => {
    await run(s);
    const found = violations(s);
    if (found.length > 0) throw new Error(`after ${label}:\n${found.join('\n')}`);
  },
  toString: () => label,
});

const user = fc.nat(4);
const TIMEOUTS = [0, 1, 5, 30] as const;
const STEPS = [0, 10, 20, 50, 1_000, 4_990, 5_000, 29_990, 30_000, 35_000, 60_000] as const;

export const commandArbitraries: fc.Arbitrary<Cmd>[] = [
  fc.tuple(user, user, fc.constantFrom(1 as const, 2 as const), fc.constantFrom(...TIMEOUTS)).map(([u, v, type, timeout]) =>
    cmd(`call(${u}->${v}, type ${type}, timeout ${timeout})`, (s) =>
      attempt(userOf(s, u), 'call', (c) => c.call({ userID: idOf(s, v), type, timeout })),
    ),
  ),
  fc.tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom(...TIMEOUTS)).map(
    ([u, vs, viaGroup, timeout]) =>
      cmd(`groupCall(${u}->[${vs}], ${viaGroup ? 'group' : 'c2c'}, timeout ${timeout})`, (s) => {
        const userIDList = [...new Set(vs.map((v) => idOf(s, v)))];
        return attempt(userOf(s, u), 'groupCall', (c) =>
          c.groupCall({ userIDList, type: 2, timeout, ...(viaGroup ? { groupID: 'everyone' } : {}) }),
        );
      }),
  ),
  user.map((u) => cmd(`accept(${u})`, (s) => attempt(userOf(s, u), 'accept', (c) => c.accept()))),
  fc.tuple(user, fc.boolean()).map(([u, busy]) =>
    cmd(`reject(${u}, busy ${busy})`, (s) => attempt(userOf(s, u), 'reject', (c) => c.reject({ isBusy: busy }))),
  ),
  user.map((u) => cmd(`hangup(${u})`, (s) => attempt(userOf(s, u), 'hangup', (c) => c.hangup()))),
  fc.tuple(user, fc.boolean()).map(([u, on]) =>
    cmd(`camera(${u}, ${on})`, (s) => attempt(userOf(s, u), 'media', (c) => (on ? c.openCamera() : c.closeCamera()))),
  ),
  fc.tuple(user, fc.boolean()).map(([u, muted]) =>
    cmd(`setMicMute(${u}, ${muted})`, (s) => attempt(userOf(s, u), 'media', (c) => c.setMicMute(muted))),
  ),
  user.map((u) => cmd(`logout(${u})`, (s) => attempt(userOf(s, u), 'logout', (c) => c.logout()))),
  user.map((u) => cmd(`login(${u})`, (s) => attempt(userOf(s, u), 'login', (c) => c.login({ userID: idOf(s, u), userSig: 'sig' })))),
  fc.constantFrom(...STEPS).map((ms) => cmd(`advance(${ms})`, (s) => s.net.advance(ms))),
  fc.tuple(user, fc.boolean()).map(([u, reachable]) =>
    cmd(`reachable(${u}, ${reachable})`, async (s) => s.net.im.setReachable(idOf(s, u), reachable)),
  ),
  fc
    .record({
      dropRate: fc.constantFrom(0, 0, 0.1, 0.3),
      duplicateRate: fc.constantFrom(0, 0.2, 0.5),
      reorderRate: fc.constantFrom(0, 0.3),
      seed: fc.nat(1000),
    })
    .map((faults) => cmd(`faults(${JSON.stringify(faults)})`, async (s) => s.net.im.setFaults(faults))),
];
