/**
 * The memory backend's composition: one IM hub, one room hub, one clock and shared ID sources,
 * handing out a {@link Backend} per simulated client.
 */
import type { UserID } from '../../machines/types';
import type { Backend } from '../backend';
import { type Clock, realClock } from '../clock';
import { InMemoryImHub } from './InMemoryImHub';
import { OTHER_DEVICE_IN_ROOM } from '../../machines/events';
import { RoomPortError } from '../RoomPort';
import { InMemoryRoomHub, type InMemoryRoomPort } from './InMemoryRoomHub';
import { SimulatedClock } from './SimulatedClock';
import { checkBackendOptions, checkNetworkOptions } from './checks';

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
  /** Many devices: clients that opt in (`backend({ multiDevice: true })`) log in as devices of their user (default off). */
  multiDevice?: boolean;
  /**
   * How long a message to a user who is not online waits for them, in ms of `clock` (default 7 days, the
   * embedded server's `offlineTtlMs`; `Infinity`: until they log in). Past it, it is dropped (logged
   * `dropped`, reason `expired`): an invitation never rings, whatever its timeout. A positive integer.
   */
  offlineTtlMs?: number;
  /** How many entries `net.im.log` keeps, the latest (default 10,000; `Infinity`: all). A non-negative integer. */
  logLimit?: number;
}

/** Options of {@link MemoryNetwork.backend}. */
export interface MemoryBackendOptions {
  /** Many devices: this client is one device of its user (the network must allow it too). */
  readonly multiDevice?: boolean;
  /** Its device ID (default `device-<n>`, counted per network). */
  readonly deviceID?: string;
}

/** A simulated network of clients sharing one IM hub, one room hub and one clock. */
export interface MemoryNetwork {
  /** The given clock, or {@link realClock}. */
  readonly clock: Clock;
  readonly im: InMemoryImHub;
  readonly rooms: InMemoryRoomHub;
  /** A fresh IM port and room port for one client, with the network's clock and ID sources. Bad options: a `TypeError`. */
  backend(options?: MemoryBackendOptions): Backend;
  /** `clock.advance(ms)`; rejects when the clock is not a {@link SimulatedClock}, and with a `RangeError` unless `ms` is a finite number >= 0. */
  advance(ms: number): Promise<void>;
  /** `clock.settle()`; rejects when the clock is not a {@link SimulatedClock}. */
  settle(): Promise<void>;
  /**
   * Runs every timer until none is left (`clock.runUntilIdle`): resolves with the virtual time it advanced. Rejects when
   * `limitMs` (default one virtual hour) passed with timers still pending: something keeps running (a `USER_VOICE_VOLUME`
   * or `NETWORK_QUALITY` listener measures every 200 ms while a call lasts), which a test ends first. A `limitMs` that is not
   * a finite number >= 0: a `RangeError`.
   */
  runUntilIdle(limitMs?: number): Promise<number>;
}

/**
 * Creates a memory network. Invite IDs are v4-UUID-shaped strings from a network-wide counter
 * (`00000000-0000-4000-8000-000000000001`, ...), so an earlier invite has the lower ID; room IDs
 * count up from 1001. Throws a `RangeError` for a `latency`, `roomLatency`, `offlineTtlMs` or `logLimit` out of range,
 * a `TypeError` for an unknown option, a `clock` that is not a Clock, a `verifyUserSig` not a function or a `multiDevice`
 * not a boolean.
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  checkNetworkOptions(options);
  const clock = options.clock ?? realClock;
  const { latency, verifyUserSig, multiDevice, offlineTtlMs, logLimit } = options;
  const im = new InMemoryImHub({ clock, latency, verifyUserSig, multiDevice, offlineTtlMs, logLimit });
  let devices = 0;
  const claims = new Map<string, InMemoryRoomPort>();
  const rooms = new InMemoryRoomHub({ clock, latency: options.roomLatency === undefined ? latency : options.roomLatency, isMember: (groupID, userID) => im.members(groupID).includes(userID) });
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
    backend(backendOptions: MemoryBackendOptions = {}): Backend {
      checkBackendOptions(backendOptions);
      const imPort = im.connect(backendOptions.multiDevice ? { device: backendOptions.deviceID ?? `device-${++devices}` } : {});
      const room = rooms.connect(() => imPort.userID);
      if (backendOptions.multiDevice && multiDevice) {
        const wait = (ms: number) => new Promise((done) => clock.setTimeout(done, ms));
        oneDevicePerRoom(room, claims, (roomID) => im.mayEnter(imPort, roomID), wait, options.roomLatency ?? latency ?? 20);
      }
      // What TRTCCalling.destroy() calls last, once the room port left the hub (its own dispose): the IM
      // session goes (a logout of the memory hub is done as it is called; it tells the others nothing).
      const dispose = (): Promise<void> => {
        void imPort.logout();
        return room.dispose();
      };
      return { name: 'memory', im: imPort, room, clock, inviteIdGen, roomIdGen, dispose, ...(backendOptions.multiDevice ? { multiDevice: true, busyHeld: true } : {}) };
    },
    advance: async (ms) => simulated('advance').advance(ms),
    settle: async () => simulated('settle').settle(),
    runUntilIdle: async (limitMs) => {
      const simulatedClock = simulated('runUntilIdle');
      const advanced = await simulatedClock.runUntilIdle(limitMs);
      if (simulatedClock.pending() > 0) throw new Error(`MemoryNetwork.runUntilIdle(): ${simulatedClock.pending()} timer(s) still pending after ${advanced} virtual ms`);
      return advanced;
    },
  };
}

/**
 * Many devices, as the embedded server rules it: one device of a user in a room. A device's
 * `enter` is refused ({@link OTHER_DEVICE_IN_ROOM}) while another device of its user is in that
 * room or entering it, or once another device answered the room's invitation (`mayEnter`).
 */
function oneDevicePerRoom(
  room: InMemoryRoomPort,
  claims: Map<string, InMemoryRoomPort>,
  mayEnter: (roomID: number) => boolean,
  wait: (ms: number) => Promise<unknown>,
  latency: number,
): void {
  const enter = room.enter.bind(room);
  const dispose = room.dispose.bind(room);
  // The one claim this port holds (a port is in one room at a time), so that the claims are as many
  // as the ports, not the rooms each port ever entered, and a disposed port's goes with it.
  let mine: string | null = null;
  const drop = (): void => {
    if (mine !== null && claims.get(mine) === room) claims.delete(mine);
    mine = null;
  };
  room.enter = async (roomID, options) => {
    const key = `${options.userID}:${roomID}`;
    const holder = claims.get(key);
    if ((holder && holder !== room && (holder.roomID === roomID || holder.entering !== null)) || !mayEnter(roomID)) {
      // Refused after the room's latency, as a server's answer would be.
      await wait(latency);
      throw new RoomPortError(OTHER_DEVICE_IN_ROOM, `another device of ${options.userID} is in room ${roomID}`);
    }
    // In a room or entering one (the hub refuses this entry), or disposed: it claims nothing.
    if (room.roomID !== null || room.entering !== null || room.disposed) return enter(roomID, options);
    drop(); // the claim of a room it left
    claims.set(key, room);
    mine = key;
    return enter(roomID, options);
  };
  room.dispose = () => dispose().then(drop);
}
