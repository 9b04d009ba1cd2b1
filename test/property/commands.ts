/**
 * The fast-check commands: user actions, clock steps short of and past the timeouts, and
 * network faults from the memory hub. The model is empty on purpose: every command is
 * always allowed (a refusal is a legal outcome); correctness is in the invariants.
 */
import fc from 'fast-check';
import { drain } from '../../src/testing';
import { addDevice, attempt, everyDevice, USER_IDS, type System } from './harness';
import { violations } from './invariants';

type Model = Record<string, never>;
type Cmd = fc.AsyncCommand<Model, System>;

/** The i-th device (first devices, then added ones); a user's ID by index. */
const userOf = (s: System, i: number) => everyDevice(s)[i % everyDevice(s).length]!;
const idOf = (s: System, i: number) => USER_IDS[i % s.users.length]!;
/** The v-th user's ID, or the next one when that is the caller itself. */
const calleeOf = (s: System, v: number, self: string) => (idOf(s, v) === self ? idOf(s, v + 1) : idOf(s, v));

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
const SHORT_STEPS = [0, 10, 20, 50, 1_000] as const;
const LONG_STEPS = [4_990, 5_000, 29_990, 30_000, 35_000, 60_000] as const;

/** The users whose call is in one of these states (commands aim at them, so runs get somewhere). */
const usersIn = (s: System, states: readonly string[]) =>
  everyDevice(s).filter((u) => states.includes(u.calling.getSnapshot().call?.state ?? 'none'));

/** The k-th user in a state, or any user when nobody is (the refusal is then the outcome). */
const pick = (s: System, k: number, states: readonly string[]) => {
  const candidates = usersIn(s, states);
  return candidates.length > 0 ? candidates[k % candidates.length]! : userOf(s, k);
};

const LIVE = ['dialing', 'ringing', 'accepting', 'inCall'] as const;

const call = fc.tuple(user, user, fc.constantFrom(1 as const, 2 as const), fc.constantFrom(...TIMEOUTS)).map(([u, v, type, timeout]) =>
  cmd(`call(${u}->${v}, type ${type}, timeout ${timeout})`, (s) =>
    attempt(userOf(s, u), 'call', (c) => c.call({ userID: calleeOf(s, v, userOf(s, u).id), type, timeout })),
  ),
);
const groupCall = fc.tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom(...TIMEOUTS)).map(
  ([u, vs, viaGroup, timeout]) =>
    cmd(`groupCall(${u}->[${vs}], ${viaGroup ? 'group' : 'c2c'}, timeout ${timeout})`, (s) => {
      const self = userOf(s, u).id;
      const userIDList = [...new Set(vs.map((v) => idOf(s, v)))].filter((id) => id !== self);
      // During a group call it dialled, groupCall() invites into it (the spec's 2.7).
      const live = userOf(s, u).calling.getSnapshot().call;
      const inviting = live?.isGroup === true && live.role === 'caller' && (live.state === 'dialing' || live.state === 'inCall');
      return attempt(userOf(s, u), inviting ? 'invite' : 'groupCall', (c) =>
        c.groupCall({ userIDList, type: 2, timeout, ...(viaGroup ? { groupID: 'everyone' } : {}) }),
      inviting ? userIDList : []);
    }),
);
const accept = user.map((k) => cmd(`accept(ringing #${k})`, (s) => attempt(pick(s, k, ['ringing']), 'accept', (c) => c.accept())));
/** Many devices: every ringing device of one user accepts at once (the race the room decides). */
const acceptEverywhere = user.map((k) =>
  cmd(`acceptEverywhere(ringing #${k})`, async (s) => {
    const first = pick(s, k, ['ringing']);
    for (const d of usersIn(s, ['ringing']).filter((d) => d.id === first.id)) await attempt(d, 'accept', (c) => c.accept());
  }),
);
const reject = fc.tuple(user, fc.boolean()).map(([k, busy]) =>
  cmd(`reject(ringing #${k}, busy ${busy})`, (s) => attempt(pick(s, k, ['ringing']), 'reject', (c) => c.reject({ isBusy: busy }))),
);
const hangup = user.map((k) => cmd(`hangup(live #${k})`, (s) => attempt(pick(s, k, LIVE), 'hangup', (c) => c.hangup())));
const camera = fc.tuple(user, fc.boolean()).map(([k, on]) =>
  cmd(`camera(live #${k}, ${on})`, (s) => attempt(pick(s, k, LIVE), 'media', (c) => (on ? c.openCamera() : c.closeCamera()))),
);
const mic = fc.tuple(user, fc.boolean()).map(([k, muted]) =>
  cmd(`setMicMute(live #${k}, ${muted})`, (s) => attempt(pick(s, k, LIVE), 'media', (c) => c.setMicMute(muted))),
);
const switchType = fc.tuple(user, fc.constantFrom(1 as const, 2 as const)).map(([k, to]) =>
  cmd(`switchTo${to === 1 ? 'Audio' : 'Video'}Call(inCall #${k})`, (s) =>
    attempt(pick(s, k, ['inCall']), 'switch', (c) => (to === 1 ? c.switchToAudioCall() : c.switchToVideoCall())),
  ),
);
const inviteMore = fc.tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 3 })).map(([k, vs]) =>
  cmd(`inviteUser(group caller #${k} -> [${vs}])`, (s) => {
    const inviter = pick(s, k, ['dialing', 'inCall']);
    const userIDList = [...new Set(vs.map((v) => idOf(s, v)))].filter((id) => id !== inviter.id);
    const list = userIDList.length > 0 ? userIDList : [idOf(s, k + 1)];
    return attempt(inviter, 'invite', (c) => c.inviteUser({ userIDList: list }), list);
  }),
);
/** Someone joins the call of group "everyone" going on in the room of the k-th user in a call (or a room nobody is in). */
const join = fc.tuple(user, user).map(([u, k]) =>
  cmd(`joinInGroupCall(${u} -> room of #${k})`, (s) => {
    const host = pick(s, k, ['inCall']).calling.getSnapshot().call;
    const roomID = host?.roomID ?? 4242;
    const joiner = userOf(s, u);
    const inRoom = s.users.filter((o) => o !== joiner && o.calling.getSnapshot().call?.roomID === roomID);
    return attempt(joiner, 'join', async (c) => {
      await c.joinInGroupCall({ groupID: 'everyone', roomID, callType: host?.callType ?? 2 });
      for (const o of inRoom) o.timeline.push({ kind: 'api', method: 'admit', users: [joiner.id] });
    });
  }),
);
const logout = user.map((u) => cmd(`logout(${u})`, (s) => attempt(userOf(s, u), 'logout', (c) => c.logout())));
const login = user.map((u) => cmd(`login(${u})`, (s) => attempt(userOf(s, u), 'login', (c) => c.login({ userID: userOf(s, u).id, userSig: s.net.userSig(userOf(s, u).id) }))));
/** Many devices: the user logs in on a second device, which rings with the first from then on. */
const secondDevice = user.map((u) => cmd(`secondDevice(${u})`, (s) => addDevice(s, s.users[u % s.users.length]!)));
/** The memory hub's IM (the fault commands run on the memory network only). */
function memoryIm(s: System): NonNullable<System['net']['im']> {
  if (!s.net.im) throw new Error('IM faults need the memory network');
  return s.net.im;
}
const shortStep = fc.constantFrom(...SHORT_STEPS).map((ms) => cmd(`advance(${ms})`, (s) => s.net.advance(ms)));
const longStep = fc.constantFrom(...LONG_STEPS).map((ms) => cmd(`advance(${ms})`, (s) => s.net.advance(ms)));
const reachable = fc.tuple(user, fc.boolean()).map(([u, up]) =>
  cmd(`reachable(${u}, ${up})`, async (s) => {
    if (!up) s.lossy = true;
    memoryIm(s).setReachable(idOf(s, u), up);
  }),
);
const faults = fc
  .record({
    dropRate: fc.constantFrom(0, 0, 0.1, 0.3),
    duplicateRate: fc.constantFrom(0, 0.2, 0.5),
    reorderRate: fc.constantFrom(0, 0.3),
    seed: fc.nat(1000),
  })
  .map((f) =>
    cmd(`faults(${JSON.stringify(f)})`, async (s) => {
      if (f.dropRate > 0) s.lossy = true;
      memoryIm(s).setFaults(f);
    }),
  );

/** The API calls and clock steps, weighted by repetition: calls, answers and small clock steps most, logouts least. */
const everywhere: fc.Arbitrary<Cmd>[] = [
  call, call, call, groupCall,
  accept, accept, accept, accept, reject, hangup, hangup,
  camera, mic, switchType, inviteMore, join,
  shortStep, shortStep, shortStep, shortStep, longStep, longStep,
  logout, login,
  secondDevice, secondDevice, acceptEverywhere,
];

/** Over the memory hub: with its IM's faults (an unreachable user, drops, duplicates, reordering). */
export const commandArbitraries: fc.Arbitrary<Cmd>[] = [...everywhere, reachable, faults];

/** The embedded server's faults: a user's connections dropped (its clients reconnect and resume), a restart. */
function embeddedServer(s: System): NonNullable<System['net']['server']> {
  if (!s.net.server) throw new Error('server faults need the embedded network');
  return s.net.server;
}
const dropConnections = user.map((u) => cmd(`dropConnections(${u})`, (s) => embeddedServer(s).dropConnections(idOf(s, u))));
const restartServer = fc.constant(cmd('restartServer()', (s) => embeddedServer(s).restart()));
/** A device's socket goes half-open: neither side hears the other; its keepalive finds out (20-30 s) and it resumes. */
const silence = user.map((u) =>
  cmd(`silence(${u})`, async (s) => {
    const d = userOf(s, u);
    embeddedServer(s).silence(d.id, d.n);
  }),
);
/**
 * A device's page goes away: destroy() not awaited, its socket closed in the same turn; or it
 * crashes: nothing it writes gets out any more (the server ends its session after the resume
 * grace once its keepalive closes the socket). Two devices are always left.
 */
const unload = fc.tuple(user, fc.boolean()).map(([u, crash]) =>
  cmd(`${crash ? 'crash' : 'unload'}(live #${u})`, async (s) => {
    if (everyDevice(s).length <= 2) return;
    const d = pick(s, u, LIVE);
    d.gone = true;
    if (crash) embeddedServer(s).crash(d.id, d.n);
    void d.calling.destroy();
    if (!crash) embeddedServer(s).unload(d.id, d.n);
    await drain();
  }),
);

/**
 * A device leaves the network for a while (a tunnel, a network switch): silent both ways, the sockets it opens
 * meanwhile too. Shorter than its keepalive's 30 s, it resumes; longer than that and the server's 10 s room grace,
 * its session is gone and it logs in anew.
 */
const offline = fc.tuple(user, fc.constantFrom(5_000, 25_000, 60_000)).map(([u, ms]) =>
  cmd(`offline(${u}, ${ms})`, async (s) => {
    const d = userOf(s, u);
    embeddedServer(s).offline(d.id, d.n, ms);
  }),
);
/** A device's next socket goes half-open as it opens: its login is lost, and the client gives up on it (15 s). */
const loseNextLogin = user.map((u) =>
  cmd(`loseNextLogin(${u})`, async (s) => {
    const d = userOf(s, u);
    embeddedServer(s).loseNextLogin(d.id, d.n);
  }),
);

/** Over the embedded server: no IM faults (its WebSocket delivers in order), its own and its sockets' instead. */
export const embeddedCommandArbitraries: fc.Arbitrary<Cmd>[] = [...everywhere, dropConnections, dropConnections, restartServer, silence, unload, offline, loseNextLogin];
