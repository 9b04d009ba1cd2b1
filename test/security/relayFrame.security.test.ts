/**
 * Found by the review of a158770 (2026-12-05): the mesh's largest relay is now the server's `maxRelayBytes` (counted on the
 * relay's `data`), but the frame that carries it escapes that data once more (every `\` and `"`),
 * and the server refuses a frame past `maxFrameBytes` (a strike) before it looks at the relay.
 * Nothing checks one against the other (server/limits.ts resolveLimits). On a server with
 * `--max-frame-bytes 32768 --max-relay-bytes 30000`, answers of real SDP (CRLF lines) within the
 * relay limit make frames past the frame limit: each refused, a strike, until the server closes
 * Bob (1008, KICKED_OUT). Before that commit the client stopped at 16 KiB (not sent, onListenerError told); now it also
 * measures the frame against the `maxFrameBytes` the server's `loggedIn` says.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { webrtcBackend } from '../../adapters/webrtc/webrtcBackend';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID, WORLD_URL, type EmbeddedWorld } from '../support/embeddedWorld';
import { FakePeerConnection, FakeStream, fakeEnvironment } from '../support/fakeRtc';
import { party } from '../support/world';
import { defaultLimitsWorld, malloryInCallWith, sdpOffer as offer } from './support';

const S = 1000;

describe('relays sized to maxRelayBytes, frames past maxFrameBytes', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = defaultLimitsWorld({ server: { limits: { maxFrameBytes: 32 * 1024, maxRelayBytes: 30_000 } } });
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(async () => {
    await world.dispose();
    vi.unstubAllGlobals();
  });

  it('--max-frame-bytes 32768 --max-relay-bytes 30000: Mallory sends Bob 20 offers, one a second, each answered with 28 K characters of CRLF SDP (within the relay limit) -> Bob stays logged in, in the call', async () => {
    const errors: string[] = [];
    const frames: number[] = [];
    const Large = class extends FakePeerConnection {
      private offered = 0;
      override async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
        await super.setRemoteDescription(description);
        this.offered = description.sdp?.length ?? 0;
      }
      override async setLocalDescription(): Promise<void> {
        await super.setLocalDescription();
        const type = this.localDescription!.type;
        // SDP lines end in CRLF: escaped once in the relay's data (JSON), once more in the frame.
        const sdp = type === 'answer' && this.offered > 100 ? 'a=x\r\n'.repeat(4_000) : 'v=0';
        this.localDescription = { type, toJSON: () => ({ type, sdp }) };
      }
    };
    const Counting = class extends world.net.WebSocket {
      override send(data: string): void {
        if ((JSON.parse(data) as { type: string }).type === 'relay') frames.push(data.length);
        super.send(data);
      }
    };
    const environment = () => ({ ...fakeEnvironment(), RTCPeerConnection: Large as unknown as typeof RTCPeerConnection });
    const backend = webrtcBackend({ url: WORLD_URL, WebSocket: Counting, clock: world.clock, environment, endCallOnPageHide: false, onListenerError: (e: unknown) => errors.push(String(e)) });
    const bob = party('bob', new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    const mb = await malloryInCallWith(world, bob);
    for (let i = 0; i < 20; i++) {
      await mb.room.relay('bob', offer(`v=0 ${'m'.repeat(1_000)} ${i}`)).catch((e: unknown) => e);
      await world.advance(S);
    }
    const limits = (await world.server()).metrics().limits;
    expect({
      largestFrame: Math.max(...frames) <= 32 * 1024,
      kicked: bob.take().map((e) => e.name).includes('onKickedOut'),
      status: bob.calling.getCallStatus(),
      refusedFrames: limits.maxFrameBytes,
      strikesOut: limits.maxStrikes,
    }).toEqual({ largestFrame: true, kicked: false, status: 'connected', refusedFrames: undefined, strikesOut: undefined });
  }, 60_000);
});
