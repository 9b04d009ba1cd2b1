/**
 * A world of users for scenario tests: each user is a TRTCCalling logged in over one backend,
 * with every event it receives recorded. Scenarios are written against `World`, so the same
 * scripts run over the memory network here and over the embedded server later.
 */
import { TRTCCalling, type Backend } from '../../src/index';
import { captureEvents, createMemoryNetwork, SimulatedClock, type EventCapture, type MemoryNetwork } from '../../src/testing';

export interface Party {
  readonly id: string;
  readonly calling: TRTCCalling;
  readonly events: EventCapture;
  /** The events since the last `take`, as `{ name, payload }` (times dropped). */
  take(): Array<{ name: string; payload: unknown }>;
}

export interface World {
  /** A new client logged in as `userID` (its SDK_READY already taken). */
  user(userID: string): Promise<Party>;
  /** A new client that is not logged in yet. */
  client(userID: string): Party;
  createGroup(groupID: string, members: readonly string[]): Promise<void>;
  /** Lets `ms` of (virtual) time pass, delivering whatever falls due. */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

export function party(id: string, calling: TRTCCalling): Party {
  const events = captureEvents(calling);
  return {
    id,
    calling,
    events,
    take: () => events.take().map(({ name, payload }) => ({ name, payload })),
  };
}

export interface MemoryWorld extends World {
  readonly net: MemoryNetwork;
  readonly clock: SimulatedClock;
}

/** The memory network on a simulated clock; IM and room latency 20 ms. */
export function memoryWorld(): MemoryWorld {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  const parties: Party[] = [];
  const client = (userID: string, backend: Backend = net.backend()) => {
    const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend }));
    parties.push(p);
    return p;
  };
  return {
    net,
    clock,
    client,
    async user(userID) {
      const p = client(userID);
      await p.calling.login({ userID, userSig: `sig-${userID}` });
      await net.settle();
      p.take();
      return p;
    },
    async createGroup(groupID, members) {
      net.im.createGroup(groupID, members);
    },
    advance: (ms) => net.advance(ms),
    async dispose() {
      for (const p of parties) p.calling.destroy();
    },
  };
}
