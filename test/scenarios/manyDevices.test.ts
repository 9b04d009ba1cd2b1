/** Many devices over the memory network and over the embedded server (`--multi-device`). */
import { TRTCCalling } from '../../src/index';
import { makeEmbeddedWorld, SDKAPPID } from '../support/embeddedWorld';
import { memoryWorld, party, type Party } from '../support/world';
import { type DevicesWorld, describeManyDevicesScenarios } from './manyDevicesScenarios';

describeManyDevicesScenarios('the memory network', (): DevicesWorld => {
  const world = memoryWorld({ multiDevice: true });
  const devices: Party[] = [];
  return {
    ...world,
    async device(userID, deviceID, multiDevice = true) {
      const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: world.net.backend({ multiDevice, deviceID }) }));
      devices.push(p);
      await p.calling.login({ userID, userSig: `sig-${userID}` });
      await world.net.settle();
      p.take();
      return p;
    },
    async dispose() {
      for (const p of devices) void p.calling.destroy();
      await world.dispose();
    },
  };
});

describeManyDevicesScenarios('the embedded server', (): DevicesWorld => {
  const world = makeEmbeddedWorld({ server: { multiDevice: true } });
  const devices: Party[] = [];
  return {
    ...world,
    user: (userID) => world.user(userID),
    async device(userID, deviceID, multiDevice = true) {
      const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ multiDevice, deviceID }) }));
      devices.push(p);
      await p.calling.login({ userID, userSig: world.userSig(userID) });
      await world.settle();
      p.take();
      return p;
    },
    async dispose() {
      for (const p of devices) void p.calling.destroy();
      await world.dispose();
    },
  };
}, 'holdsAnswers', false);
