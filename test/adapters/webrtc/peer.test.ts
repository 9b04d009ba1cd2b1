/**
 * `Peer` in Node over a fake `RTCPeerConnection` that logs what it is asked: the order in which
 * a received offer and the candidates right behind it are applied, and when the member's media
 * is told (`onMedia`, which becomes `USER_ENTER` and the app's work on it).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Peer, type PeerHost, type PeerMessage } from '../../../adapters/webrtc/peer';

class FakeStream {
  private readonly tracks: unknown[] = [];
  getTracks = () => this.tracks;
  addTrack = (track: unknown) => this.tracks.push(track);
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
    addTrack(): void {}
    getTransceivers(): unknown[] {
      return [];
    }
    async setRemoteDescription(description: { type: string }): Promise<void> {
      log.push(`remote ${description.type}`);
      this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
      if (description.type === 'offer') this.ontrack?.({ track: { kind: 'video' } });
    }
    async setLocalDescription(): Promise<void> {
      const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
      this.signalingState = type === 'answer' ? 'stable' : 'have-local-offer';
      this.localDescription = { type, toJSON: () => ({ type, sdp: '' }) };
      log.push(`local ${type}`);
    }
    async addIceCandidate(candidate?: { candidate: string }): Promise<void> {
      await gates.get(candidate?.candidate ?? '');
      log.push(`candidate ${candidate?.candidate ?? 'end'}`);
    }
    close(): void {}
  };
}

function setup() {
  const log: string[] = [];
  /** A candidate whose gate is here is applied once the gate opens. */
  const gates = new Map<string, Promise<void>>();
  const host: PeerHost = {
    RTCPeerConnection: fakeConnection(log, gates) as unknown as typeof RTCPeerConnection,
    iceServers: [],
    send: (message) => log.push(`sent ${message.kind === 'sdp' ? message.description.type : 'candidate'}`),
    onMedia: () => log.push('media'),
    onState: () => undefined,
    onError: (error) => log.push(`error ${String(error)}`),
  };
  // Polite: it waits for the other side's offer.
  const peer = new Peer('alice', true, host, []);
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
});
