/**
 * Switching a call between video and audio in Chromium (issue 11): Alice and Bob in a video call
 * over the embedded server and WebRTC; Alice switches to audio (her camera track is stopped and
 * removed, Bob's page sees her video stop) and back to video (a new camera track, Bob's page
 * decodes her frames again). Every event each page logged is asserted, in order.
 */
import { describe, expect, it } from 'vitest';
import { type DemoUser, e, shape } from './support/demoPage';
import { e2eSuite } from './support/suite';

interface Demo {
  hcDemo: { calling(): { switchToAudioCall(): Promise<void>; switchToVideoCall(): Promise<void>; getSnapshot(): { call: { callType: number; local: { camera: boolean } } | null } } };
}

/** Runs `switchTo...Call()` of the page's TRTCCalling and waits for it to settle. */
const switchTo = (user: DemoUser, to: 'audio' | 'video') =>
  user.page.evaluate((t) => {
    const c = (globalThis as unknown as Demo).hcDemo.calling();
    return (t === 'audio' ? c.switchToAudioCall() : c.switchToVideoCall()).then(() => c.getSnapshot().call);
  }, to);

/** Runs in the page before its scripts: every track `getUserMedia` captures is kept on `globalThis.__tracks`. */
function recordCaptures(): void {
  const w = globalThis as unknown as { __tracks: MediaStreamTrack[] };
  w.__tracks = [];
  const md = navigator.mediaDevices;
  const capture = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints) => {
    const stream = await capture(constraints);
    w.__tracks.push(...stream.getTracks());
    return stream;
  };
}

/** The camera tracks the page captured that are still live (the camera light is on while one is). */
const liveCameraTracks = (user: DemoUser) =>
  user.page.evaluate(() => (globalThis as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.kind === 'video' && t.readyState === 'live').length);

describe('demo page, switching video and audio in Chromium', () => {
  const world = e2eSuite();

  it('Alice switchToAudioCall() -> her camera stops, Bob sees her video stop, both CALL_TYPE_CHANGED; switchToVideoCall() -> Bob decodes her frames again', async () => {
    const alice = await world.open('alice', { init: recordCaptures });
    const bob = await world.open('bob');
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    expect(await liveCameraTracks(alice)).toBe(1);

    expect(await switchTo(alice, 'audio')).toMatchObject({ callType: 1, local: { camera: false } });
    await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false });
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: false });
    expect(await liveCameraTracks(alice)).toBe(0);

    expect(await switchTo(alice, 'video')).toMatchObject({ callType: 2, local: { camera: true } });
    await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: true });
    await bob.waitFrames('alice'); // her new camera track reaches him without a new call
    await alice.waitFrames('bob');
    expect(await liveCameraTracks(alice)).toBe(1);

    await alice.click('hangup');
    await Promise.all([alice.waitEvent('onCallEnd'), bob.waitEvent('onCallEnd')]);
    const changed = (oldCallType: number, newCallType: number) => ({ name: 'onCallTypeChanged', payload: { oldCallType, newCallType } });
    const withTypes = (events: Awaited<ReturnType<DemoUser['events']>>) =>
      shape(events).map((entry, i) => (entry.name === 'onCallTypeChanged' ? { name: entry.name, payload: events[i]?.payload ?? {} } : entry));
    const arrival = (userID: string) => [
      e('onUserEnter', { userID }),
      e('onUserAudioAvailable', { userID, isAudioAvailable: true }),
      e('onUserVideoAvailable', { userID, isVideoAvailable: true }),
    ];
    const aliceLog = withTypes(await alice.events());
    // The requester's CALL_TYPE_CHANGED comes with Bob's ACCEPT, his camera change through the room: either first.
    expect(aliceLog.slice(0, 5)).toEqual([e('sdkReady'), e('onUserAccept', { userID: 'bob' }), ...arrival('bob')]);
    expect(aliceLog.slice(5, 7)).toEqual(expect.arrayContaining([changed(2, 1), e('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: false })]));
    expect(aliceLog.slice(7, 9)).toEqual(expect.arrayContaining([changed(1, 2), e('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: true })]));
    expect(aliceLog.slice(9)).toEqual([e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
    expect(withTypes(await bob.events())).toEqual([
      e('sdkReady'),
      e('onInvited', { sponsor: 'alice' }),
      ...arrival('alice'),
      changed(2, 1),
      e('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }),
      changed(1, 2),
      e('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: true }),
      e('onUserLeave', { userID: 'alice' }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
  });
});
