/**
 * `iceTransportPolicy: 'relay'` with no TURN server at all (a server without `--turn-urls`, an app
 * without TURN in `iceServers`): ICE gathers nothing, so the call never connects and, before, nothing
 * said why. Each such connection now reports it (`onListenerError`, by default the console, where
 * the mesh's other errors go too: before, they went nowhere without an `onListenerError`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webrtcBackend } from '../../../adapters/webrtc/webrtcBackend';
import { TRTCCalling } from '../../../src/index';
import type { ServerOptions } from '../../../server/index';
import { SDKAPPID, WORLD_URL, makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';
import { FakePeerConnection, FakeStream, FakeTrack } from '../../support/fakeRtc';
import { party } from '../../support/world';
import { malloryInCallWith, sdpOffer } from '../../security/support';

const S = 1000;
const TURN = { urls: ['turn:turn.example.com:3478'], secret: 'shared with coturn' };
const NO_TURN = /iceTransportPolicy 'relay' without a TURN server: no media with mallory/;

describe("iceTransportPolicy 'relay' without a TURN server", () => {
  let world: EmbeddedWorld | undefined;
  afterEach(async () => {
    await world?.dispose();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  /** Bob, relay only, in a call with Mallory, who sends him an offer: what his backend reported. */
  async function offerToBob(server: Partial<ServerOptions>, options: { iceServers?: RTCIceServer[]; report?: boolean }): Promise<unknown[]> {
    world = makeEmbeddedWorld({ server });
    vi.stubGlobal('MediaStream', FakeStream);
    const reported: unknown[] = [];
    const environment = () => ({
      RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
      mediaDevices: { getUserMedia: async () => new FakeStream([new FakeTrack('audio')]) as unknown as MediaStream },
    });
    const backend = webrtcBackend({
      url: WORLD_URL, WebSocket: world.net.WebSocket, clock: world.clock, environment, endCallOnPageHide: false, iceTransportPolicy: 'relay',
      ...(options.iceServers ? { iceServers: options.iceServers } : {}),
      ...(options.report === false ? {} : { onListenerError: (error: unknown) => void reported.push(error) }),
    });
    const bob = party('bob', new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    const mallory = await malloryInCallWith(world, bob);
    await mallory.room.relay('bob', sdpOffer('v=0'));
    await world.advance(S);
    return reported;
  }

  it('a server without --turn-urls and no iceServers: the connection made for Mallory reports that it can never connect', async () => {
    const reported = await offerToBob({}, {});
    expect(reported.map(String)).toEqual([expect.stringMatching(NO_TURN)]);
  });

  it('the server hands out TURN, or the app gives a TURN server of its own: nothing is reported (a STUN server alone is not enough)', async () => {
    expect(await offerToBob({ turn: TURN }, {})).toEqual([]);
    await world?.dispose();
    expect(await offerToBob({}, { iceServers: [{ urls: 'turns:relay.example.com:5349', username: 'u', credential: 'c' }] })).toEqual([]);
    await world?.dispose();
    const stunOnly = await offerToBob({}, { iceServers: [{ urls: ['stun:stun.example.com:3478'] }] });
    expect(stunOnly.map(String)).toEqual([expect.stringMatching(NO_TURN)]);
  });

  it('without an onListenerError it is told on the console', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await offerToBob({}, { report: false });
    expect(consoleError.mock.calls.map((call) => String(call[0]))).toContainEqual(expect.stringMatching(NO_TURN));
  });
});
