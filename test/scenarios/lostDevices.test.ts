/**
 * Devices that go away mid-call (the app-developer review of the test kit, 2026-12-04 evening;
 * each test failed before the fix): the last camera unplugged turns the call's own view off too
 * (`local.camera`, as the others already saw it); the last microphone unplugged leaves the others
 * hearing nothing on the memory network, as its kit says; and `openCamera()` tapped again while
 * the camera is on does nothing there, as a browser's (the memory room refused it, though the
 * camera stayed on for the others, and the caller's view said off).
 */
import { describe, expect, it } from 'vitest';
import TRTCCalling from '../../src/index';
import { captureEvents, createMemoryNetwork, SimulatedClock } from '../../src/testing';

async function inCall(type: 1 | 2) {
  const net = createMemoryNetwork({ clock: new SimulatedClock() });
  const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
  await alice.login({ userID: 'alice', userSig: 's' });
  await bob.login({ userID: 'bob', userSig: 's' });
  bob.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.accept({ inviteID }));
  const dialled = alice.call({ userID: 'bob', type, timeout: 30 });
  await net.advance(500);
  await dialled;
  expect(bob.getSnapshot().call?.state).toBe('inCall');
  return { net, alice, bob };
}

describe('devices that go away mid-call', () => {
  it("Bob's only camera unplugged -> the others see it off, ERROR 60004, and Bob's own view says camera off", async () => {
    const { net, alice, bob } = await inCall(2);
    const bobEvents = captureEvents(bob);
    net.rooms.unplugDevice('bob', 'camera-1');
    await net.advance(5_000);
    expect(bobEvents.log.find((e) => e.name === TRTCCalling.EVENT.ERROR)?.payload).toMatchObject({ code: 60004 });
    expect(alice.getSnapshot().call?.participants).toContainEqual({ userID: 'bob', audio: true, video: false });
    expect(bob.getSnapshot().call?.local.camera).toBe(false);
  });

  it("Bob's only microphone unplugged -> ERROR 60003, and the others hear nothing (his audio off, his voice at 0)", async () => {
    const { net, alice, bob } = await inCall(1);
    const bobEvents = captureEvents(bob);
    const heard: number[] = [];
    alice.on(TRTCCalling.EVENT.USER_VOICE_VOLUME, ({ volumeMap }) => heard.push(volumeMap.find((v) => v.userId === 'bob')?.audioVolume ?? -1));
    net.rooms.setVoiceVolume('bob', 60);
    net.rooms.unplugDevice('bob', 'mic-1');
    await net.advance(2_000);
    expect(bobEvents.log.find((e) => e.name === TRTCCalling.EVENT.ERROR)?.payload).toMatchObject({ code: 60003 });
    expect(alice.getSnapshot().call?.participants).toContainEqual({ userID: 'bob', audio: false, video: false });
    expect(heard.at(-1)).toBe(0);
  });

  it('openCamera() tapped again while the camera is on, after the camera went from the device list -> it does nothing: both sides keep it on', async () => {
    const { net, alice, bob } = await inCall(2);
    net.rooms.setDevices('alice', { camera: false });
    await alice.openCamera();
    await net.advance(5_000);
    expect(alice.getSnapshot().call?.local.camera).toBe(true);
    expect(bob.getSnapshot().call?.participants).toEqual([{ userID: 'alice', audio: true, video: true }]);
    await alice.closeCamera();
    await expect(alice.openCamera()).rejects.toMatchObject({ code: 60004 });
    await net.advance(1_000);
    expect(bob.getSnapshot().call?.participants).toEqual([{ userID: 'alice', audio: true, video: false }]);
  });
});
