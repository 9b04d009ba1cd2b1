/**
 * The real system under property test: 2-5 TRTCCalling clients on one network and a simulated
 * clock, each one device of its user (many devices: a run may log a user in on a second device).
 * The network is the memory hub (`memoryNetwork`, with its IM faults) or the embedded server over
 * real sockets (`embeddedNetwork.ts`). Each device has one timeline: every event it received and
 * every API call that succeeded, in the order they happened.
 */
import { type Backend, CallingError, NOTICE_EVENTS, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, drain, SimulatedClock, type MemoryNetwork } from '../../src/testing';
import type { Entry } from './invariants';

export interface User {
  /** The user's ID (shared by all its devices). */
  readonly id: string;
  /** The device's name in messages: `bob`, or `bob@2` for Bob's second device. */
  readonly label: string;
  /** Which device of its user (1 or 2). */
  readonly n: number;
  /** Its page went away (`unload`): no API calls, no more events; no longer checked. */
  gone: boolean;
  readonly calling: TRTCCalling;
  readonly timeline: Entry[];
  /** Calls this user dialled or accepted (each owes exactly one CALL_END). */
  opened: number;
  /** Errors that were not the typed refusals the API promises. */
  readonly untyped: unknown[];
}

/** What carries the clients of a run: its backends, its clock, and (memory only) its IM's faults. */
export interface Network {
  readonly clock: SimulatedClock;
  /** The backend of device `n` of `userID`, many devices allowed. */
  backend(userID: string, n: number): Backend;
  /** A userSig the network accepts for `userID`. */
  userSig(userID: string): string;
  /** IM group `groupID` with `members`. */
  createGroup(groupID: string, members: readonly string[]): Promise<void>;
  /** Lets `ms` of virtual time pass. */
  advance(ms: number): Promise<void>;
  /** Lets what is due now happen. */
  settle(): Promise<void>;
  /** Ends every fault of the run (before everything settles). */
  heal(): void;
  dispose(): Promise<void>;
  /** The memory hub's IM, whose faults the memory runs inject; none over the embedded server. */
  readonly im?: MemoryNetwork['im'];
  /** The embedded server's faults (and its sockets'); none over the memory hub. */
  readonly server?: {
    /** The server drops every connection of `userID` (the clients reconnect). */
    dropConnections(userID: string): Promise<void>;
    restart(): Promise<void>;
    /** Device `n` of `userID`'s connection goes silent both ways, a half-open socket: only its keepalive finds out. */
    silence(userID: string, n: number): void;
    /** Device `n` of `userID`'s socket closes as its page goes away (1001, in the turn of its `destroy()`). */
    unload(userID: string, n: number): void;
    /** Device `n` of `userID` crashed: nothing it writes from now on gets out (its sockets, and any it opens, are silent). */
    crash(userID: string, n: number): void;
    /** Device `n` of `userID` is out of the network for `ms` (a tunnel): its socket, and any it opens meanwhile, silent. */
    offline(userID: string, n: number, ms: number): void;
    /** The next socket device `n` of `userID` opens goes half-open as it sends its login (the login is lost). */
    loseNextLogin(userID: string, n: number): void;
  };
  /**
   * Runs `then` in the turn device `n` of `userID` writes its next frame of type `type` to the
   * server, before the server handles it (so what `then` sends crosses it on the way); returns a
   * function that forgets `then` if it has not run. The embedded server only (its lock-step network
   * moves one frame at a time); over the memory hub a message is on its way for its latency anyway.
   */
  whenSent?(userID: string, n: number, type: string, then: () => void): () => void;
}

/** The memory hub as a {@link Network}. */
export function memoryNetwork(): Network {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock, multiDevice: true });
  return {
    clock,
    im: net.im,
    backend: (id, n) => net.backend({ multiDevice: true, deviceID: `${id}-${n}` }),
    userSig: () => 'sig',
    createGroup: async (groupID, members) => void net.im.createGroup(groupID, members),
    advance: (ms) => net.advance(ms),
    settle: () => net.settle(),
    heal() {
      net.im.setFaults({ dropRate: 0, duplicateRate: 0, reorderRate: 0 });
      for (const id of USER_IDS) net.im.setReachable(id, true);
    },
    dispose: async () => {},
  };
}

export interface System {
  readonly net: Network;
  readonly clock: SimulatedClock;
  /** The first device of each user. */
  readonly users: User[];
  /** More devices of some users (`addDevice`). */
  readonly devices: User[];
  /**
   * Set once the run lost or held back messages (a drop rate, an unreachable user): then a switch
   * can be accepted by one side and time out on the other (as with Tencent's own clients), so
   * agreement on the call type is only checked for runs without.
   */
  lossy: boolean;
}

export const USER_IDS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const NAMES = NOTICE_EVENTS; // listening to the measurements would start them

/** One device of `id` on the network (its `n`-th), recording its timeline. */
function device(net: Network, id: string, n: number): User {
  return tracked(new TRTCCalling({ SDKAppID: 1, backend: net.backend(id, n) }), id, n);
}

/**
 * `calling` as device `n` of `id`, its timeline recorded from now on (before any call: the
 * interop tier's clients, made by its world, are tracked right after their login).
 */
export function tracked(calling: TRTCCalling, id: string, n: number): User {
  const timeline: Entry[] = [];
  for (const name of NAMES)
    calling.on(name, (payload: unknown) => timeline.push({ kind: 'event', name, payload: payload as Record<string, unknown> }));
  const user: User = { id, label: n === 1 ? id : `${id}@${n}`, n, gone: false, calling, timeline, opened: 0, untyped: [] };
  // A dial's call starts when the line takes it: call() and groupCall() settle once its invitation went (or
  // could not: the call ended then, and they reject), and the call's events may come before that. So does a
  // join's (a call of no inviter): joinInGroupCall() settles a few turns after, its room's refusal can come first.
  let last: string | null = null;
  calling.subscribe(() => {
    const call = calling.getSnapshot().call;
    const fresh = call !== null && call.inviteID !== last;
    last = call?.inviteID ?? null;
    if (!fresh) return;
    const method = call.role === 'caller' && call.state === 'dialing' ? (call.isGroup ? 'groupCall' : 'call') : call.role === 'callee' && call.sponsor === '' ? 'join' : null;
    if (method === null) return;
    timeline.push({ kind: 'api', method });
    user.opened += 1;
  });
  return user;
}

export async function createSystem(userCount: number, net: Network = memoryNetwork()): Promise<System> {
  const users = USER_IDS.slice(0, userCount).map((id) => device(net, id, 1));
  await net.createGroup('everyone', users.map((u) => u.id));
  for (const user of users) await user.calling.login({ userID: user.id, userSig: net.userSig(user.id) });
  await net.settle();
  return { net, clock: net.clock, users, devices: [], lossy: false };
}

/** The most devices a run adds (beyond each user's first). */
export const MAX_EXTRA_DEVICES = 3;

/** Logs `user` in on one more device (at most two per user, {@link MAX_EXTRA_DEVICES} in all). */
export async function addDevice(system: System, user: User): Promise<void> {
  if (system.devices.length >= MAX_EXTRA_DEVICES || system.devices.some((d) => d.id === user.id)) return;
  const extra = device(system.net, user.id, 2);
  system.devices.push(extra);
  await attempt(extra, 'login', (c) => c.login({ userID: user.id, userSig: system.net.userSig(user.id) }));
}

/** Every device still there: the first of each user, then the added ones. */
export const everyDevice = (system: System): User[] => [...system.users, ...system.devices].filter((d) => !d.gone);

type Method = 'login' | 'logout' | 'call' | 'groupCall' | 'accept' | 'reject' | 'hangup' | 'media' | 'switch' | 'invite' | 'join';

/**
 * Starts an API call without waiting for it: some settle only when the clock moves (logout
 * waits for the call to end). Its outcome is recorded when it settles; a typed refusal is an
 * expected outcome, anything else is recorded as untyped.
 */
export async function attempt(user: User, method: Method, action: (c: TRTCCalling) => Promise<unknown>, invited: readonly string[] = []): Promise<void> {
  // Invited into the call in progress: they may answer (again) in it. Recorded as the call is made,
  // not as it settles: an invitation the IM refused is answered NO_RESP before inviteUser() resolves
  // (README, "Testing your app"); taken back if it fails, when nobody was invited.
  const invite = method === 'invite' ? ({ kind: 'api', method, users: invited } as const) : null;
  if (invite) user.timeline.push(invite);
  action(user.calling).then(
    (value) => {
      // accept() / reject() with nothing ringing did nothing, as trtc-calling-js's: they resolve with nothing.
      if ((method === 'accept' || method === 'reject') && value === undefined) return;
      // A dial or a join is recorded when the line takes it (see `device`).
      if (method === 'accept') user.opened += 1;
      if (method === 'accept' || method === 'reject' || method === 'logout') user.timeline.push({ kind: 'api', method });
    },
    (error: unknown) => {
      if (invite) user.timeline.splice(user.timeline.indexOf(invite), 1);
      if (!(error instanceof CallingError)) user.untyped.push(error);
    },
  );
  await drain();
}

export async function dispose(system: System): Promise<void> {
  for (const user of [...system.users, ...system.devices]) void user.calling.destroy();
  await system.net.dispose();
}
