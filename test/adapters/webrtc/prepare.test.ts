/**
 * `WebRtcRoomPort.prepare()` in Node with a fake browser environment on a `SimulatedClock`:
 * overlapping captures run one after another, none leaks its tracks, and a capture's 15 s
 * release timer stops only that capture. `dispose()` releases a prepared capture at once.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import type { MediaEnvironment } from '../../../adapters/webrtc/media';
import { WebRtcRoomPort } from '../../../adapters/webrtc/WebRtcRoomPort';
import { WsConnection } from '../../../adapters/ws/WsConnection';
import { WsRoomPort } from '../../../adapters/ws/WsRoomPort';
import type { WebSocketLike } from '../../../adapters/ws/socket';

class FakeTrack {
  readyState: 'live' | 'ended' = 'live';
  #enabled = true;
  constructor(
    readonly id: string,
    readonly kind: 'audio' | 'video',
    /** What is done to the track, in order: `mic1 off`, `cam1 stop`. */
    private readonly log: string[] = [],
  ) {}
  get enabled(): boolean {
    return this.#enabled;
  }
  set enabled(on: boolean) {
    this.#enabled = on;
    this.log.push(`${this.id} ${on ? 'on' : 'off'}`);
  }
  stop(): void {
    this.readyState = 'ended';
    this.log.push(`${this.id} stop`);
  }
  addEventListener(): void {}
}

class FakeStream {
  constructor(private tracks: FakeTrack[]) {}
  removeTrack = (track: FakeTrack) => {
    this.tracks = this.tracks.filter((t) => t !== track);
  };
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((t) => t.kind === 'video');
}

/** A `getUserMedia` whose captures the test resolves one by one; every track it made is kept. */
function fakeDevices() {
  const asked: Array<{ constraints: MediaStreamConstraints; resolve: () => void; refuse: () => void }> = [];
  const tracks: FakeTrack[] = [];
  const log: string[] = [];
  let made = 0;
  const getUserMedia = (constraints?: MediaStreamConstraints) =>
    new Promise<MediaStream>((resolve, reject) => {
      const c = constraints ?? {};
      asked.push({
        constraints: c,
        refuse: () => reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })),
        resolve: () => {
          made += 1;
          const mine = [new FakeTrack(`mic${made}`, 'audio', log), ...(c.video ? [new FakeTrack(`cam${made}`, 'video', log)] : [])];
          tracks.push(...mine);
          resolve(new FakeStream(mine) as unknown as MediaStream);
        },
      });
    });
  /** `mic1 live, cam1 ended, ...` */
  const state = () => tracks.map((t) => `${t.id} ${t.readyState}`);
  return { getUserMedia, asked, state, log };
}

/** A socket that never opens: the signaling half is not used by these tests. */
class IdleSocket implements WebSocketLike {
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  send(): void {}
  close(): void {}
}

function setup() {
  const clock = new SimulatedClock();
  const devices = fakeDevices();
  const environment = (): MediaEnvironment => ({
    RTCPeerConnection: class {} as unknown as typeof RTCPeerConnection,
    mediaDevices: { getUserMedia: devices.getUserMedia },
  });
  const signaling = new WsRoomPort(new WsConnection({ url: 'ws://nowhere.invalid/ws', WebSocket: IdleSocket, clock }));
  const port = new WebRtcRoomPort(signaling, { clock, environment });
  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { clock, devices, port, flush };
}

describe('WebRtcRoomPort.prepare()', () => {
  it('two overlapping video captures -> one getUserMedia; the second finds the first fitting and keeps it, its 15 s starting again', async () => {
    const { clock, devices, port, flush } = setup();
    const first = port.prepare({ video: true });
    await clock.advance(10_000);
    const second = port.prepare({ video: true });
    await flush();
    expect(devices.asked).toHaveLength(1);
    devices.asked[0]?.resolve();
    await Promise.all([first, second]);
    expect(devices.asked).toHaveLength(1);
    expect(devices.state()).toEqual(['mic1 live', 'cam1 live']);
    await clock.advance(14_999);
    expect(devices.state()).toEqual(['mic1 live', 'cam1 live']);
    await clock.advance(1);
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended']);
  });

  it('overlapping captures that differ (video, then audio) -> the second waits; the first is stopped before it; the first timer never stops the second', async () => {
    const { clock, devices, port, flush } = setup();
    const video = port.prepare({ video: true });
    const audio = port.prepare({ video: false });
    await flush();
    expect(devices.asked.map((a) => a.constraints)).toEqual([{ audio: true, video: true }]);
    devices.asked[0]?.resolve(); // at 0 s: the video capture, its release due at 15 s
    await video;
    await flush();
    expect(devices.asked.map((a) => a.constraints)).toEqual([
      { audio: true, video: true },
      { audio: true, video: false },
    ]);
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended']);
    await clock.advance(5_000);
    devices.asked[1]?.resolve(); // at 5 s: the audio capture, its release due at 20 s
    await audio;
    await clock.advance(10_000); // 15 s: the first capture's time, which must not touch the second
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended', 'mic2 live']);
    await clock.advance(5_000);
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended', 'mic2 ended']);
  });

  it('a refused capture rejects its prepare() only (60005); the next one runs', async () => {
    const { devices, port, flush } = setup();
    const refused = port.prepare({ video: false });
    const next = port.prepare({ video: false });
    await flush();
    devices.asked[0]?.refuse();
    await expect(refused).rejects.toMatchObject({ code: 60005 });
    await flush();
    expect(devices.asked).toHaveLength(2);
    devices.asked[1]?.resolve();
    await next;
    expect(devices.state()).toEqual(['mic1 live']);
  });

  it('enter() while prepare() still captures takes that capture: refused -> enter rejects with its 60005, the devices are asked once', async () => {
    const { devices, port, flush } = setup();
    const prepared = port.prepare({ video: true });
    prepared.catch(() => undefined);
    const entered = port.enter(7, { userID: 'alice', video: true, audioMuted: false });
    entered.catch(() => undefined);
    await flush();
    devices.asked[0]?.refuse();
    await expect(entered).rejects.toMatchObject({ code: 60005 });
    await flush();
    expect(devices.asked).toHaveLength(1);
    expect(port.localStream).toBeNull();
  });

  it('enter() while prepare() still captures, with another call type -> the capture made ahead is stopped and a fitting one made', async () => {
    const { devices, port, flush } = setup();
    void port.prepare({ video: true });
    const entered = port.enter(7, { userID: 'alice', video: false, audioMuted: false });
    entered.catch(() => undefined);
    await flush();
    devices.asked[0]?.resolve();
    await flush();
    expect(devices.asked.map((a) => a.constraints)).toEqual([{ audio: true, video: true }, { audio: true, video: false }]);
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended']);
  });

  it('closeCamera() and setMicMute(true) while the capture is made (told as preset) -> the camera is stopped as it lands, the microphone lands disabled', async () => {
    const { devices, port, flush } = setup();
    void port.prepare({ video: true });
    const entered = port.enter(7, { userID: 'alice', video: true, audioMuted: false });
    entered.catch(() => undefined);
    await flush();
    port.preset({ video: false, audioMuted: true });
    devices.asked[0]?.resolve();
    await flush();
    // Landed muted and without the camera; then the enter fails here (no server), so all stops.
    expect(devices.log).toEqual(['mic1 off', 'cam1 stop', 'mic1 stop']);
  });

  it('dispose() releases a prepared capture at once, and a capture that lands after it is stopped at once', async () => {
    const { devices, port, flush } = setup();
    const first = port.prepare({ video: true });
    await flush();
    devices.asked[0]?.resolve();
    await first;
    const late = port.prepare({ video: false });
    await flush();
    await port.dispose();
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended']);
    devices.asked[1]?.resolve();
    await late;
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended', 'mic2 ended']);
  });

  it('unprepare() (the command was refused) -> what is held stops at once, a capture under way stops as it lands, a capture asked after it is kept', async () => {
    const { clock, devices, port, flush } = setup();
    const held = port.prepare({ video: true });
    await flush();
    devices.asked[0]?.resolve();
    await held;
    const underWay = port.prepare({ video: false });
    port.unprepare();
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended']);
    await flush();
    expect(devices.asked).toHaveLength(1); // given up before it started: never asked
    await underWay;
    const landing = port.prepare({ video: false });
    await flush();
    port.unprepare();
    devices.asked[1]?.resolve();
    await landing;
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended', 'mic2 ended']);
    const next = port.prepare({ video: false });
    await flush();
    devices.asked[2]?.resolve();
    await next;
    await clock.advance(14_999);
    expect(devices.state()).toEqual(['mic1 ended', 'cam1 ended', 'mic2 ended', 'mic3 live']);
  });
});
