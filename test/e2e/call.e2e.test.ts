/**
 * The demo in headless Chromium with a fake camera and microphone: Alice, Bob and Carol on
 * their own pages, calling each other for real over the embedded server and WebRTC. Each test
 * asserts every event each page logged, in order.
 */
import { describe, expect, it } from 'vitest';
import { e, shape, callerStart, calleeStart, keepPeerConnections, slowCapture, type Connections } from './support/demoPage';
import { e2eSuite } from './support/suite';


/** Init script: what the page's WebSocket sends and receives, in order, in `window.socketLog` (`> roomEnter`, `< relayed early offer`). */
function logSocket(): void {
  const Native = globalThis.WebSocket;
  const log: string[] = [];
  (globalThis as unknown as { socketLog: string[] }).socketLog = log;
  const describe = (text: unknown): string => {
    const frame = JSON.parse(String(text)) as { type?: string; early?: boolean; data?: string };
    const sdp = frame.type?.startsWith('relay') && frame.data?.includes('"offer"') ? ' offer' : '';
    return `${frame.type ?? '?'}${frame.early ? ' early' : ''}${sdp}`;
  };
  globalThis.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => log.push(`< ${describe(event.data)}`));
    }
    override send(data: string): void {
      log.push(`> ${describe(data)}`);
      super.send(data);
    }
  } as typeof WebSocket;
}

describe('demo page, 1v1 calls in Chromium', () => {
  const world = e2eSuite();

  it('Alice call(), Bob accept() -> both see video; Bob closeCamera() -> Alice VIDEO_AVAILABLE false; Alice hangup() -> both CALL_END', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });

    const [atAlice, atBob] = await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    expect(atAlice.width * atBob.width).toBeGreaterThan(0);

    await bob.click('camera');
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: false });
    await bob.click('mic');
    await alice.waitEvent('onUserAudioAvailable', { userID: 'bob', isAudioAvailable: false });
    await bob.click('camera');
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: true });
    await alice.waitFrames('bob'); // the camera came back without a new call
    await alice.click('hangup');
    await alice.waitEvent('onCallEnd');
    await bob.waitEvent('onCallEnd');

    expect(shape(await alice.events())).toEqual([
      ...callerStart('bob'),
      e('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: false }),
      e('onUserAudioAvailable', { userID: 'bob', isAudioAvailable: false }),
      e('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: true }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(shape(await bob.events())).toEqual([
      ...calleeStart('alice'),
      e('onUserLeave', { userID: 'alice' }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(await alice.remoteTiles()).toEqual([]);
    expect(await bob.callVideos()).toBe(0);
  });

  it('Alice call() -> while Bob rings, her connection to Bob has its offer ready and it reaches his page, handed early; Bob accept() -> it is the one that connects', async () => {
    const alice = await world.open('alice', { init: keepPeerConnections });
    const bob = await world.open('bob', { init: [logSocket, keepPeerConnections] });
    await alice.call('bob');
    await bob.ringing('alice');
    // Made on entering the room, before Bob is in it: the offer goes behind her enter, and the
    // server hands it to Bob's page while he rings (and holds it for an enter that did not get it).
    await alice.page.waitForFunction(() => (globalThis as unknown as Connections).peerConnections.some((pc) => pc.localDescription?.type === 'offer'));
    await bob.page.waitForFunction(() => (globalThis as unknown as { socketLog: string[] }).socketLog.includes('< relayed early offer'));
    await bob.answer('accept', 'alice');
    await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    expect(await alice.page.evaluate(() => (globalThis as unknown as Connections).peerConnections.map((pc) => pc.connectionState))).toEqual(['connected']);
    // The offer reached Bob's page before his enter; the enter brought it again (his client drops
    // what it applied), and his page answered it on one connection.
    const log = await bob.page.evaluate(() => (globalThis as unknown as { socketLog: string[] }).socketLog);
    expect(log.filter((line) => line.endsWith(' offer'))).toEqual(['< relayed early offer', '< relayed offer']);
    expect(log.indexOf('< relayed early offer')).toBeLessThan(log.indexOf('> roomEnter'));
    expect(log.indexOf('< relayed offer')).toBeGreaterThan(log.indexOf('> roomEnter'));
    expect(await bob.page.evaluate(() => (globalThis as unknown as Connections).peerConnections.map((pc) => [pc.connectionState, pc.remoteDescription?.type]))).toEqual([['connected', 'offer']]);
    await alice.click('hangup');
    await bob.waitEvent('onCallEnd');
  });

  it('Alice call(), Bob accept() with a camera slow to start -> Bob answers her offer and both connections connect before his capture is made; then both see video', async () => {
    const alice = await world.open('alice', { init: keepPeerConnections });
    const bob = await world.open('bob', { init: keepPeerConnections });
    await alice.call('bob');
    await bob.ringing('alice');
    await bob.page.evaluate(slowCapture);
    // A bitrate cap asked for before: it must hold on the place answered before the camera (360p: 800 kbit/s).
    await bob.page.evaluate(() => (window as unknown as { hcDemo: { calling: () => { setVideoQuality(p: string): Promise<void> } } }).hcDemo.calling().setVideoQuality('360p'));
    await bob.answer('accept', 'alice');
    // Negotiated, ICE and DTLS done, while Bob's capture is still held.
    await bob.page.waitForFunction(() => (globalThis as unknown as Connections).peerConnections.some((pc) => pc.connectionState === 'connected'));
    await alice.page.waitForFunction(() => (globalThis as unknown as Connections).peerConnections.some((pc) => pc.connectionState === 'connected'));
    expect(await bob.page.evaluate(() => (globalThis as unknown as { captureAsked: number }).captureAsked)).toBe(1);
    expect(
      await bob.page.evaluate(() =>
        (globalThis as unknown as Connections).peerConnections.map((pc) => [pc.localDescription?.type, pc.getTransceivers().map((t) => [t.receiver.track.kind, t.currentDirection, t.sender.track])]),
      ),
    ).toEqual([['answer', [['audio', 'sendrecv', null], ['video', 'sendrecv', null]]]]);
    // Alice's video is decoded on Bob's connection already; his reaches her once his camera
    // starts, with no new negotiation.
    await bob.page.waitForFunction(async () => {
      const [pc] = (globalThis as unknown as Connections).peerConnections;
      const stats = pc ? [...(await pc.getStats()).values()] : [];
      return stats.some((r: { type: string; kind?: string; framesDecoded?: number }) => r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded ?? 0) > 0);
    });
    await bob.page.evaluate(() => (globalThis as unknown as { releaseCapture(): void }).releaseCapture());
    await alice.waitFrames('bob');
    expect(await bob.page.evaluate(() => (globalThis as unknown as Connections).peerConnections.map((pc) => pc.getSenders().map((s) => s.track?.kind)))).toEqual([['audio', 'video']]);
    expect(
      await bob.page.evaluate(() =>
        (globalThis as unknown as Connections).peerConnections.flatMap((pc) => pc.getSenders().filter((s) => s.track?.kind === 'video').map((s) => s.getParameters().encodings.map((e) => e.maxBitrate))),
      ),
    ).toEqual([[800_000]]);
    expect(await alice.page.evaluate(() => (globalThis as unknown as Connections).peerConnections.map((pc) => pc.getTransceivers().length))).toEqual([2]);
    await alice.click('hangup');
    await bob.waitEvent('onCallEnd');
  });

  // One rejected call shows both what the pages said and what became of the connection Alice made ahead for Bob.
  it('Alice call(), Bob reject() -> Alice REJECT, CALL_END; Bob hears nothing more; the connection Alice made ahead for Bob is closed', async () => {
    const alice = await world.open('alice', { init: keepPeerConnections });
    const bob = await world.open('bob');
    await alice.call('bob');
    await bob.ringing('alice');
    await alice.page.waitForFunction(() => (globalThis as unknown as Connections).peerConnections.length > 0);
    await bob.answer('reject', 'alice');
    await alice.waitEvent('onCallEnd');
    expect(shape(await alice.events())).toEqual([e('sdkReady'), e('onReject', { userID: 'bob' }), e('onCallEnd', { userID: 'alice', reason: 'rejected' })]);
    expect(shape(await bob.events())).toEqual([e('sdkReady'), e('onInvited', { sponsor: 'alice' })]);
    expect(await alice.callVideos()).toBe(0); // the call's videos are gone
    expect(await alice.page.evaluate(() => (globalThis as unknown as Connections).peerConnections.map((pc) => pc.signalingState))).toEqual(['closed']);
  });

  it('Alice and Bob in a call, Carol call() Bob -> Carol LINE_BUSY, CALL_END; the call goes on', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    const carol = await world.open('carol');
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await carol.call('bob');
    await carol.waitEvent('onCallEnd');
    expect(shape(await carol.events())).toEqual([e('sdkReady'), e('onLineBusy', { userID: 'bob', sponsor: 'carol' }), e('onCallEnd', { userID: 'carol', reason: 'busy' })]);
    await alice.waitFrames('bob');
    await bob.click('hangup');
    await alice.waitEvent('onCallEnd');
    expect(shape(await bob.events()).map((x) => x.name)).toEqual(['sdkReady', 'onInvited', 'onUserEnter', 'onUserAudioAvailable', 'onUserVideoAvailable', 'onCallEnd']);
  });

  // Alice hanging up while Bob rings (CALL_END cancelled, CALLING_CANCEL, his ringing dialog closing, each page's whole
  // log) is demo.e2e.test.ts' 'dial and cancel', which asserts the same and what the page says besides.
});
