/**
 * The shared port contracts (test/contracts) against the tencent ports over the fake Tencent
 * cloud: `TimImPort` on a fake TIM, `TrtcRoomPort` on a fake TRTC.
 */
import { SimulatedClock } from '../../../adapters/memory';
import { CredentialStore, TimImPort, TrtcRoomPort } from '../../../adapters/tencent';
import { imPortContract } from '../../contracts/imPortContract';
import { roomPortContract } from '../../contracts/roomPortContract';
import { FakeTimCloud } from '../../tencent/fakes/fakeTim';
import { FakeTrtcCloud } from '../../tencent/fakes/fakeTrtc';

const SDK_APP_ID = 1400000001;

imPortContract('tencent (TimImPort on a fake TIM)', () => {
  const clock = new SimulatedClock();
  const cloud = new FakeTimCloud(clock, 20, true);
  return {
    connect: () => new TimImPort({ SDKAppID: SDK_APP_ID, tim: cloud.create(), clock }),
    userSig: (userID) => `sig:${userID}`,
    createGroup: async (groupID, members) => cloud.createGroup(groupID, members),
    settle: async () => {
      await clock.runUntilIdle();
    },
  };
});

/** Hidden audio players are the port's own business, not views the app asked for. */
const HIDDEN = '_headless_calling_audio-';

roomPortContract('tencent (TrtcRoomPort on a fake TRTC)', () => {
  const clock = new SimulatedClock();
  const cloud = new FakeTrtcCloud(clock);
  return {
    connect: (userID) => {
      const credentials = new CredentialStore(SDK_APP_ID);
      credentials.set(userID, `sig:${userID}`);
      return new TrtcRoomPort({ credentials, TRTC: cloud.module(userID) });
    },
    settle: async () => {
      await clock.runUntilIdle();
    },
    setDevices: (userID, devices) => cloud.setDevices(userID, devices),
    views: (userID) =>
      cloud.views(userID).filter((v) => !v.domID.startsWith(HIDDEN)).map(({ kind, userID: user, domID }) => ({ kind, userID: user, domID })),
  };
});
