/**
 * Devices and video quality over the memory network (beyond the seed's API): the lists,
 * `switchDevice` before and during a call, DEVICED_UPDATED on hot-plug, a camera unplugged
 * mid-call falling back to another one or, with none left, reporting 60004 while the call goes on;
 * `setVideoQuality` with TRTC's profile names. Whole event logs are asserted.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, RoomPortError, TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers, memoryWorld, party } from '../support/world';

const cam = (n: number) => ({ deviceId: `camera-${n}`, groupId: `camera-${n}`, kind: 'videoinput' as const, label: `Simulated camera ${n}` });
const mic1 = { deviceId: 'mic-1', groupId: 'mic-1', kind: 'audioinput' as const, label: 'Simulated microphone 1' };
const speaker1 = { deviceId: 'speaker-1', groupId: 'speaker-1', kind: 'audiooutput' as const, label: 'Simulated speaker 1' };
const updated = (cameraList: unknown[], currentCamera: unknown) => ({
  name: 'onDeviceUpdated',
  payload: { cameraList, microphoneList: [mic1], speakerList: [speaker1], currentCamera, currentMicrophone: mic1, currentSpeaker: speaker1 },
});

describe('devices (memory network)', () => {
  const t = memoryUsers('alice', 'bob');

  async function videoCall() {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(100);
    await t.bob.calling.accept();
    await t.world.advance(200);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  }

  it('getCameras(), getMicrophones(), getSpeakers() list the devices as TRTC.getCameras does', async () => {
    expect(await t.alice.calling.getCameras()).toEqual([cam(1)]);
    expect(await t.alice.calling.getMicrophones()).toEqual([mic1]);
    expect(await t.alice.calling.getSpeakers()).toEqual([speaker1]);
    t.world.net.rooms.setDevices('alice', { camera: false });
    expect(await t.alice.calling.getCameras()).toEqual([]);
  });

  it('switchDevice() with bad input -> InvalidParameterError, nothing changes', async () => {
    const calling = t.alice.calling;
    await expect(calling.switchDevice({ deviceType: 'screen', deviceId: 'camera-1' } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(calling.switchDevice({ deviceType: 'video', deviceId: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(calling.switchDevice(null as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(calling.switchDevice({ deviceType: 'video', deviceId: 'camera-9' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(calling.switchDevice({ deviceType: 'audio', deviceId: 'camera-1' })).rejects.toBeInstanceOf(InvalidParameterError);
    expect(t.world.net.rooms.media('alice').camera).toBe('camera-1');
    expect(t.alice.take()).toEqual([]);
  });

  it('Alice plugs in a camera, switchDevice() before the call -> DEVICED_UPDATED; the call captures with camera-2', async () => {
    t.world.net.rooms.plugDevice('alice', cam(2));
    await t.world.advance(20);
    expect(t.alice.take()).toEqual([updated([cam(1), cam(2)], cam(1))]);
    await t.alice.calling.switchDevice({ deviceType: 'video', deviceId: 'camera-2' });
    await videoCall();
    expect(t.world.net.rooms.media('alice').camera).toBe('camera-2');
  });

  it('Alice switchDevice() mid-call -> Bob keeps her video, nothing else happens', async () => {
    t.world.net.rooms.plugDevice('alice', cam(2));
    await t.world.advance(20);
    t.alice.take();
    await videoCall();
    await t.alice.calling.switchDevice({ deviceType: 'video', deviceId: 'camera-2' });
    await t.world.advance(200);
    expect(t.world.net.rooms.media('alice').camera).toBe('camera-2');
    expect(t.alice.take()).toEqual([]);
    expect(t.bob.take()).toEqual([]);
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  it('Alice unplugs the camera in use mid-call -> falls back to camera-2, DEVICED_UPDATED; Bob sees nothing change', async () => {
    t.world.net.rooms.plugDevice('alice', cam(2));
    await t.world.advance(20);
    t.alice.take();
    await videoCall();
    t.world.net.rooms.unplugDevice('alice', 'camera-1');
    await t.world.advance(200);
    expect(t.alice.take()).toEqual([updated([cam(2)], cam(2))]);
    expect(t.bob.take()).toEqual([]);
    expect(t.world.net.rooms.media('alice').camera).toBe('camera-2');
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  it('Alice unplugs her only camera mid-call -> DEVICED_UPDATED, ERROR 60004; Bob VIDEO_AVAILABLE false; the call goes on', async () => {
    await videoCall();
    t.world.net.rooms.unplugDevice('alice', 'camera-1');
    await t.world.advance(200);
    // The ERROR carries the room's error for the loss (the device change's own).
    expect(t.alice.take()).toEqual([updated([], null), ev.error(60004, expect.objectContaining({ name: 'RoomPortError', code: 60004 }))]);
    expect(t.bob.take()).toEqual([ev.video('alice', false)]);
    expect(t.alice.calling.getCallStatus()).toBe('connected');
    await t.alice.calling.hangup();
    await t.world.advance(200);
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it('a camera unplugged that the call does not use -> DEVICED_UPDATED only', async () => {
    t.world.net.rooms.plugDevice('alice', cam(2));
    await t.world.advance(20);
    t.alice.take();
    await videoCall();
    t.world.net.rooms.unplugDevice('alice', 'camera-2');
    await t.world.advance(200);
    expect(t.alice.take()).toEqual([updated([cam(1)], cam(1))]);
    expect(t.world.net.rooms.media('alice').camera).toBe('camera-1');
  });

  it('a DEVICED_UPDATED listener that throws -> ERROR, the call goes on', async () => {
    await videoCall();
    t.alice.calling.on(TRTCCalling.EVENT.DEVICED_UPDATED, () => {
      throw new Error('boom');
    });
    t.world.net.rooms.plugDevice('alice', cam(2));
    await t.world.advance(20);
    expect(t.alice.take()).toEqual([updated([cam(1), cam(2)], cam(1)), ev.error(65535)]);
    expect(t.alice.calling.getCallStatus()).toBe('connected');
  });

  it('setVideoQuality() takes TRTC profile names and {width,height,frameRate,bitrate}; anything else is InvalidParameterError', async () => {
    const calling = t.alice.calling;
    await calling.setVideoQuality('720p');
    expect(t.world.net.rooms.media('alice').profile).toEqual({ width: 1280, height: 720, frameRate: 15, bitrate: 1500 });
    await calling.setVideoQuality('360p_2');
    expect(t.world.net.rooms.media('alice').profile).toEqual({ width: 640, height: 360, frameRate: 15, bitrate: 400 });
    await calling.setVideoQuality({ width: 800, height: 600, frameRate: 24, bitrate: 1000 });
    expect(t.world.net.rooms.media('alice').profile).toEqual({ width: 800, height: 600, frameRate: 24, bitrate: 1000 });
    for (const bad of ['4K', '721p', '', 480, null, { width: 800 }, { width: 800, height: 600, frameRate: 0, bitrate: 1000 }]) {
      await expect(calling.setVideoQuality(bad as never)).rejects.toBeInstanceOf(InvalidParameterError);
    }
    expect(t.world.net.rooms.media('alice').profile).toEqual({ width: 800, height: 600, frameRate: 24, bitrate: 1000 });
    await videoCall();
    await calling.setVideoQuality('1080p');
    expect(t.world.net.rooms.media('alice').profile).toEqual({ width: 1920, height: 1080, frameRate: 15, bitrate: 2000 });
  });
});

describe('device lists that fail', () => {
  it("a device plugged in, the room's getCameras() failing -> ERROR whose cause is the room's own error, as the README's ERROR row says", async () => {
    const world = memoryWorld();
    const real = world.net.backend();
    const refusal = new RoomPortError(65535, 'the device list is not available');
    const room = new Proxy(real.room, {
      get(target, prop) {
        if (prop === 'getCameras') return () => Promise.reject(refusal);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const alice = party('alice', new TRTCCalling({ SDKAppID: 1400000001, backend: { ...real, room } }));
    await alice.calling.login({ userID: 'alice', userSig: 'sig-alice' });
    await world.advance(100);
    alice.take();
    world.net.rooms.plugDevice('alice', cam(2));
    await world.advance(20);
    expect(alice.take()).toEqual([ev.error(65535, refusal)]);
    await world.dispose();
  });
});
