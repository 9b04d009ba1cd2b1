/**
 * The embedded server as a property run's {@link Network}: the real server (real SQLite, real
 * loopback WebSockets, many devices on) and the real WebSocket client, in one process on one
 * simulated clock, through the lock-step network of `test/support/embeddedWorld.ts`, so a run is
 * deterministic and an hour of keepalives takes well under a second.
 */
import { type EmbeddedWorld, makeEmbeddedWorld, type SteppedSocket } from '../support/embeddedWorld';
import type { Network } from './harness';

/** `writeBehindMs`: the server's write-behind window (the world turns it off; the server's default is 200). */
export function embeddedNetwork(options: { readonly writeBehindMs?: number } = {}): Network & { readonly world: EmbeddedWorld } {
  const world = makeEmbeddedWorld({ server: { multiDevice: true, writeBehindMs: options.writeBehindMs ?? 0 } });
  /** Each device's sockets, newest last. */
  const sockets = new Map<string, SteppedSocket[]>();
  const newest = (id: string, n: number) => sockets.get(`${id}-${n}`)?.filter((s) => s.readyState === 1).at(-1);
  /** Devices whose page crashed, or that are offline: every socket of theirs is silent, those they open meanwhile too. */
  const crashed = new Set<string>();
  /** Devices whose next socket loses its login (silent from then on). */
  const loseLogin = new Set<string>();
  return {
    world,
    clock: world.clock,
    backend(id, n) {
      const mine: SteppedSocket[] = [];
      sockets.set(`${id}-${n}`, mine);
      const Base = world.net.WebSocket;
      const key = `${id}-${n}`;
      const WebSocket = class extends Base {
        private readonly losesLogin = loseLogin.delete(key);
        constructor(url: string) {
          super(url);
          mine.push(this);
          if (crashed.has(key)) world.net.silent.add(this);
        }
        override send(data: string): void {
          super.send(data);
          if (this.losesLogin && data.includes('"type":"login"')) world.net.silent.add(this);
        }
      };
      return world.backend({ multiDevice: true, deviceID: `${id}-${n}`, WebSocket });
    },
    userSig: (id) => world.userSig(id),
    createGroup: (groupID, members) => world.createGroup(groupID, members),
    advance: (ms) => world.advance(ms),
    settle: () => world.settle(),
    heal() {},
    server: {
      dropConnections: async (id) => void (await world.server()).dropConnections(id),
      restart: () => world.restartServer(),
      silence(id, n) {
        const socket = newest(id, n);
        if (socket) world.net.silent.add(socket);
      },
      unload: (id, n) => newest(id, n)?.close(1001, 'page unload'),
      crash(id, n) {
        crashed.add(`${id}-${n}`);
        for (const socket of sockets.get(`${id}-${n}`) ?? []) world.net.silent.add(socket);
      },
      offline(id, n, ms) {
        const key = `${id}-${n}`;
        if (crashed.has(key)) return;
        this.crash(id, n);
        // Back: sockets opened from now on get through (the silent ones stay so until the client gives up on them).
        world.clock.setTimeout(() => crashed.delete(key), ms);
      },
      loseNextLogin: (id, n) => void loseLogin.add(`${id}-${n}`),
    },
    whenSent(id, n, type, then) {
      const hook = (sock: SteppedSocket, data: string) => {
        if (!sockets.get(`${id}-${n}`)?.includes(sock) || (JSON.parse(data) as { type?: unknown }).type !== type) return;
        world.net.sent = null;
        then();
      };
      world.net.sent = hook;
      return () => {
        if (world.net.sent === hook) world.net.sent = null;
      };
    },
    dispose: () => world.dispose(),
  };
}
