/**
 * The fast-check commands: user actions, clock steps short of and past the timeouts, and
 * network faults from the memory hub. The model is empty on purpose: every command is
 * always allowed (a refusal is a legal outcome); correctness is in the invariants.
 */
import fc from 'fast-check';
import { drain } from '../../src/testing';
import { addDevice, attempt, everyDevice, USER_IDS, type System, type User } from './harness';
import type { ClusterFaults, ClusterNetwork } from './clusterNetwork';
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
/** `caller`'s groupCall(): a new group call, or during a group call it dialled an invitation into it (the spec's 2.7). */
function groupDial(caller: User, userIDList: string[], timeout: number, viaGroup: boolean): Promise<void> {
  const live = caller.calling.getSnapshot().call;
  const inviting = live?.isGroup === true && live.role === 'caller' && (live.state === 'dialing' || live.state === 'inCall');
  return attempt(caller, inviting ? 'invite' : 'groupCall', (c) => c.groupCall({ userIDList, type: 2, timeout, ...(viaGroup ? { groupID: 'everyone' } : {}) }), inviting ? userIDList : []);
}
const groupCall = fc.tuple(user, fc.uniqueArray(user, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom(...TIMEOUTS)).map(
  ([u, vs, viaGroup, timeout]) =>
    cmd(`groupCall(${u}->[${vs}], ${viaGroup ? 'group' : 'c2c'}, timeout ${timeout})`, (s) => {
      const self = userOf(s, u).id;
      return groupDial(userOf(s, u), [...new Set(vs.map((v) => idOf(s, v)))].filter((id) => id !== self), timeout, viaGroup);
    }),
);
const accept = user.map((k) => cmd(`accept(ringing #${k})`, (s) => attempt(pick(s, k, ['ringing']), 'accept', (c) => c.accept())));
/** How a ringing device answers in {@link answerEverywhere}, and the frame that answer writes first. */
const ANSWERS = ['accept', 'reject', 'busy'] as const;
type Answer = (typeof ANSWERS)[number];
const FIRST_FRAME: Record<Answer, string> = { accept: 'roomEnter', reject: 'sendC2C', busy: 'sendC2C' };
/**
 * What each device of a user answers (a user has at most two), and when: `together`, in one turn
 * (the reject goes out first: an accept enters the room before it answers); `crossing`, the second
 * as the first's frame goes out (an accept's enter, on its way, then the other's reject or busy:
 * the enter claims the answer and the ledger drops the other).
 */
const answers = fc.tuple(fc.constantFrom(...ANSWERS), fc.constantFrom(...ANSWERS), fc.constantFrom('together', 'crossing'));
type Answers = readonly [Answer, Answer, 'together' | 'crossing'];

/** Device `d` answers `kind`. */
const answerAs = (d: User, kind: Answer) =>
  kind === 'accept' ? attempt(d, 'accept', (c) => c.accept()) : attempt(d, 'reject', (c) => c.reject({ isBusy: kind === 'busy' }));

/** Every ringing device of user `id` answers, the i-th with `how[i]`, at the moment `how[2]` says. */
async function answerAll(s: System, id: string, how: Answers): Promise<void> {
  const devices = usersIn(s, ['ringing']).filter((d) => d.id === id);
  const answer = (d: User, i: number) => answerAs(d, how[i % 2] as Answer);
  const [first, ...others] = devices;
  if (how[2] === 'together' || !first || others.length === 0) {
    // Not one after the other: each attempt lets a turn pass, and the network may move in it.
    await Promise.all(devices.map(answer));
    return;
  }
  let answered = false;
  const answerRest = () => {
    if (answered) return;
    answered = true;
    void Promise.all(others.map((d, i) => answer(d, i + 1)));
  };
  const forget = s.net.whenSent?.(first.id, first.n, FIRST_FRAME[how[0]], answerRest);
  await answer(first, 0);
  // Over the embedded server the rest answer as the first's frame goes out; it wrote none (refused before): they answer now.
  if (forget) await s.net.settle();
  forget?.();
  answerRest();
  await drain();
}

/**
 * Many devices: every ringing device of one user answers, each its own way (accept, reject,
 * reject busy), all in one turn or the rest while the first one's frame is on its way: the answers
 * cross at the server, and the room (one device per room) and the answer ledger (one answer per
 * user) decide. Both accepting is the race of two accepts; an accept beside a reject or a busy is
 * an enter that must be refused, or an answer that must be dropped.
 */
const answerEverywhere = fc.tuple(user, answers).map(([k, how]) =>
  cmd(`answerEverywhere(ringing #${k}, ${how.join('/')})`, (s) => answerAll(s, pick(s, k, ['ringing']).id, how)),
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
    const inRoom = everyDevice(s).filter((o) => o !== joiner && o.calling.getSnapshot().call?.roomID === roomID);
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

/** The k-th of `list`, or `fallback` when it is empty. */
const nth = <T>(list: readonly T[], k: number, fallback: T): T => (list.length > 0 ? list[k % list.length]! : fallback);

/**
 * The race of {@link answerEverywhere}, brought about: random steps all but never have two devices
 * of one user ringing (300 embedded runs, 6,400 steps: 41 such steps, and answerEverywhere came at
 * none). A user none of whose devices is in a call gets a second device (unless it has one or there
 * is no room), a device in no call calls it, in a group call beside another user (who rings on, so
 * the caller stays in the room and hears what comes after the first answer) or 1v1, and once it
 * rang every device of it answers in one turn. Or (`alone`) 1v1 with no timeout, and one device
 * answers: the other must be told, or it rings on until everything settles (`checkToldElsewhere`),
 * where a timeout would have ended it unseen. Whatever else is going on goes on. Over the memory
 * hub too: without it 1,000 memory runs never had a device accept beside another's reject, and the
 * hub's rule that keeps such a device out of the room (`mayEnter`) could be broken unseen.
 */
const crossedAnswers = fc.tuple(user, user, fc.constantFrom('group', '1v1', 'alone'), answers).map(([u, v, kind, how]) =>
  cmd(`crossedAnswers(${u}->${v}, ${kind}, ${how.join('/')})`, async (s) => {
    const free = (d: User) => d.calling.getSnapshot().call === null;
    const callee = nth(s.users.filter((x) => everyDevice(s).every((d) => d.id !== x.id || free(d))), v, s.users[v % s.users.length]!);
    const caller = nth(everyDevice(s).filter((d) => d.id !== callee.id && free(d)), u, userOf(s, u));
    await addDevice(s, callee);
    await s.net.advance(50);
    const beside = [...new Set([callee.id, calleeOf(s, v + 1, caller.id)])].filter((id) => id !== caller.id);
    const timeout = kind === 'alone' ? 0 : 30;
    await (kind === 'group' ? groupDial(caller, beside, timeout, false) : attempt(caller, 'call', (c) => c.call({ userID: callee.id, type: 2, timeout })));
    await s.net.advance(50);
    const one = nth<User | undefined>(usersIn(s, ['ringing']).filter((d) => d.id === callee.id), u, undefined);
    await (kind === 'alone' ? one && answerAs(one, how[0]) : answerAll(s, callee.id, how));
  }),
);

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

/** The API calls and clock steps of one device per user, weighted by repetition: calls, answers and small clock steps most, logouts least. */
const oneDevice: fc.Arbitrary<Cmd>[] = [
  call, call, call, groupCall,
  accept, accept, accept, accept, reject, hangup, hangup,
  camera, mic, switchType, inviteMore, join,
  shortStep, shortStep, shortStep, shortStep, longStep, longStep,
  logout, login,
];
/** And with many devices. */
const everywhere: fc.Arbitrary<Cmd>[] = [...oneDevice, secondDevice, secondDevice, answerEverywhere];

/**
 * Over the memory hub: with its IM's faults (an unreachable user, drops, duplicates, reordering), and
 * the race of two devices answering (`crossedAnswers`, in place of one `secondDevice`: it adds the
 * device it needs). npm test's 1,000 runs took 13.4 s without it, 14.5 s with it (2026-12-06, the
 * means of three on a shared 2-core machine, whose load moves each by a few seconds).
 */
export const commandArbitraries: fc.Arbitrary<Cmd>[] = [...oneDevice, secondDevice, answerEverywhere, crossedAnswers, reachable, faults];

/** The embedded server's faults: a user's connections dropped (its clients reconnect and resume), a restart. */
function embeddedServer(s: System): NonNullable<System['net']['server']> {
  if (!s.net.server) throw new Error('server faults need the embedded network');
  return s.net.server;
}
const dropConnections = user.map((u) => cmd(`dropConnections(${u})`, (s) => embeddedServer(s).dropConnections(idOf(s, u))));
// A device ringing as it restarts is told, once it logs in again, of an answer another device of its user gave
// meanwhile (`checkToldElsewhere`; before 2026-12-06 it was exempted there by name: seed 20261205, run 493).
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
export const embeddedCommandArbitraries: fc.Arbitrary<Cmd>[] = [...everywhere, crossedAnswers, dropConnections, dropConnections, restartServer, silence, unload, offline, loseNextLogin];

/** A cluster's own faults (`clusterNetwork.ts`). */
function clusterOf(s: System): ClusterFaults {
  const net = s.net as Partial<ClusterNetwork>;
  if (!net.cluster) throw new Error('cluster faults need the cluster network');
  return net.cluster;
}
/** A node restarts: its users' sockets close (1001) and they resume, on it or on the other node. */
const restartNode = fc.nat(1).map((i) => cmd(`restartNode(${i})`, (s) => clusterOf(s).restartNode(i)));
/** A node loses Redis for a while: it refuses logins (clients go to the other node), then catches up. */
const cutRedis = fc.tuple(fc.nat(1), fc.constantFrom(1_000, 5_000, 15_000)).map(([i, ms]) =>
  cmd(`cutRedis(${i}, ${ms})`, async (s) => clusterOf(s).cutRedis(i, ms)),
);
/** A node reads its subscription late for a while: the other node's changes reach it after its own steps. */
const deafen = fc.tuple(fc.nat(1), fc.constantFrom(0, 50, 1_000, 5_000)).map(([i, ms]) =>
  cmd(`deafen(${i}, ${ms})`, async (s) => clusterOf(s).deafen(i, ms)),
);

/**
 * Two API calls in one turn (each user's first step written before either is handled): users are spread over
 * the nodes, so these are the races between nodes: two calls crossing (glare), an accept crossing a hang-up or a
 * cancel, a logout crossing an invitation. Random steps one after the other race only as far as a turn lets them.
 */
const together = fc.tuple(fc.oneof(call, groupCall, accept, reject, hangup, inviteMore, join, logout, login), fc.oneof(call, accept, reject, hangup, logout, login)).map(([x, y]) => ({
  check: () => true,
  run: async (m: Model, s: System) => void (await Promise.all([x.run(m, s), y.run(m, s)])),
  toString: () => `together(${x.toString()}, ${y.toString()})`,
}));

/**
 * Over a cluster of two nodes: one device per user (cluster mode refuses many), the sockets' faults, a user's
 * connections dropped (on every node), a node restarted, a node's Redis cut for a while, a node hearing
 * what the other publishes late.
 */
export const clusterCommandArbitraries: fc.Arbitrary<Cmd>[] = [...oneDevice, dropConnections, dropConnections, restartNode, silence, unload, offline, loseNextLogin, cutRedis, deafen, deafen, together, together, together];
