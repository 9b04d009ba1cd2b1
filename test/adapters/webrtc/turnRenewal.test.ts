/**
 * TURN credentials renewed during a call (`--turn-urls`, adapters/ws/keepalive.ts): a peer
 * connection keeps the set it was made with, so an ICE restart after they expired (ours, or one
 * the member's offer asks for) gathers relay candidates with credentials coturn refuses, and a
 * relay-only call is lost. Each gathering now takes the connection's fresh set (`setConfiguration`).
 * Bob is on the WebRTC backend with fake peer connections that say what set each gathering had.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { webrtcBackend } from '../../../adapters/webrtc/webrtcBackend';
import { TRTCCalling } from '../../../src/index';
import { SDKAPPID, WORLD_URL, makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';
import { FakePeerConnection, FakeStream, FakeTrack } from '../../support/fakeRtc';
import { party } from '../../support/world';
import { malloryInCallWith, sdpOffer } from '../../security/support';

const S = 1000;
const TURN = { urls: ['turn:turn.example.com:3478'], secret: 'shared with coturn', ttlSeconds: 120 };
const made: CredentialedPC[] = [];

/** Logs, for each gathering (a local description, an ICE restart), the expiry of the TURN username it has. */
class CredentialedPC extends FakePeerConnection {
  readonly log: string[] = [];
  constructor(private config: RTCConfiguration) {
    super();
    made.push(this);
  }
  override setConfiguration(config: RTCConfiguration): void {
    this.config = config;
  }
  private expiry(): string {
    return String(this.config.iceServers?.[0]?.username).split(':')[0] ?? '';
  }
  override async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
    await super.setRemoteDescription(description);
    if (this.log.length === 0) this.ontrack?.({ track: new FakeTrack('audio') }); // Mallory's media: the call is on
  }
  override async setLocalDescription(): Promise<void> {
    await super.setLocalDescription();
    this.log.push(`${this.localDescription?.type} ${this.expiry()}`);
  }
  override restartIce(): void {
    this.log.push(`restart ${this.expiry()}`);
  }
}

describe('TURN credentials renewed during a call', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld({ server: { turn: TURN } });
    made.length = 0;
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(async () => {
    await world.dispose();
    vi.unstubAllGlobals();
  });

  it('Bob\'s connection made with one set; after the renewal, Mallory\'s ICE restart offer and Bob\'s own restart (failed) gather with the fresh set (before: the first, expired, set)', async () => {
    const environment = () => ({
      RTCPeerConnection: CredentialedPC as unknown as typeof RTCPeerConnection,
      mediaDevices: { getUserMedia: async () => new FakeStream([new FakeTrack('audio')]) as unknown as MediaStream },
    });
    const backend = webrtcBackend({ url: WORLD_URL, WebSocket: world.net.WebSocket, clock: world.clock, environment, endCallOnPageHide: false });
    const bob = party('bob', new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    const first = Math.floor(world.clock.now() / 1000) + 120;
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    const mallory = await malloryInCallWith(world, bob);
    await mallory.room.relay('bob', sdpOffer('v=0 a=ice-ufrag:first'));
    await world.advance(S);
    const pc = made.at(-1)!;
    pc.connectionState = 'connected';
    pc.onconnectionstatechange?.();
    // Renewed by the ping 60 s after the login, the set expiring at first + 60.
    await world.advance(65 * S);
    expect(backend.connection.iceServers.map((s) => String(s.username))).toEqual([`${first + 60}:bob`]);
    await mallory.room.relay('bob', sdpOffer('v=0 a=ice-ufrag:restarted'));
    await world.advance(S);
    pc.connectionState = 'failed';
    pc.onconnectionstatechange?.();
    await world.advance(S);
    expect({ made: made.length, log: pc.log }).toEqual({ made: 1, log: [`answer ${first}`, `answer ${first + 60}`, `restart ${first + 60}`] });
  });
});
