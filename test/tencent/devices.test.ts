/**
 * Devices and video quality through the public API on the tencent backend (fake TRTC): the lists
 * from `TRTC.getCameras()` ..., `switchDevice` before and in a call (`LocalStream.switchDevice`),
 * `setVideoQuality` as `setVideoProfile` with trtc-js-sdk's own figures, bad input refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/index';
import { ev } from '../support/ev';
import { tencentWorld, type TencentParty, type TencentWorld } from './tencentWorld';

let world: TencentWorld;
let alice: TencentParty;
let bob: TencentParty;

beforeEach(async () => {
  world = tencentWorld();
  alice = await world.user('alice');
  bob = await world.user('bob');
});
afterEach(async () => {
  expect(world.errors).toEqual([]);
  await world.dispose();
});

describe('devices on the tencent backend', () => {
  it('lists as TRTC gives them; setVideoQuality(720p) and switchDevice() before the call reach its stream; in the call at once; nothing else happens', async () => {
    expect(await alice.calling.getCameras()).toEqual([{ deviceId: 'camera-1', groupId: 'fake', kind: 'videoinput', label: 'fake camera-1' }]);
    expect((await alice.calling.getMicrophones()).map((d) => d.deviceId)).toEqual(['mic-1']);
    expect((await alice.calling.getSpeakers()).map((d) => d.deviceId)).toEqual(['speaker-1']);
    await alice.calling.setVideoQuality('720p');
    await alice.calling.switchDevice({ deviceType: 'video', deviceId: 'camera-1' });
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(1000);
    await bob.calling.accept();
    await world.advance(1000);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
    const stream = alice.trtc.streams[0];
    expect(stream?.profiles).toEqual([{ width: 1280, height: 720, frameRate: 15, bitrate: 1500 }]);
    await alice.calling.setVideoQuality('360p_2');
    await alice.calling.switchDevice({ deviceType: 'audio', deviceId: 'mic-1' });
    expect(stream?.profiles.at(-1)).toEqual({ width: 640, height: 360, frameRate: 15, bitrate: 400 });
    expect(stream?.switched).toEqual([{ type: 'audio', deviceId: 'mic-1' }]);
    await world.advance(1000);
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual([]);
  });

  it('bad input -> InvalidParameterError before TRTC is asked', async () => {
    await expect(alice.calling.setVideoQuality('4K' as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.switchDevice({ deviceType: 'camera', deviceId: 'x' } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.switchDevice({ deviceType: 'video' } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    expect(alice.take()).toEqual([]);
  });
});
