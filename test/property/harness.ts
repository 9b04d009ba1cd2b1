/**
 * The real system under property test: 2-5 TRTCCalling clients on one memory network and a
 * simulated clock. Each user has one timeline: every event it received and every API call
 * that succeeded, in the order they happened.
 */
import { CallingError, NOTICE_EVENTS, TRTCCalling } from '../../src/index';
import { createMemoryNetwork, drain, SimulatedClock, type MemoryNetwork } from '../../src/testing';
import type { Entry } from './invariants';

export interface User {
  readonly id: string;
  readonly calling: TRTCCalling;
  readonly timeline: Entry[];
  /** Calls this user dialled or accepted (each owes exactly one CALL_END). */
  opened: number;
  /** Errors that were not the typed refusals the API promises. */
  readonly untyped: unknown[];
}

export interface System {
  readonly net: MemoryNetwork;
  readonly clock: SimulatedClock;
  readonly users: User[];
  /**
   * Set once the run lost or held back messages (a drop rate, an unreachable user): then a switch
   * can be accepted by one side and time out on the other (as with Tencent's own clients), so
   * agreement on the call type is only checked for runs without.
   */
  lossy: boolean;
}

export const USER_IDS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const NAMES = NOTICE_EVENTS; // listening to the measurements would start them

export async function createSystem(userCount: number): Promise<System> {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  const users = USER_IDS.slice(0, userCount).map((id): User => {
    const timeline: Entry[] = [];
    const calling = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    for (const name of NAMES)
      calling.on(name, (payload: unknown) => timeline.push({ kind: 'event', name, payload: payload as Record<string, unknown> }));
    return { id, calling, timeline, opened: 0, untyped: [] };
  });
  net.im.createGroup('everyone', users.map((u) => u.id));
  for (const user of users) await user.calling.login({ userID: user.id, userSig: 'sig' });
  await net.settle();
  return { net, clock, users, lossy: false };
}

type Method = 'login' | 'logout' | 'call' | 'groupCall' | 'accept' | 'reject' | 'hangup' | 'media' | 'switch' | 'invite' | 'join';

/**
 * Starts an API call without waiting for it: some settle only when the clock moves (logout
 * waits for the call to end). Its outcome is recorded when it settles; a typed refusal is an
 * expected outcome, anything else is recorded as untyped.
 */
export async function attempt(user: User, method: Method, action: (c: TRTCCalling) => Promise<void>, invited: readonly string[] = []): Promise<void> {
  action(user.calling).then(
    () => {
      // Invited into the call in progress: they may answer (again) in it.
      if (method === 'invite') user.timeline.push({ kind: 'api', method, users: invited });
      if (method === 'call' || method === 'groupCall' || method === 'accept' || method === 'join') user.opened += 1;
      if (method === 'call' || method === 'groupCall' || method === 'accept' || method === 'reject' || method === 'logout' || method === 'join')
        user.timeline.push({ kind: 'api', method });
    },
    (error: unknown) => {
      if (!(error instanceof CallingError)) user.untyped.push(error);
    },
  );
  await drain();
}

export function dispose(system: System): void {
  for (const user of system.users) user.calling.destroy();
}
