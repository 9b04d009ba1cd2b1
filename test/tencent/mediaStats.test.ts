/**
 * USER_VOICE_VOLUME and NETWORK_QUALITY through the public API on the tencent backend (fake TRTC):
 * TRTC's `audio-volume` while the app listens (evaluation off before the first listener and after
 * the last), and its `network-quality` as our uplink for us and the downlink for each remote member.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { type TencentParty, type TencentWorld, withAliceAndBob } from './tencentWorld';

let world: TencentWorld;
let alice: TencentParty;
let bob: TencentParty;

withAliceAndBob(async (t) => {
  ({ world, alice, bob } = t);
  await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
  await world.advance(1000);
  await bob.calling.accept();
  await world.advance(1000);
  expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob', false)]);
  bob.take();
});

describe('voice volume and network quality on the tencent backend', () => {
  it('USER_VOICE_VOLUME every 200 ms while listened to, from TRTC audio-volume; a muted microphone is 0; evaluation off with the last listener', async () => {
    expect(world.rtc.volumeEvaluation('alice')).toBeNull();
    world.rtc.setAudioVolume('alice', 15);
    world.rtc.setAudioVolume('bob', 60);
    const seen: unknown[] = [];
    const listener = ({ volumeMap }: { readonly volumeMap: readonly unknown[] }): void => {
      seen.push(volumeMap);
    };
    alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, listener);
    expect(world.rtc.volumeEvaluation('alice')).toBe(200);
    await world.advance(400);
    expect(seen).toEqual([0, 1].map(() => [{ userId: 'alice', audioVolume: 15 }, { userId: 'bob', audioVolume: 60 }]));
    await bob.calling.setMicMute(true);
    await world.advance(400);
    expect(seen.at(-1)).toEqual([{ userId: 'alice', audioVolume: 15 }, { userId: 'bob', audioVolume: 0 }]);
    alice.calling.off(TRTCCalling.EVENT.USER_VOICE_VOLUME, listener);
    expect(world.rtc.volumeEvaluation('alice')).toBeNull();
    const count = seen.length;
    await world.advance(1000);
    expect(seen).toHaveLength(count);
    expect(alice.take()).toEqual([ev.audio('bob', false)]); // bob's mute, and nothing else
  });

  it('NETWORK_QUALITY from TRTC network-quality while listened to: our uplink for alice, the downlink for bob', async () => {
    const seen: unknown[] = [];
    world.rtc.setNetworkQuality('alice', 2, 3);
    await world.advance(100);
    alice.calling.on(TRTCCalling.EVENT.NETWORK_QUALITY, ({ networkQualityList }) => seen.push(networkQualityList));
    expect(seen).toEqual([]);
    world.rtc.setNetworkQuality('alice', 2, 4);
    await world.advance(100);
    expect(seen).toEqual([[{ userId: 'alice', quality: 2 }, { userId: 'bob', quality: 4 }]]);
    expect(alice.take()).toEqual([]);
  });
});
