/** The shared port contracts, run against the embedded backend over a real server and real sockets. */
import type { WsRoomPort } from '../../../adapters/ws/WsRoomPort';
import { imPortContract } from '../../contracts/imPortContract';
import { roomPortContract } from '../../contracts/roomPortContract';
import { makeEmbeddedWorld } from '../../support/embeddedWorld';

imPortContract('embedded (WebSocket)', async () => {
  const world = makeEmbeddedWorld();
  await world.server();
  return {
    connect: () => world.backend().im,
    userSig: (userID) => world.userSig(userID),
    createGroup: (groupID, members) => world.createGroup(groupID, members),
    settle: () => world.settle(),
    dispose: () => world.dispose(),
  };
});

roomPortContract('embedded (WebSocket, signaling only)', async () => {
  const world = makeEmbeddedWorld();
  const rooms = new Map<string, WsRoomPort>();
  await world.server();
  return {
    async connect(userID) {
      const backend = world.backend();
      await backend.im.login(userID, world.userSig(userID));
      rooms.set(userID, backend.room);
      return backend.room;
    },
    settle: () => world.settle(),
    views: (userID) => rooms.get(userID)?.views() ?? [],
    // The server admits only the users a call invited; the contract's rooms have no call.
    admit: async (roomID, userID) => (await world.server()).grantRoom(roomID, [userID]),
    dispose: () => world.dispose(),
  };
}, { devices: false, views: true });
