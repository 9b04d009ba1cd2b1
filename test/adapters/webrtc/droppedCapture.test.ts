/**
 * Devices captured for a call that never takes them are released when the call is over, not
 * after the capture's own 15 s (the camera's light stays on meanwhile). Bob is a `TRTCCalling`
 * over a `WebRtcRoomPort` on the real embedded server (lock-step network, simulated clock), with
 * fake devices whose capture lands when the test says (a browser's permission prompt) and a fake
 * `RTCPeerConnection`; Alice is a plain client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MediaEnvironment } from '../../../adapters/webrtc/media';
import { WebRtcRoomPort } from '../../../adapters/webrtc/WebRtcRoomPort';
import { TRTCCalling } from '../../../src/index';
import { makeEmbeddedWorld, type EmbeddedWorld, SDKAPPID } from '../../support/embeddedWorld';

class FakeTrack {
  enabled = true;
  readyState = 'live';
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.readyState = 'ended';
  }
  addEventListener(): void {}
  getSettings(): object {
    return {};
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  addTrack = (track: FakeTrack) => void this.tracks.push(track);
  removeTrack = (track: FakeTrack) => void this.tracks.splice(this.tracks.indexOf(track), 1);
  getTracks = () => [...this.tracks];
  getAudioTracks = () => this.tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((t) => t.kind === 'video');
}

/** Enough of RTCPeerConnection for a member who may never connect. */
class IdlePeerConnection {
  signalingState = 'stable';
  connectionState = 'new';
  localDescription = null;
  onnegotiationneeded = null;
  onicecandidate = null;
  ontrack = null;
  onconnectionstatechange = null;
  addTrack() {
    return { track: null, replaceTrack: async () => undefined };
  }
  addTransceiver() {
    return { sender: { track: null, replaceTrack: async () => undefined }, receiver: { track: new FakeTrack('audio') } };
  }
  getTransceivers = () => [];
  getSenders = () => [];
  async setRemoteDescription(): Promise<void> {}
  async setLocalDescription(): Promise<void> {}
  async createOffer(): Promise<object> {
    return {};
  }
  async addIceCandidate(): Promise<void> {}
  restartIce(): void {}
  close(): void {}
}

describe('devices captured for a call that does not take them', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  /** Bob over WebRTC; his captures wait for `land()`. Every track ever made is in `tracks`. */
  async function bobOverWebRtc() {
    const tracks: FakeTrack[] = [];
    const waiting: Array<() => void> = [];
    const asking: Array<() => void> = [];
    const environment = (): MediaEnvironment => ({
      // The Permissions API, asked before a dial; its answers wait for `answer()`.
      permissions: { query: () => new Promise((resolve) => asking.push(() => resolve({ state: 'prompt' }))) },
      RTCPeerConnection: IdlePeerConnection as unknown as typeof RTCPeerConnection,
      mediaDevices: {
        getUserMedia: (c?: MediaStreamConstraints) =>
          new Promise<MediaStream>((resolve) =>
            waiting.push(() => {
              const mine = [new FakeTrack('audio'), ...(c?.video ? [new FakeTrack('video')] : [])];
              tracks.push(...mine);
              resolve(new FakeStream(mine) as unknown as MediaStream);
            }),
          ),
      },
    });
    const backend = world.backend();
    const room = new WebRtcRoomPort(backend.room, { clock: world.clock, environment });
    const calling = new TRTCCalling({ SDKAppID: SDKAPPID, backend: { ...backend, room } });
    await calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.settle();
    const land = () => {
      for (const f of waiting.splice(0)) f();
    };
    const answer = () => {
      for (const f of asking.splice(0)) f();
    };
    const live = () => tracks.filter((t) => t.readyState === 'live').map((t) => t.kind);
    return { calling, answer, land, live, tracks };
  }

  it('Bob accepts a video call while his capture waits; Alice cancels; the capture lands -> its tracks stop at once', async () => {
    const alice = await world.user('alice');
    const bob = await bobOverWebRtc();
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.settle();
    expect(bob.calling.getSnapshot().call?.state).toBe('ringing');

    const accepting = bob.calling.accept().catch((e: unknown) => e);
    await alice.calling.hangup();
    await world.settle();
    expect(bob.calling.getSnapshot().call).toBeNull();
    bob.land();
    await accepting;
    await world.settle();
    expect(bob.tracks.length).toBeGreaterThan(0);
    expect(bob.live()).toEqual([]);
    void bob.calling.destroy();
  });

  it('Bob dials while the browser is asked for his permissions; Alice\'s invitation rings meanwhile, so the dial is refused -> the capture it started stops as it lands', async () => {
    const alice = await world.user('alice');
    const bob = await bobOverWebRtc();
    const dialling = bob.calling.call({ userID: 'carol', type: 2 }).catch((e: unknown) => e);
    await world.settle();
    await alice.calling.call({ userID: 'bob', type: 1 });
    await world.settle();
    expect(bob.calling.getSnapshot().call?.state).toBe('ringing');
    bob.answer();
    expect(await dialling).toMatchObject({ name: 'InvalidStateError' });
    bob.land();
    await world.settle();
    expect(bob.tracks.length).toBeGreaterThan(0);
    expect(bob.live()).toEqual([]);
    expect(bob.calling.getSnapshot().call?.state).toBe('ringing');
    void bob.calling.destroy();
  });

  it('Bob dials Carol while the browser is asked for his permissions, then hangs up -> nothing is sent, call() rejects (cancelled), the capture stops as it lands', async () => {
    const carol = await world.user('carol');
    const bob = await bobOverWebRtc();
    const dialling = bob.calling.call({ userID: 'carol', type: 2 }).catch((e: unknown) => e);
    await world.settle();
    await bob.calling.hangup();
    bob.answer();
    expect(await dialling).toMatchObject({ name: 'CallingError', code: -1203, reason: 'cancelled' });
    bob.land();
    await world.settle();
    expect(bob.tracks.length).toBeGreaterThan(0);
    expect(bob.live()).toEqual([]);
    expect(bob.calling.getCallStatus()).toBe('idle');
    expect(carol.calling.getSnapshot().call).toBeNull();
    void bob.calling.destroy();
  });
});
