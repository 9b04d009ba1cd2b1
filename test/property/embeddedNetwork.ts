/**
 * The embedded server as a property run's {@link Network}: the real server (real SQLite, real
 * loopback WebSockets, many devices on) and the real WebSocket client, in one process on one
 * simulated clock, through the lock-step network of `test/support/embeddedWorld.ts`, so a run is
 * deterministic and an hour of keepalives takes well under a second.
 */
import { makeEmbeddedWorld } from '../support/embeddedWorld';
import type { Network } from './harness';

export function embeddedNetwork(): Network {
  const world = makeEmbeddedWorld({ server: { multiDevice: true } });
  return {
    clock: world.clock,
    backend: (id, n) => world.backend({ multiDevice: true, deviceID: `${id}-${n}` }),
    userSig: (id) => world.userSig(id),
    createGroup: (groupID, members) => world.createGroup(groupID, members),
    advance: (ms) => world.advance(ms),
    settle: () => world.settle(),
    heal() {},
    server: {
      dropConnections: async (id) => void (await world.server()).dropConnections(id),
      restart: () => world.restartServer(),
    },
    dispose: () => world.dispose(),
  };
}
