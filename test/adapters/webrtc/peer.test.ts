/**
 * `Peer` in Node over a fake `RTCPeerConnection` that logs what it is asked: the order in which
 * a received offer and the candidates right behind it are applied, and when the member's media
 * is told (`onMedia`, which becomes `USER_ENTER` and the app's work on it); and the answer of a
 * side whose capture is still being made, and how the capture's tracks then take their places.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Peer, type PeerHost, type PeerMessage } from '../../../adapters/webrtc/peer';

class FakeStream {
  private readonly tracks: unknown[] = [];
  getTracks = () => this.tracks;
  addTrack = (track: unknown) => this.tracks.push(track);
}

interface FakeTransceiver {
  direction: string;
  readonly receiver: { readonly track: { readonly kind: string } };
  readonly sender: { track: { kind: string; id: string } | null; replaceTrack(track: { kind: string; id: string }): Promise<void> };
}

/** A transceiver a remote offer made: receiving only, no track to send. */
function fakeTransceiver(kind: string, log: string[]): FakeTransceiver {
  const sender: FakeTransceiver['sender'] = {
    track: null,
    async replaceTrack(track) {
      log.push(`replaceTrack ${track.id}`);
      sender.track = track;
    },
  };
  return { direction: 'recvonly', receiver: { track: { kind } }, sender };
}

/** Logs every call; a remote offer brings one video track, as the browser's would. */
function fakeConnection(log: string[], gates: Map<string, Promise<void>>) {
  return class {
    localDescription: { type: string; toJSON(): unknown } | null = null;
    signalingState = 'stable';
    connectionState = 'new';
    onnegotiationneeded: (() => void) | null = null;
    onicecandidate: ((e: { candidate: null }) => void) | null = null;
    ontrack: ((e: { track: { kind: string } }) => void) | null = null;
    onconnectionstatechange: (() => void) | null = null;
    /** What a remote offer's m-lines made (an offer whose sdp names `m=audio` / `m=video`). */
    transceivers: FakeTransceiver[] = [];
    addTrack(track: { kind: string }): void {
      log.push(`addTrack ${track.kind}`);
    }
    getTransceivers(): unknown[] {
      return this.transceivers;
    }
    getSenders(): unknown[] {
      return this.transceivers.map((t) => t.sender);
    }
    async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
      log.push(`remote ${description.type}`);
      this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
      if (description.type !== 'offer') return;
      for (const kind of ['audio', 'video']) if (description.sdp?.includes(`m=${kind}`)) this.transceivers.push(fakeTransceiver(kind, log));
      this.ontrack?.({ track: { kind: 'video' } });
    }
    async setLocalDescription(): Promise<void> {
      const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
      this.signalingState = type === 'answer' ? 'stable' : 'have-local-offer';
      this.localDescription = { type, toJSON: () => ({ type, sdp: '' }) };
      const directions = this.transceivers.map((t) => `${t.receiver.track.kind} ${t.direction}`).join(', ');
      log.push(`local ${type}${directions ? ` (${directions})` : ''}`);
    }
    async addIceCandidate(candidate?: { candidate: string }): Promise<void> {
      await gates.get(candidate?.candidate ?? '');
      log.push(`candidate ${candidate?.candidate ?? 'end'}`);
    }
    close(): void {}
  };
}

function setup(places: ReadonlyArray<'audio' | 'video'> = []) {
  const log: string[] = [];
  /** A candidate whose gate is here is applied once the gate opens. */
  const gates = new Map<string, Promise<void>>();
  const host: PeerHost = {
    RTCPeerConnection: fakeConnection(log, gates) as unknown as typeof RTCPeerConnection,
    config: () => ({}),
    send: (message) => log.push(`sent ${message.kind === 'sdp' ? message.description.type : 'candidate'}`),
    onMedia: () => log.push('media'),
    onState: () => undefined,
    onError: (error) => log.push(`error ${String(error)}`),
  };
  // Polite: it waits for the other side's offer.
  const peer = new Peer('alice', true, host, [], places);
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { log, peer, settle, gates };
}

const offer: PeerMessage = { kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } };
const candidate = (c: string): PeerMessage => ({ kind: 'ice', candidate: { candidate: c, sdpMid: '0' } });

describe('Peer', () => {
  beforeEach(() => vi.stubGlobal('MediaStream', FakeStream));
  afterEach(() => vi.unstubAllGlobals());

  it('an offer and the candidates right behind it -> the answer goes out and the candidates are applied before the media is told', async () => {
    const { log, peer, settle } = setup();
    peer.receive(offer);
    peer.receive(candidate('a'));
    peer.receive(candidate('b'));
    await settle();
    expect(log).toEqual(['remote offer', 'local answer', 'sent answer', 'candidate a', 'candidate b', 'media']);
  });

  it('a candidate that comes while those behind the offer are still being applied -> the media is told without waiting for it', async () => {
    const { log, peer, settle, gates } = setup();
    let open = () => undefined as void;
    gates.set('a', new Promise<void>((resolve) => (open = resolve)));
    peer.receive(offer);
    peer.receive(candidate('a'));
    await settle();
    peer.receive(candidate('b'));
    open();
    await settle();
    expect(log).toEqual(['remote offer', 'local answer', 'sent answer', 'candidate a', 'media', 'candidate b']);
  });

  it('an offer alone -> its media is told once it is answered; a candidate later changes nothing', async () => {
    const { log, peer, settle } = setup();
    peer.receive(offer);
    await settle();
    peer.receive(candidate('a'));
    await settle();
    expect(log).toEqual(['remote offer', 'local answer', 'sent answer', 'media', 'candidate a']);
  });

  describe('answering before its capture (places for audio and video)', () => {
    const offerAV: PeerMessage = { kind: 'sdp', description: { type: 'offer', sdp: 'v=0\r\nm=audio 9\r\nm=video 9' } };
    const track = (kind: string, id = kind) => ({ kind, id }) as unknown as MediaStreamTrack;

    it("an offer -> answered at once, sending on the offer's transceivers; the capture's tracks then take them, with no track added", async () => {
      const { log, peer, settle } = setup(['audio', 'video']);
      peer.receive(offerAV);
      await settle();
      await peer.attach(() => [track('audio'), track('video')]);
      expect(log).toEqual(['remote offer', 'local answer (audio sendrecv, video sendrecv)', 'sent answer', 'media', 'replaceTrack audio', 'replaceTrack video']);
    });

    it('the capture lands while the offer is being applied -> its tracks wait for the places, and are read then (a camera switched meanwhile)', async () => {
      const { log, peer, settle } = setup(['audio', 'video']);
      let tracks = [track('audio'), track('video', 'camera 1')];
      peer.receive(offerAV);
      const attached = peer.attach(() => tracks);
      tracks = [track('audio'), track('video', 'camera 2')];
      await settle();
      await attached;
      expect(log).toEqual(['remote offer', 'local answer (audio sendrecv, video sendrecv)', 'sent answer', 'media', 'replaceTrack audio', 'replaceTrack camera 2']);
    });

    it('an audio-only offer -> only the audio place; the camera, captured anyway, is added (and negotiated then)', async () => {
      const { log, peer, settle } = setup(['audio', 'video']);
      peer.receive({ kind: 'sdp', description: { type: 'offer', sdp: 'v=0\r\nm=audio 9' } });
      await settle();
      await peer.attach(() => [track('audio'), track('video')]);
      expect(log).toEqual(['remote offer', 'local answer (audio sendrecv)', 'sent answer', 'media', 'replaceTrack audio', 'addTrack video']);
    });
  });
});
