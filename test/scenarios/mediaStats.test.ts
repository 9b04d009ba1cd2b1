/**
 * USER_VOICE_VOLUME and NETWORK_QUALITY over the memory backend: the levels and
 * qualities the room hub is told, every 200 ms / 2 s on the simulated clock, only while the app
 * listens (the room samples nothing before the first listener or after the last one is gone).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SafeEmitter } from '../../src/emitter';
import { TRTCCalling } from '../../src/index';
import { memoryUsers } from '../support/world';

const S = 1000;
type Volumes = Array<{ userId: string; audioVolume: number }>;

describe('voice volume and network quality (memory backend)', () => {
  const t = memoryUsers('alice', 'bob');
  afterEach(() => vi.restoreAllMocks());

  async function inCall(): Promise<void> {
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
  }

  it('a listener gets every speaker, alice first, every 200 ms; levels follow the hub; a muted microphone is 0', async () => {
    await inCall();
    const seen: Volumes[] = [];
    const at: number[] = [];
    t.alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, ({ volumeMap }) => {
      seen.push([...volumeMap]);
      at.push(t.world.clock.now());
    });
    t.world.net.rooms.setVoiceVolume('bob', 60);
    t.world.net.rooms.setVoiceVolume('alice', 15);
    await t.world.advance(600);
    expect(seen).toEqual([0, 1, 2].map(() => [{ userId: 'alice', audioVolume: 15 }, { userId: 'bob', audioVolume: 60 }]));
    expect(at.map((x) => x - at[0]!)).toEqual([0, 200, 400]);

    t.world.net.rooms.setVoiceVolume('bob', 5);
    await t.bob.calling.setMicMute(false);
    await t.world.advance(200);
    expect(seen.at(-1)).toEqual([{ userId: 'alice', audioVolume: 15 }, { userId: 'bob', audioVolume: 5 }]);
    await t.alice.calling.setMicMute(true);
    await t.world.advance(200);
    expect(seen.at(-1)).toEqual([{ userId: 'alice', audioVolume: 0 }, { userId: 'bob', audioVolume: 5 }]);
    // The other events are untouched.
    expect(t.alice.take()).toEqual([]);
  });

  it('nothing is sampled while nobody listens: sampling starts with the first listener and stops with the last', async () => {
    await inCall();
    const sampled = vi.spyOn(t.world.net.rooms, 'voiceVolumes');
    await t.world.advance(5 * S);
    expect(sampled).not.toHaveBeenCalled();

    const first = vi.fn();
    const second = vi.fn();
    t.alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, first);
    t.alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, second);
    await t.world.advance(S);
    expect(sampled).toHaveBeenCalledTimes(5); // one sampling for both listeners
    expect(first).toHaveBeenCalledTimes(5);
    expect(second).toHaveBeenCalledTimes(5);

    t.alice.calling.off(TRTCCalling.EVENT.USER_VOICE_VOLUME, first);
    await t.world.advance(S);
    expect(sampled).toHaveBeenCalledTimes(10);
    t.alice.calling.off(TRTCCalling.EVENT.USER_VOICE_VOLUME, second);
    await t.world.advance(5 * S);
    expect(sampled).toHaveBeenCalledTimes(10);
    expect(second).toHaveBeenCalledTimes(10);
    expect(t.world.clock.pending()).toBe(0); // no timer left behind
  });

  it('destroy() stops the sampling', async () => {
    await inCall();
    const sampled = vi.spyOn(t.world.net.rooms, 'voiceVolumes');
    t.alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, () => undefined);
    await t.world.advance(S);
    expect(sampled).toHaveBeenCalledTimes(5);
    await Promise.all([t.alice.calling.destroy(), t.world.advance(S)]);
    await t.world.advance(5 * S);
    expect(sampled.mock.calls.length).toBeLessThanOrEqual(10);
    const after = sampled.mock.calls.length;
    await t.world.advance(5 * S);
    expect(sampled).toHaveBeenCalledTimes(after);
  });

  it('out of a call: a listener hears nothing', async () => {
    const seen = vi.fn();
    t.alice.calling.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, seen);
    t.alice.calling.on(TRTCCalling.EVENT.NETWORK_QUALITY, seen);
    await t.world.advance(5 * S);
    expect(seen).not.toHaveBeenCalled();
  });

  it('network quality every 2 s: alice her own, and for bob the worse of the two ends', async () => {
    await inCall();
    const seen: unknown[] = [];
    t.alice.calling.on(TRTCCalling.EVENT.NETWORK_QUALITY, ({ networkQualityList }) => seen.push(networkQualityList));
    await t.world.advance(2 * S);
    expect(seen).toEqual([[{ userId: 'alice', quality: 1 }, { userId: 'bob', quality: 1 }]]);
    t.world.net.rooms.setNetworkQuality('bob', 4);
    await t.world.advance(2 * S);
    t.world.net.rooms.setNetworkQuality('alice', 5);
    await t.world.advance(2 * S);
    expect(seen.slice(1)).toEqual([
      [{ userId: 'alice', quality: 1 }, { userId: 'bob', quality: 4 }],
      [{ userId: 'alice', quality: 5 }, { userId: 'bob', quality: 5 }],
    ]);
    expect(TRTCCalling.EVENT.NETWORK_QUALITY).toBe('onNetworkQuality');
  });

  it('the hub refuses levels out of range', () => {
    expect(() => t.world.net.rooms.setVoiceVolume('bob', 101)).toThrow(RangeError);
    expect(() => t.world.net.rooms.setVoiceVolume('bob', 0.5)).toThrow(RangeError);
    expect(() => t.world.net.rooms.setVoiceVolume('', 5)).toThrow(TypeError);
    expect(() => t.world.net.rooms.setNetworkQuality('bob', 7 as never)).toThrow(RangeError);
  });
});

describe('SafeEmitter listener counts (what starts and stops the measuring)', () => {
  it('each on, off and clear tells the new count; an off that removes nothing tells nothing', () => {
    const counts: string[] = [];
    const emitter = new SafeEmitter((name, count) => counts.push(`${name} ${count}`));
    const a = () => undefined;
    const b = () => undefined;
    emitter.on('onUserVoiceVolume', a);
    emitter.on('onUserVoiceVolume', b);
    emitter.off('onUserVoiceVolume', a);
    emitter.off('onUserVoiceVolume', a);
    emitter.on('onNetworkQuality', a);
    expect(emitter.count('onUserVoiceVolume')).toBe(1);
    emitter.clear();
    expect(counts).toEqual([
      'onUserVoiceVolume 1',
      'onUserVoiceVolume 2',
      'onUserVoiceVolume 1',
      'onNetworkQuality 1',
      'onUserVoiceVolume 0',
      'onNetworkQuality 0',
    ]);
    expect(emitter.count('onUserVoiceVolume')).toBe(0);
  });
});
