/**
 * The offer handed early, on the callee's side (issue 14): a `WebRtcRoomPort` over the real
 * embedded server (lock-step network, simulated clock) with a fake `RTCPeerConnection` and fake
 * devices. The caller and a third member are bare `WsRoomPort`s that relay what a browser would.
 * - Bob answers the offer he was handed while ringing as his enter goes out: his answer is
 *   written before the room's reply reaches him, and the copy of the offer his enter brings is
 *   not applied again. His media is told after the caller's arrival, never before.
 * - A caller who left while Bob rang: the connection Bob made from her early offer closes when
 *   the room's reply does not list her, and her media is never told.
 * - An invitation Bob never answered: what he was handed for it is dropped when he is told.
 * And, on the same fakes: a camera change the server refused to announce leaves the camera off, and so
 * does closing the camera while `switchDevice` captures another.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomEvent } from '../../../adapters/RoomPort';
import type { MediaEnvironment } from '../../../adapters/webrtc/media';
import { WebRtcRoomPort } from '../../../adapters/webrtc/WebRtcRoomPort';
import type { EmbeddedBackend } from '../../../adapters/ws/embeddedBackend';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

class FakeTrack {
  enabled = true;
  readyState = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    /** The device asked for (`deviceId.exact`), if any. */
    readonly device?: string,
  ) {}
  stop(): void {
    this.readyState = 'ended';
  }
  addEventListener(): void {}
  getSettings(): { deviceId?: string } {
    return this.device === undefined ? {} : { deviceId: this.device };
  }
}

class FakeStream {
  private readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  addTrack = (track: FakeTrack) => void this.tracks.push(track);
  removeTrack = (track: FakeTrack) => void (this.tracks.includes(track) && this.tracks.splice(this.tracks.indexOf(track), 1));
  getTracks = () => [...this.tracks];
  getAudioTracks = () => this.tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((t) => t.kind === 'video');
}

interface FakeTransceiver {
  readonly receiver: { readonly track: FakeTrack };
  readonly sender: { track: FakeTrack | null; replaceTrack(track: FakeTrack | null): Promise<void> };
  direction: string;
  currentDirection: string | null;
}

/** As much of RTCPeerConnection as an answering Peer uses: an offer brings a receiving transceiver per kind, and its tracks. */
class FakePeerConnection {
  static made: FakePeerConnection[] = [];
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { type: string; toJSON(): object } | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: null }) => void) | null = null;
  ontrack: ((event: { track: FakeTrack }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  closed = false;
  private readonly transceivers: FakeTransceiver[] = [];
  constructor() {
    FakePeerConnection.made.push(this);
  }
  private place(kind: 'audio' | 'video', direction: string): FakeTransceiver {
    const transceiver: FakeTransceiver = {
      receiver: { track: new FakeTrack(kind) },
      sender: {
        track: null,
        replaceTrack: async (track) => {
          transceiver.sender.track = track;
        },
      },
      direction,
      currentDirection: null,
    };
    this.transceivers.push(transceiver);
    return transceiver;
  }
  addTrack(track: FakeTrack) {
    const free = this.transceivers.find((t) => t.receiver.track.kind === track.kind && !t.sender.track) ?? this.place(track.kind, 'sendrecv');
    free.sender.track = track;
    return free.sender;
  }
  addTransceiver(kind: 'audio' | 'video') {
    return this.place(kind, 'sendrecv');
  }
  getTransceivers = () => this.transceivers;
  getSenders = () => this.transceivers.map((t) => t.sender);
  async setRemoteDescription(description: { type: string }): Promise<void> {
    if (description.type !== 'offer') return;
    this.signalingState = 'have-remote-offer';
    for (const kind of ['audio', 'video'] as const) this.ontrack?.({ track: this.place(kind, 'recvonly').receiver.track });
  }
  async setLocalDescription(): Promise<void> {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.signalingState = type === 'answer' ? 'stable' : 'have-local-offer';
    for (const t of this.transceivers) t.currentDirection = t.direction;
    this.localDescription = { type, toJSON: () => ({ type, sdp: `${type} from bob` }) };
  }
  async addIceCandidate(): Promise<void> {}
  restartIce(): void {}
  close(): void {
    this.closed = true;
  }
}

const OFFER = JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: 'offer from alice' } });
const as = (userID: string, participants?: string[]) => ({ userID, video: true, audioMuted: false, ...(participants ? { participants } : {}) });

describe('the offer handed early, on the callee (WebRtcRoomPort, fake RTCPeerConnection)', () => {
  let world: EmbeddedWorld;
  let sent: string[];
  beforeEach(() => {
    world = makeEmbeddedWorld();
    sent = [];
    FakePeerConnection.made = [];
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await world.dispose();
  });

  async function online(userID: string, WebSocket?: EmbeddedWorld['net']['WebSocket']): Promise<EmbeddedBackend> {
    const backend = world.backend(WebSocket ? { WebSocket } : {});
    await backend.im.login(userID, world.userSig(userID));
    return backend;
  }

  /** Bob: what his socket sends and the room's arrivals, in order (`> roomEnter`, `< memberJoined`), a WebRTC room port on fakes, its events. */
  async function bobOnline() {
    const log = sent;
    const Recording = class extends world.net.WebSocket {
      override send(data: string): void {
        log.push(`> ${(JSON.parse(data) as { type: string }).type}`);
        super.send(data);
      }
    };
    const backend = await online('bob', Recording);
    backend.room.onEvent((event) => {
      if (event.type === 'memberJoined') log.push('< memberJoined');
    });
    const environment = (): MediaEnvironment => ({
      RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
      mediaDevices: {
        getUserMedia: async (c?: MediaStreamConstraints) => new FakeStream([new FakeTrack('audio'), ...(c?.video ? [new FakeTrack('video')] : [])]) as unknown as MediaStream,
      },
    });
    const port = new WebRtcRoomPort(backend.room, { clock: world.clock, environment });
    const events: string[] = [];
    // Who arrives and whose media comes (what the call machine orders by); member state left out.
    port.onEvent((event: RoomEvent) => {
      if (event.type === 'memberJoined' || event.type === 'mediaArrived' || event.type === 'memberLeft') events.push(`${event.type} ${event.userID}`);
    });
    return { backend, port, events };
  }

  it('Bob answers the offer he was handed while ringing as his enter goes out, before the room\'s reply; the copy his enter brings is not applied again; his media is told after Alice\'s arrival', async () => {
    const alice = await online('alice');
    const bob = await bobOnline();
    const atAlice: string[] = [];
    alice.room.onRelay((r) => atAlice.push(`${r.from}: ${(JSON.parse(r.data) as { description?: { type: string } }).description?.type ?? 'ice'}`));
    (await world.server()).grantRoom(3, ['alice', 'bob']);
    await Promise.all([alice.room.enter(3, as('alice')), world.settle()]);
    await alice.room.relay('bob', OFFER);
    await world.settle();
    expect(FakePeerConnection.made).toHaveLength(0); // kept while he rings

    sent.length = 0;
    const entering = bob.port.enter(3, as('bob', ['alice']));
    await world.settle();
    await entering;
    // His answer went out behind his enter, before anything of the room reached him.
    expect(sent.slice(0, 2)).toEqual(['> roomEnter', '> relay']);
    expect(sent.indexOf('< memberJoined')).toBeGreaterThan(1);
    expect(FakePeerConnection.made.map((pc) => [pc.localDescription?.type, pc.closed])).toEqual([['answer', false]]);
    expect(atAlice).toEqual(['bob: answer']);
    expect(bob.events).toEqual(['memberJoined alice', 'mediaArrived alice']);
  });

  it('an invitation Bob did not answer is over (forgetInvitation): what he was handed for its room goes at once', async () => {
    const alice = await online('alice');
    const bob = await bobOnline();
    (await world.server()).grantRoom(5, ['alice', 'bob']);
    await Promise.all([alice.room.enter(5, as('alice')), world.settle()]);
    await alice.room.relay('bob', OFFER);
    await world.settle();
    bob.port.forgetInvitation(5);
    expect(bob.backend.room.takeEarly(5)).toEqual([]);
    expect(FakePeerConnection.made).toHaveLength(0);
  });

  it('Alice hangs up while Bob rings, Carol stays: the connection Bob made from her early offer closes at the room\'s reply, and her media is never told', async () => {
    const alice = await online('alice');
    const carol = await online('carol');
    const bob = await bobOnline();
    (await world.server()).grantRoom(4, ['alice', 'bob', 'carol']);
    await Promise.all([alice.room.enter(4, as('alice')), carol.room.enter(4, as('carol')), world.settle()]);
    await alice.room.relay('bob', OFFER);
    await world.settle();
    await Promise.all([alice.room.exit(), world.settle()]);

    const entering = bob.port.enter(4, as('bob', ['alice', 'carol']));
    await world.settle();
    await entering;
    await world.settle();
    // The connection that answered Alice's offer is closed; the one Bob opens to Carol (made ahead, he opens to her) stays.
    expect(FakePeerConnection.made.map((pc) => [pc.localDescription?.type ?? 'none', pc.closed])).toEqual([
      ['none', false],
      ['answer', true],
    ]);
    expect(bob.events).toEqual(['memberJoined carol']);
  });
});

// Not the early offer, but the same fakes: a camera change the server refuses to announce to the
// room (its notices past the sender's fan-out budget) is taken by the call as the camera off.
describe('the camera refused by the server, or closed while another is captured (WebRtcRoomPort, fake devices)', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    // Two room notices at once, one more a second.
    world = makeEmbeddedWorld({ server: { limits: { fanout: { perSecond: 1, burst: 2 }, maxGroupMembers: 2 } } });
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await world.dispose();
  });

  /**
   * Alice and Bob (a WebRTC room port on fakes) in room `roomID`, Bob's camera as `video`, the
   * budget full again: every camera track his port captured, and a runner settling a port call.
   */
  async function inRoom(roomID: number, video: boolean) {
    const alice = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    const backend = world.backend();
    await backend.im.login('bob', world.userSig('bob'));
    const captured: FakeTrack[] = [];
    // A capture waits for `gate.open` while it is set (a camera slow to answer), and says when it starts.
    const gate: { open: Promise<void> | null; started: () => void } = { open: null, started: () => {} };
    const environment = (): MediaEnvironment => ({
      RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
      mediaDevices: {
        getUserMedia: async (c?: MediaStreamConstraints) => {
          gate.started();
          await gate.open;
          const device = typeof c?.video === 'object' ? (c.video.deviceId as { exact?: string } | undefined)?.exact : undefined;
          const tracks = [...(c?.audio ? [new FakeTrack('audio')] : []), ...(c?.video ? [new FakeTrack('video', device)] : [])];
          captured.push(...tracks);
          return new FakeStream(tracks) as unknown as MediaStream;
        },
        enumerateDevices: async () =>
          ['cam-1', 'cam-2'].map((deviceId) => ({ deviceId, groupId: deviceId, kind: 'videoinput', label: deviceId }) as MediaDeviceInfo),
      },
    });
    const port = new WebRtcRoomPort(backend.room, { clock: world.clock, environment });
    (await world.server()).grantRoom(roomID, ['alice', 'bob']);
    await Promise.all([alice.room.enter(roomID, as('alice')), world.settle()]);
    await Promise.all([port.enter(roomID, { userID: 'bob', video, audioMuted: false }), world.settle()]);
    await world.advance(5000); // the budget full again: two notices
    const run = (p: Promise<void>) => Promise.all([p, world.settle()]).then(() => 'ok', (e: unknown) => String(e));
    const cameras = () => captured.filter((t) => t.kind === 'video').map((t) => t.readyState);
    const localVideo = () => (port as unknown as { local: FakeStream }).local.getVideoTracks();
    return { port, run, cameras, localVideo, gate };
  }

  it('openCamera refused (rateLimited) -> the track it captured is stopped and off the stream, not left live for the others', async () => {
    const { port, run, cameras, localVideo } = await inRoom(6, false);
    expect([await run(port.setCamera(true)), await run(port.setCamera(false))]).toEqual(['ok', 'ok']);
    expect(await run(port.setCamera(true))).toMatch(/rateLimited/);
    expect(cameras()).toEqual(['ended', 'ended']);
    expect(localVideo()).toEqual([]);
  });

  // The call takes a refused camera change as the camera off: so is the camera, not left sending.
  it('a camera already on, and openCamera again refused (the republish after a refused mute) -> the camera is off too, as the call takes it', async () => {
    const { port, run, cameras, localVideo } = await inRoom(7, true);
    expect([await run(port.setMicMuted(true)), await run(port.setMicMuted(false))]).toEqual(['ok', 'ok']);
    expect(await run(port.setMicMuted(true))).toMatch(/rateLimited/);
    expect(await run(port.setCamera(true))).toMatch(/rateLimited/);
    expect(cameras()).toEqual(['ended']);
    expect(localVideo()).toEqual([]);
  });

  it('switchDevice to another camera while closeCamera stops this one -> the new capture is stopped too, never added (the camera stays off)', async () => {
    const { port, run, cameras, localVideo, gate } = await inRoom(8, true);
    let open = () => {};
    gate.open = new Promise<void>((resolve) => (open = resolve));
    const capturing = new Promise<void>((resolve) => (gate.started = resolve));
    const switched = run(port.switchDevice({ deviceType: 'video', deviceId: 'cam-2' }));
    await capturing;
    const closed = run(port.setCamera(false));
    open();
    expect([await switched, await closed]).toEqual(['ok', 'ok']);
    expect(cameras()).toEqual(['ended', 'ended']);
    expect(localVideo()).toEqual([]);
  });

  it('switchDevice twice at once (a second camera chosen while the first is captured) -> the last capture is the one in use, the others stopped', async () => {
    const { port, run, cameras, localVideo, gate } = await inRoom(9, true);
    let open = () => {};
    gate.open = new Promise<void>((resolve) => (open = resolve));
    let started = 0;
    const capturing = new Promise<void>((resolve) => (gate.started = () => ++started === 2 && resolve()));
    const switched = [run(port.switchDevice({ deviceType: 'video', deviceId: 'cam-2' })), run(port.switchDevice({ deviceType: 'video', deviceId: 'cam-1' }))];
    await capturing;
    open();
    expect(await Promise.all(switched)).toEqual(['ok', 'ok']);
    expect(cameras().sort()).toEqual(['ended', 'ended', 'live']);
    expect(localVideo()).toHaveLength(1);
    expect(localVideo()[0]?.readyState).toBe('live');
    // The one chosen last, the second switch's.
    expect([localVideo()[0]?.device, port.currentDevices().camera]).toEqual(['cam-1', 'cam-1']);
  });
});
