import { imPortContract } from '../../contracts/imPortContract';
import { roomPortContract } from '../../contracts/roomPortContract';
import { createMemoryNetwork, SimulatedClock } from '../../../adapters/memory';

imPortContract('memory', () => {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  return {
    connect: () => net.im.connect(),
    userSig: (userID) => `sig:${userID}`,
    createGroup: async (groupID, members) => net.im.createGroup(groupID, members),
    settle: async () => {
      await clock.runUntilIdle();
    },
  };
});

roomPortContract('memory', () => {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  return {
    connect: () => net.rooms.connect(),
    settle: async () => {
      await clock.runUntilIdle();
    },
    setDevices: (userID, devices) => net.rooms.setDevices(userID, devices),
    views: (userID) => net.rooms.views(userID),
    setMediaConnected: (userID, connected) => net.rooms.setMediaConnected(userID, connected),
  };
}, { devices: true, views: true, mediaConnections: true });
