/**
 * `TrtcRoomPort`'s voice volume and network quality: TRTC's own `audio-volume` (evaluation on
 * at 200 ms from the first watcher, off after the last) and `network-quality` (uplink for us,
 * downlink for each remote member), over the fake TRTC cloud on a simulated clock.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import type { UserNetworkQuality, VoiceVolume } from '../../../adapters/RoomPort';
import { CredentialStore, TrtcRoomPort } from '../../../adapters/tencent';
import { FakeTrtcCloud } from '../../tencent/fakes/fakeTrtc';

const audio = (userID: string) => ({ userID, video: false, audioMuted: false });

async function twoInRoom() {
  const clock = new SimulatedClock();
  const cloud = new FakeTrtcCloud(clock);
  const connect = (userID: string) => {
    const credentials = new CredentialStore(1400000001);
    credentials.set(userID, `sig-${userID}`);
    return new TrtcRoomPort({ credentials, TRTC: cloud.module(userID), onError: (e) => { throw e; } });
  };
  const alice = connect('alice');
  const bob = connect('bob');
  await Promise.all([alice.enter(1001, audio('alice')), bob.enter(1001, audio('bob')), clock.advance(1000)]);
  return { clock, cloud, alice, bob };
}

describe('TrtcRoomPort voice volume and network quality', () => {
  it("audio-volume every 200 ms while watched, the local user first; evaluation off (-1) after the last watcher", async () => {
    const { clock, cloud, alice, bob } = await twoInRoom();
    expect(cloud.volumeEvaluation('alice')).toBeNull();
    cloud.setAudioVolume('bob', 42);
    cloud.setAudioVolume('alice', 7);
    const seen: (readonly VoiceVolume[])[] = [];
    const off = alice.watchVoiceVolume((v) => seen.push(v));
    expect(cloud.volumeEvaluation('alice')).toBe(200);
    await clock.advance(400);
    expect(seen).toEqual([
      [{ userID: 'alice', volume: 7 }, { userID: 'bob', volume: 42 }],
      [{ userID: 'alice', volume: 7 }, { userID: 'bob', volume: 42 }],
    ]);
    await bob.setMicMuted(true);
    await clock.advance(200);
    expect(seen.at(-1)).toEqual([{ userID: 'alice', volume: 7 }, { userID: 'bob', volume: 0 }]);
    off();
    off(); // twice is once
    expect(cloud.volumeEvaluation('alice')).toBeNull();
    await clock.advance(1000);
    expect(seen).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('network-quality: our uplink for us, the downlink for each remote member; only passed on while watched and in a room', async () => {
    const { clock, cloud, alice } = await twoInRoom();
    const seen: (readonly UserNetworkQuality[])[] = [];
    cloud.setNetworkQuality('alice', 2, 3);
    await clock.advance(100);
    expect(seen).toEqual([]);
    const off = alice.watchNetworkQuality((q) => seen.push(q));
    cloud.setNetworkQuality('alice', 2, 4);
    await clock.advance(100);
    expect(seen).toEqual([[{ userID: 'alice', quality: 2 }, { userID: 'bob', quality: 4 }]]);
    await Promise.all([alice.exit(), clock.advance(100)]);
    cloud.setNetworkQuality('alice', 6, 6);
    await clock.advance(100);
    expect(seen).toHaveLength(1);
    off();
  });

  it('a watcher from before the room: the evaluation is on for the client made at enter', async () => {
    const clock = new SimulatedClock();
    const cloud = new FakeTrtcCloud(clock);
    const credentials = new CredentialStore(1400000001);
    credentials.set('carol', 'sig-carol');
    const carol = new TrtcRoomPort({ credentials, TRTC: cloud.module('carol') });
    const seen: (readonly VoiceVolume[])[] = [];
    carol.watchVoiceVolume((v) => seen.push(v));
    cloud.setAudioVolume('carol', 30);
    await Promise.all([carol.enter(1002, audio('carol')), clock.advance(500)]);
    await clock.advance(200);
    expect(cloud.volumeEvaluation('carol')).toBe(200);
    expect(seen.at(-1)).toEqual([{ userID: 'carol', volume: 30 }]);
  });
});
