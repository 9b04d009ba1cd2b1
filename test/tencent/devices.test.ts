/**
 * Devices and video quality through the public API on the tencent backend (fake TRTC): the lists
 * from `TRTC.getCameras()` ..., `switchDevice` before and in a call (`LocalStream.switchDevice`),
 * `setVideoQuality` as `setVideoProfile` with trtc-js-sdk's own figures, bad input refused.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/index';
import { ev } from '../support/ev';
import { type TencentParty, type TencentWorld, withAliceAndBob } from './tencentWorld';

let world: TencentWorld;
let alice: TencentParty;
let bob: TencentParty;

withAliceAndBob((t) => {
  ({ world, alice, bob } = t);
});

describe('devices on the tencent backend', () => {
  async function videoCall() {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(1000);
    await bob.calling.accept();
    await world.advance(1000);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  }

  it('lists as TRTC gives them; setVideoQuality(720p) and switchDevice() before the call reach its stream; in the call at once; nothing else happens', async () => {
    expect(await alice.calling.getCameras()).toEqual([{ deviceId: 'camera-1', groupId: 'fake', kind: 'videoinput', label: 'fake camera-1' }]);
    expect((await alice.calling.getMicrophones()).map((d) => d.deviceId)).toEqual(['mic-1']);
    expect((await alice.calling.getSpeakers()).map((d) => d.deviceId)).toEqual(['speaker-1']);
    await alice.calling.setVideoQuality('720p');
    await alice.calling.switchDevice({ deviceType: 'video', deviceId: 'camera-1' });
    await videoCall();
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

  const cam = (n: number) => ({ deviceId: `camera-${n}`, groupId: 'fake', kind: 'videoinput', label: `fake camera-${n}` });
  const updated = (cameraList: unknown[], currentCamera: unknown) =>
    expect.objectContaining({ name: 'onDeviceUpdated', payload: expect.objectContaining({ cameraList, currentCamera }) });

  it('the camera in use unplugged mid-call -> TRTC switches to camera-2, DEVICED_UPDATED; Bob sees nothing change', async () => {
    world.rtc.setDevices('alice', { cameras: ['camera-1', 'camera-2'] });
    await videoCall();
    const stream = alice.trtc.streams[0];
    alice.trtc.unplugCamera('camera-1');
    await world.advance(200);
    expect(alice.take()).toEqual([updated([cam(2)], cam(2))]);
    expect(bob.take()).toEqual([]);
    expect(stream?.switched).toEqual([{ type: 'video', deviceId: 'camera-2' }]);
    expect(stream?.videoTrack).toMatchObject({ deviceId: 'camera-2', readyState: 'live', enabled: true });
    // The new camera is watched too: unplugged in turn, with none left, it is reported.
    alice.trtc.unplugCamera('camera-2');
    await world.advance(200);
    expect(alice.take()).toEqual([updated([], null), ev.error(60004)]);
    expect(bob.take()).toEqual([ev.video('alice', false)]);
  });

  it('the only camera unplugged mid-call -> DEVICED_UPDATED, ERROR 60004, Bob VIDEO_AVAILABLE false; plugged back, openCamera() captures again', async () => {
    await videoCall();
    const stream = alice.trtc.streams[0];
    alice.trtc.unplugCamera('camera-1');
    await world.advance(200);
    expect(alice.take()).toEqual([updated([], null), ev.error(60004)]);
    expect(bob.take()).toEqual([ev.video('alice', false)]);
    expect(alice.calling.getCallStatus()).toBe('connected');
    world.rtc.setDevices('alice', { cameras: ['camera-3'] });
    await alice.calling.openCamera();
    await world.advance(200);
    expect(stream?.videoTrack).toMatchObject({ deviceId: 'camera-3', readyState: 'live', enabled: true });
    expect(bob.take()).toEqual([ev.video('alice', true)]);
    await alice.calling.hangup();
    await world.advance(1000);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it('bad input -> InvalidParameterError before TRTC is asked', async () => {
    await expect(alice.calling.setVideoQuality('4K' as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.switchDevice({ deviceType: 'camera', deviceId: 'x' } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.switchDevice({ deviceType: 'video' } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    expect(alice.take()).toEqual([]);
  });
});
