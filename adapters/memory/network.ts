/**
 * The memory backend's composition: one IM hub, one room hub, one clock and shared ID sources,
 * handing out a {@link Backend} per simulated client.
 */
import type { UserID } from '../../machines/types';
import type { Backend } from '../backend';
import { type Clock, realClock } from '../clock';
import { InMemoryImHub } from './InMemoryImHub';
import { InMemoryRoomHub } from './InMemoryRoomHub';
import { SimulatedClock } from './SimulatedClock';

/** Options of {@link createMemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Usually a {@link SimulatedClock}; defaults to {@link realClock}. */
  clock?: Clock;
  /** IM delivery delay in ms (default 20). */
  latency?: number;
  /** Room delay in ms (defaults to `latency`, else 20). */
  roomLatency?: number;
  /** Extra credential check for `login` (an empty userSig is always refused). */
  verifyUserSig?: (userID: UserID, sig: string) => boolean;
}

/** A simulated network of clients sharing one IM hub, one room hub and one clock. */
export interface MemoryNetwork {
  /** The given clock, or {@link realClock}. */
  readonly clock: Clock;
  readonly im: InMemoryImHub;
  readonly rooms: InMemoryRoomHub;
  /** A fresh IM port and room port for one client, with the network's clock and ID sources. */
  backend(): Backend;
  /** `clock.advance(ms)`; rejects when the clock is not a {@link SimulatedClock}. */
  advance(ms: number): Promise<void>;
  /** `clock.settle()`; rejects when the clock is not a {@link SimulatedClock}. */
  settle(): Promise<void>;
}

/**
 * Creates a memory network. Invite IDs are v4-UUID-shaped strings from a network-wide counter
 * (`00000000-0000-4000-8000-000000000001`, ...), so an earlier invite has the lower ID; room IDs
 * count up from 1001.
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const clock = options.clock ?? realClock;
  const { latency, verifyUserSig } = options;
  const im = new InMemoryImHub({ clock, latency, verifyUserSig });
  const rooms = new InMemoryRoomHub({ clock, latency: options.roomLatency ?? latency, isMember: (groupID, userID) => im.members(groupID).includes(userID) });
  let invites = 0;
  let nextRoom = 1001;
  const inviteIdGen = (): string => `00000000-0000-4000-8000-${(++invites).toString(16).padStart(12, '0')}`;
  const roomIdGen = (): number => nextRoom++;
  const simulated = (what: string): SimulatedClock => {
    if (clock instanceof SimulatedClock) return clock;
    throw new Error(`MemoryNetwork.${what}() needs a SimulatedClock: pass { clock: new SimulatedClock() }`);
  };
  return {
    clock,
    im,
    rooms,
    backend(): Backend {
      const imPort = im.connect();
      const room = rooms.connect(() => imPort.userID);
      return { name: 'memory', im: imPort, room, clock, inviteIdGen, roomIdGen };
    },
    advance: async (ms) => simulated('advance').advance(ms),
    settle: async () => simulated('settle').settle(),
  };
}
