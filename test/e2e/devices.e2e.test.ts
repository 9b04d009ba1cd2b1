/**
 * Devices in Chromium with three fake cameras: Alice switches her camera mid-call and Bob keeps
 * receiving her video (the old camera is stopped, so only a replaced track can bring new frames);
 * setVideoQuality changes the camera's resolution and bitrate cap in the call; a camera that ends
 * by itself is replaced by another one, with DEVICED_UPDATED.
 */
import { describe, expect, it } from 'vitest';
import { type Connections, e, shape, callerStart, calleeStart, keepPeerConnections } from './support/demoPage';
import { e2eSuite } from './support/suite';

interface Calling {
  getCameras(): Promise<Array<{ deviceId: string; label: string; kind: string }>>;
  switchDevice(params: { deviceType: 'video' | 'audio'; deviceId: string }): Promise<void>;
  setVideoQuality(profile: string): Promise<void>;
}
type Win = { hcDemo: { calling: () => Calling } };

describe('devices in Chromium', () => {
  const world = e2eSuite({ flags: ['--use-fake-device-for-media-stream=device-count=3'] });

  it('Alice switchDevice() to another camera mid-call -> Bob keeps receiving her video; setVideoQuality(240p) -> 320x240', async () => {
    // Keeps Alice's peer connections, to read what her video sender sends.
    const alice = await world.open('alice', { init: keepPeerConnections });
    const bob = await world.open('bob');
    // A profile chosen before the call: the capture and the connection made later follow it.
    await alice.page.evaluate(() => (window as unknown as Win).hcDemo.calling().setVideoQuality('360p'));
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    await bob.waitFrames('alice');
    const capAtStart = await alice.page.evaluate(() =>
      (window as unknown as Connections).peerConnections
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => s.getParameters().encodings.map((e) => e.maxBitrate))),
    );
    expect(capAtStart).toEqual([[800_000]]); // TRTC's 360p: 800 kbps

    const cameras = await alice.page.evaluate(() => (window as unknown as Win).hcDemo.calling().getCameras());
    expect(cameras.length).toBe(3);
    expect(cameras.every((c) => c.kind === 'videoinput' && c.deviceId !== '')).toBe(true);

    const localCamera = () =>
      alice.page.evaluate(() => {
        const video = document.querySelector('#self-view video') as HTMLVideoElement | null;
        const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return { deviceId: track?.getSettings().deviceId ?? null, state: track?.readyState ?? null, width: track?.getSettings().width ?? 0 };
      });
    const before = await localCamera();
    // Chromium's fake_device_1 delivers Y16 (depth) frames no encoder takes; fake_device_2 is a plain camera.
    const other = cameras.find((c) => c.label === 'fake_device_2');
    expect(other?.deviceId).not.toBe(before.deviceId);
    expect(other).toBeDefined();
    await alice.page.evaluate((deviceId) => (window as unknown as Win).hcDemo.calling().switchDevice({ deviceType: 'video', deviceId }), other?.deviceId ?? '');
    const after = await localCamera();
    expect(after.deviceId).toBe(other?.deviceId);
    expect(after.state).toBe('live');
    const sent = await alice.page.evaluate(() => {
      const pcs = (window as unknown as Connections).peerConnections.filter((pc) => pc.connectionState !== 'closed');
      const video = document.querySelector('#self-view video') as HTMLVideoElement;
      const local = (video.srcObject as MediaStream).getVideoTracks()[0];
      return pcs.map((pc) => pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => [s.track?.id === local?.id, s.track?.readyState]));
    });
    expect(sent).toEqual([[[true, 'live']]]);
    // The old camera is stopped: new frames at Bob come from the replaced track only.
    await bob.waitFrames('alice', 10);

    await alice.page.evaluate(() => (window as unknown as Win).hcDemo.calling().setVideoQuality('240p'));
    expect((await localCamera()).width).toBe(320);
    const maxBitrates = await alice.page.evaluate(() =>
      (window as unknown as Connections).peerConnections
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => s.getParameters().encodings.map((e) => e.maxBitrate))),
    );
    expect(maxBitrates).toEqual([[400_000]]); // TRTC's 240p: 400 kbps
    await bob.waitFrames('alice', 5);

    // The camera in use ends by itself (as when unplugged; a page cannot unplug Chromium's fake
    // camera, so the track's own 'ended' event is dispatched): another camera takes its place.
    await alice.page.evaluate(() => {
      const video = document.querySelector('#self-view video') as HTMLVideoElement;
      (video.srcObject as MediaStream).getVideoTracks()[0]?.dispatchEvent(new Event('ended'));
    });
    await alice.waitEvent('onDeviceUpdated');
    const fallback = await localCamera();
    expect(fallback.state).toBe('live');
    expect(fallback.deviceId).toBe(cameras.find((c) => c.label === 'fake_device_0')?.deviceId);
    await bob.waitFrames('alice', 10);

    await alice.click('hangup');
    await bob.waitEvent('onCallEnd');
    expect(shape(await bob.events())).toEqual([
      ...calleeStart('alice'),
      e('onUserLeave', { userID: 'alice' }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(shape(await alice.events())).toEqual([
      ...callerStart('bob'),
      e('onDeviceUpdated'),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    const updated = (await alice.events()).find((x) => x.name === 'onDeviceUpdated')?.payload;
    expect(updated).toMatchObject({ currentCamera: { deviceId: fallback.deviceId, kind: 'videoinput' } });
    expect((updated?.cameraList as unknown[]).length).toBe(3);
  });
});
