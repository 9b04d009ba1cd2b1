/**
 * The embedded server as a property run's {@link Network}: the real server (real SQLite, real
 * loopback WebSockets, many devices on) and the real WebSocket client, in one process on one
 * simulated clock, through the lock-step network of `test/support/embeddedWorld.ts`, so a run is
 * deterministic and an hour of keepalives takes well under a second.
 */
import type { SimulatedClock } from '../../src/testing';
import { type EmbeddedWorld, type LockstepNetwork, makeEmbeddedWorld, type SteppedSocket } from '../support/embeddedWorld';
import type { Network } from './harness';

/** The faults of a device's sockets, as {@link steppedDevices} injects them. */
export type SocketFaults = Omit<NonNullable<Network['server']>, 'dropConnections' | 'restart'>;

/**
 * The devices' sockets on a lock-step network and their faults (silent, unloaded, crashed, offline, a lost login),
 * and {@link Network.whenSent}: what the embedded server's network and a cluster's (`clusterNetwork.ts`) share.
 * `socket(id, n)`: the WebSocket class device `n` of `id` dials with (its sockets kept for its faults).
 */
export function steppedDevices(lockstep: LockstepNetwork, clock: SimulatedClock) {
  /** Each device's sockets, newest last. */
  const sockets = new Map<string, SteppedSocket[]>();
  const newest = (id: string, n: number) => sockets.get(`${id}-${n}`)?.filter((s) => s.readyState === 1).at(-1);
  /** Devices whose page crashed, or that are offline: every socket of theirs is silent, those they open meanwhile too. */
  const crashed = new Set<string>();
  /** Devices whose next socket loses its login (silent from then on). */
  const loseLogin = new Set<string>();
  const faults: SocketFaults = {
    silence(id, n) {
      const socket = newest(id, n);
      if (socket) lockstep.silent.add(socket);
    },
    unload: (id, n) => newest(id, n)?.close(1001, 'page unload'),
    crash(id, n) {
      crashed.add(`${id}-${n}`);
      for (const socket of sockets.get(`${id}-${n}`) ?? []) lockstep.silent.add(socket);
    },
    offline(id, n, ms) {
      const key = `${id}-${n}`;
      if (crashed.has(key)) return;
      this.crash(id, n);
      // Back: sockets opened from now on get through (the silent ones stay so until the client gives up on them).
      clock.setTimeout(() => crashed.delete(key), ms);
    },
    loseNextLogin: (id, n) => void loseLogin.add(`${id}-${n}`),
  };
  return {
    faults,
    socket(id: string, n: number): LockstepNetwork['WebSocket'] {
      const mine: SteppedSocket[] = [];
      sockets.set(`${id}-${n}`, mine);
      const key = `${id}-${n}`;
      return class extends lockstep.WebSocket {
        private readonly losesLogin = loseLogin.delete(key);
        constructor(url: string) {
          super(url);
          mine.push(this);
          if (crashed.has(key)) lockstep.silent.add(this);
        }
        override send(data: string): void {
          super.send(data);
          if (this.losesLogin && data.includes('"type":"login"')) lockstep.silent.add(this);
        }
      };
    },
    whenSent(id: string, n: number, type: string, then: () => void): () => void {
      const hook = (sock: SteppedSocket, data: string) => {
        if (!sockets.get(`${id}-${n}`)?.includes(sock) || (JSON.parse(data) as { type?: unknown }).type !== type) return;
        lockstep.sent = null;
        then();
      };
      lockstep.sent = hook;
      return () => {
        if (lockstep.sent === hook) lockstep.sent = null;
      };
    },
  };
}

/** `writeBehindMs`: the server's write-behind window (the world turns it off; the server's default is 200). */
export function embeddedNetwork(options: { readonly writeBehindMs?: number } = {}): Network & { readonly world: EmbeddedWorld } {
  const world = makeEmbeddedWorld({ server: { multiDevice: true, writeBehindMs: options.writeBehindMs ?? 0 } });
  const devices = steppedDevices(world.net, world.clock);
  return {
    world,
    clock: world.clock,
    backend: (id, n) => world.backend({ multiDevice: true, deviceID: `${id}-${n}`, WebSocket: devices.socket(id, n) }),
    userSig: (id) => world.userSig(id),
    createGroup: (groupID, members) => world.createGroup(groupID, members),
    advance: (ms) => world.advance(ms),
    settle: () => world.settle(),
    heal() {},
    server: {
      dropConnections: async (id) => void (await world.server()).dropConnections(id),
      restart: () => world.restartServer(),
      ...devices.faults,
    },
    whenSent: (id, n, type, then) => devices.whenSent(id, n, type, then),
    dispose: () => world.dispose(),
  };
}
