/**
 * `TrtcRoomPort` beyond the shared RoomPort contract: the TRTC client it makes from the IM
 * login, the stream it publishes, TRTC's member events in the orders TRTC may send them,
 * TRTC failures, device lists and switching, and the lazy loading of trtc-js-sdk.
 */
import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import type { RoomEvent } from '../../../adapters/RoomPort';
import { CredentialStore, TrtcRoomPort, type TrtcModule } from '../../../adapters/tencent';
import { briefRoom, recordRoom } from '../../contracts/roomPortContract';
import { FakeTrtcCloud, type FakeClient } from '../../tencent/fakes/fakeTrtc';

const SDK_APP_ID = 1400000001;
const video = (userID: string) => ({ userID, video: true, audioMuted: false });
const audio = (userID: string) => ({ userID, video: false, audioMuted: false });

function setup() {
  const clock = new SimulatedClock();
  const cloud = new FakeTrtcCloud(clock);
  const errors: unknown[] = [];
  const connect = (userID: string, options: { loggedIn?: boolean; deviceEvents?: EventTarget } = {}) => {
    const credentials = new CredentialStore(SDK_APP_ID);
    if (options.loggedIn !== false) credentials.set(userID, `sig-${userID}`);
    const trtc = cloud.module(userID);
    const port = new TrtcRoomPort({ credentials, TRTC: trtc, onError: (e) => errors.push(e), ...(options.deviceEvents ? { deviceEvents: options.deviceEvents } : {}) });
    return { port, trtc, credentials, events: recordRoom(port) };
  };
  /** Runs a port call while the clock moves. */
  const run = async <T>(p: Promise<T>): Promise<T> => {
    const [value] = await Promise.all([p, clock.runUntilIdle()]);
    return value;
  };
  return { clock, cloud, connect, run, errors };
}

describe('the TRTC client and the published stream', () => {
  it('a client per login: mode rtc, the IM login\'s sdkAppId, userId and userSig; a new one after a new login', async () => {
    const { connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    await run(alice.port.exit());
    await run(alice.port.enter(1002, video('alice')));
    alice.credentials.set('alice', 'sig-2');
    await run(alice.port.exit());
    await run(alice.port.enter(1003, video('alice')));
    expect(alice.trtc.clients.map((c) => [c.config.mode, c.config.sdkAppId, c.config.userId, c.config.userSig, (c as FakeClient).destroyed])).toEqual([
      ['rtc', SDK_APP_ID, 'alice', 'sig-alice', true],
      ['rtc', SDK_APP_ID, 'alice', 'sig-2', false],
    ]);
  });

  it('refuses to enter without an IM login, or as another user, or a room that is not a TRTC number', async () => {
    const { connect, run } = setup();
    await expect(run(connect('alice', { loggedIn: false }).port.enter(1001, video('alice')))).rejects.toMatchObject({ code: 65535 });
    await expect(run(connect('alice').port.enter(1001, video('mallory')))).rejects.toMatchObject({ code: 65535 });
    for (const room of [0, 1.5, 2 ** 32]) await expect(run(connect('bob').port.enter(room, video('bob')))).rejects.toMatchObject({ code: 65535 });
  });

  it('publishes the microphone, and the camera for video; muted when asked; closes it on exit', async () => {
    const { cloud, connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, { userID: 'alice', video: false, audioMuted: true }));
    const [stream] = alice.trtc.streams;
    expect([stream?.hasAudio(), stream?.hasVideo(), stream?.audioMuted, stream?.published]).toEqual([true, false, true, true]);
    expect(cloud.members(1001)).toEqual(['alice']);
    await run(alice.port.exit());
    expect([stream?.published, stream?.closed, cloud.members(1001)]).toEqual([false, true, []]);
  });

  it('60006 when TRTC.checkSystemRequirements says no (asked once)', async () => {
    const { cloud, connect, run } = setup();
    cloud.setDevices('alice', { webrtc: false });
    const alice = connect('alice');
    const check = vi.spyOn(alice.trtc, 'checkSystemRequirements');
    await expect(run(alice.port.enter(1001, audio('alice')))).rejects.toMatchObject({ code: 60006 });
    await expect(run(alice.port.enter(1001, audio('alice')))).rejects.toMatchObject({ code: 60006 });
    expect(check).toHaveBeenCalledTimes(1);
    expect(alice.trtc.clients).toEqual([]);
  });
});

describe('members, as TRTC tells of them', () => {
  it('a member who answered but never published: peer-join is memberJoined, its peer-leave memberLeft', async () => {
    const { clock, connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    const bob = connect('bob');
    const client = bob.trtc.createClient({ mode: 'rtc', sdkAppId: SDK_APP_ID, userId: 'bob', userSig: 's' });
    await run(client.join({ roomId: 1001 }));
    await run(client.leave());
    await clock.runUntilIdle();
    expect(briefRoom(alice.events)).toEqual(['1001 memberJoined bob', '1001 memberLeft bob']);
  });

  it('mute events before the stream is subscribed are not lost; one memberLeft for stream-removed then peer-leave', async () => {
    const { connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    const bob = connect('bob');
    await run(bob.port.enter(1001, { userID: 'bob', video: true, audioMuted: true }));
    await run(bob.port.setMicMuted(false));
    await run(bob.port.setCamera(false));
    await run(bob.port.exit());
    expect(briefRoom(alice.events)).toEqual([
      '1001 memberJoined bob',
      '1001 mediaArrived bob',
      '1001 videoAvailable bob true',
      '1001 audioAvailable bob true',
      '1001 videoAvailable bob false',
      '1001 memberLeft bob',
    ]);
  });

  it('a stream gone before our subscription took is no error; its media never arrived, its peer-leave is a memberLeft', async () => {
    const { connect, run, errors } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    const bob = connect('bob');
    await Promise.all([bob.port.enter(1001, video('bob')).then(() => bob.port.exit()), run(Promise.resolve())]);
    expect(briefRoom(alice.events)).toEqual(['1001 memberJoined bob', '1001 memberLeft bob']);
    expect(errors).toEqual([]);
  });

  it('TRTC banning us, or failing for good, is `failed` with TRTC\'s code (CLIENT_BANNED 0x4040)', async () => {
    const { cloud, connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    cloud.fail('alice', 0x4041, 'server timeout');
    cloud.ban('alice', 'kick');
    await run(alice.port.exit());
    expect(alice.events.map((e: RoomEvent) => (e.type === 'failed' ? [e.roomID, e.error.code] : e.type))).toEqual([
      [1001, 0x4041],
      [1001, 0x4040],
    ]);
    // What TRTC said, as its cause: its error (the SDK's RtcError), its ban event.
    expect(alice.events.map((e: RoomEvent) => (e.type === 'failed' ? e.error.cause : null))).toEqual([
      expect.objectContaining({ message: 'server timeout' }),
      expect.objectContaining({ reason: 'kick' }),
    ]);
  });

  it('the same user joining the room from another client bans the first (kick)', async () => {
    const { connect, run } = setup();
    const first = connect('alice');
    await run(first.port.enter(1001, video('alice')));
    await run(connect('alice').port.enter(1001, video('alice')));
    expect(briefRoom(first.events)).toEqual(['1001 failed 16448']);
  });
});

describe('devices', () => {
  it('lists cameras, microphones and speakers; switchDevice applies now and to the next call', async () => {
    const { cloud, connect, run } = setup();
    cloud.setDevices('alice', { cameras: ['camera-1', 'cam-2'] });
    const alice = connect('alice');
    expect((await alice.port.getCameras()).map((d) => d.kind)).toEqual(['videoinput', 'videoinput']);
    expect((await alice.port.getMicrophones()).map((d) => d.kind)).toEqual(['audioinput']);
    expect((await alice.port.getSpeakers()).map((d) => d.kind)).toEqual(['audiooutput']);
    await alice.port.switchDevice({ deviceType: 'video', deviceId: 'cam-2' });
    const create = vi.spyOn(alice.trtc, 'createStream');
    await run(alice.port.enter(1001, video('alice')));
    expect(create).toHaveBeenCalledWith({ userId: 'alice', audio: true, video: true, cameraId: 'cam-2' });
    await alice.port.switchDevice({ deviceType: 'audio', deviceId: 'mic-2' });
    expect(alice.trtc.streams[0]?.switched).toEqual([{ type: 'audio', deviceId: 'mic-2' }]);
  });

  it('setVideoQuality: setVideoProfile on the next stream before it captures, and on the published one at once', async () => {
    const { connect, run } = setup();
    const alice = connect('alice');
    await alice.port.setVideoQuality({ width: 1280, height: 720, frameRate: 15, bitrate: 1500 });
    await run(alice.port.enter(1001, video('alice')));
    const stream = alice.trtc.streams[0];
    expect(stream?.profiles).toEqual([{ width: 1280, height: 720, frameRate: 15, bitrate: 1500 }]);
    await alice.port.setVideoQuality({ width: 320, height: 240, frameRate: 15, bitrate: 400 });
    expect(stream?.profiles).toEqual([
      { width: 1280, height: 720, frameRate: 15, bitrate: 1500 },
      { width: 320, height: 240, frameRate: 15, bitrate: 400 },
    ]);
  });

  it('devicechange of the page -> onDeviceChange listeners; a listener that throws goes to onError; lists are plain records', async () => {
    const { connect, errors } = setup();
    const target = new EventTarget();
    const alice = connect('alice', { deviceEvents: target });
    const seen: unknown[] = [];
    const off = alice.port.onDeviceChange((change) => seen.push(change));
    alice.port.onDeviceChange(() => {
      throw new Error('boom');
    });
    target.dispatchEvent(new Event('devicechange'));
    expect(seen).toEqual([{}]);
    expect(errors).toHaveLength(1);
    off();
    target.dispatchEvent(new Event('devicechange'));
    expect(seen).toEqual([{}]);
    expect(await alice.port.getCameras()).toEqual([{ deviceId: 'camera-1', groupId: 'fake', kind: 'videoinput', label: 'fake camera-1' }]);
    await alice.port.switchDevice({ deviceType: 'video', deviceId: 'camera-1' });
    expect(alice.port.currentDevices()).toEqual({ camera: 'camera-1' });
  });

  it('turning the camera on in a call published without one: 60004 without a camera, else a camera track is added', async () => {
    const { cloud, connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1001, video('alice')));
    const bob = connect('bob');
    await run(bob.port.enter(1001, audio('bob')));
    cloud.setDevices('bob', { camera: false });
    await expect(run(bob.port.setCamera(true))).rejects.toMatchObject({ code: 60004 });
    cloud.setDevices('bob', { camera: true });
    await run(bob.port.setCamera(true));
    expect(briefRoom(alice.events)).toEqual(['1001 memberJoined bob', '1001 mediaArrived bob', '1001 audioAvailable bob true', '1001 videoAvailable bob true']);
  });
});

describe('trtc-js-sdk is loaded only when no module is given', () => {
  it('no module: loaded on first use, once', async () => {
    const { cloud, run } = setup();
    const credentials = new CredentialStore(SDK_APP_ID);
    credentials.set('alice', 's');
    const loadTrtc = vi.fn(async (): Promise<TrtcModule> => cloud.module('alice'));
    const port = new TrtcRoomPort({ credentials, loadTrtc });
    expect(loadTrtc).not.toHaveBeenCalled();
    await run(port.enter(1001, audio('alice')));
    await port.getCameras();
    expect(loadTrtc).toHaveBeenCalledTimes(1);
  });

  it('a module given: never loaded', async () => {
    const { cloud, run } = setup();
    const credentials = new CredentialStore(SDK_APP_ID);
    credentials.set('alice', 's');
    const loadTrtc = vi.fn(async (): Promise<TrtcModule> => cloud.module('alice'));
    await run(new TrtcRoomPort({ credentials, TRTC: cloud.module('alice'), loadTrtc }).enter(1001, audio('alice')));
    expect(loadTrtc).not.toHaveBeenCalled();
  });
});

describe('views', () => {
  it('on a page, an id naming no element is refused as a parameter (-1202), as on WebRTC; a view into one that exists plays', async () => {
    const { connect, run } = setup();
    const alice = connect('alice');
    await run(alice.port.enter(1004, video('alice')));
    vi.stubGlobal('document', { getElementById: (id: string) => (id === 'me' ? {} : null) });
    try {
      for (const start of [() => alice.port.startLocalView('nowhere'), () => alice.port.startRemoteView('bob', 'nowhere')]) {
        await expect(run(start())).rejects.toMatchObject({ name: 'RoomPortError', code: -1202, reason: 'invalidParameter', message: 'no element with id "nowhere"' });
      }
      await run(alice.port.startLocalView('me'));
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
