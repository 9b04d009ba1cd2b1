/**
 * As much of WebRTC as the room's connections use, in Node, for tests that drive the WebRTC
 * backend without a browser: tracks, streams, and a peer connection that answers an offer as a
 * browser does (and, given an offer with new ICE credentials, gathers its candidates again).
 */
import type { MediaEnvironment } from '../../adapters/webrtc/media';

export class FakeTrack {
  enabled = true;
  readyState = 'live';
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.readyState = 'ended';
  }
  addEventListener(): void {}
  getSettings(): { deviceId?: string } {
    return {};
  }
}

export class FakeStream {
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
  readonly sender: { track: FakeTrack | null; replaceTrack(track: FakeTrack | null): Promise<void>; getParameters(): { encodings: [] } };
  direction: string;
  currentDirection: string | null;
}

export class FakePeerConnection {
  /** Candidates gathered (and relayed) again when an offer brings new ICE credentials (0: none). */
  static candidatesPerRestart = 0;
  private ufrag = '';
  private restart = false;
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { type: string; toJSON(): object } | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: { toJSON(): object } | null }) => void) | null = null;
  ontrack: ((event: { track: FakeTrack }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  private readonly transceivers: FakeTransceiver[] = [];

  private place(kind: 'audio' | 'video', direction: string): FakeTransceiver {
    const t: FakeTransceiver = {
      receiver: { track: new FakeTrack(kind) },
      sender: { track: null, replaceTrack: async (track) => void (t.sender.track = track), getParameters: () => ({ encodings: [] }) },
      direction,
      currentDirection: null,
    };
    this.transceivers.push(t);
    return t;
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
  async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    const ufrag = /ice-ufrag:(\S+)/.exec(description.sdp ?? '')?.[1] ?? '';
    this.restart = ufrag !== '' && ufrag !== this.ufrag;
    this.ufrag = ufrag;
  }
  async setLocalDescription(): Promise<void> {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    const n = FakePeerConnection.candidatesPerRestart;
    if (type === 'answer' && this.restart)
      for (let i = 0; i < n; i++)
        queueMicrotask(() => this.onicecandidate?.({ candidate: i === n - 1 ? null : { toJSON: () => ({ candidate: `candidate:${i} 1 udp 2122260223 10.0.0.${i} 5000${i} typ host`, sdpMid: '0', sdpMLineIndex: 0 }) } }));
    this.signalingState = type === 'answer' ? 'stable' : 'have-local-offer';
    for (const t of this.transceivers) t.currentDirection = t.direction;
    this.localDescription = { type, toJSON: () => ({ type, sdp: `${type} v=0` }) };
  }
  async addIceCandidate(): Promise<void> {}
  restartIce(): void {}
  setConfiguration(_config?: RTCConfiguration): void {}
  close(): void {}
}

/** A media environment of these fakes (`MediaStream` itself: stub it globally, as `vi.stubGlobal('MediaStream', FakeStream)`). */
export const fakeEnvironment = (): MediaEnvironment => ({
  RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
  mediaDevices: {
    getUserMedia: async (c?: MediaStreamConstraints) => new FakeStream([new FakeTrack('audio'), ...(c?.video ? [new FakeTrack('video')] : [])]) as unknown as MediaStream,
  },
});
