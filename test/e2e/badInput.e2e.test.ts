/** Bad input in the browser: nobody answers, a refused camera and microphone. */
import { describe, expect, it } from 'vitest';
import { e, shape } from './support/demoPage';
import { e2eSuite } from './support/suite';

/**
 * Runs in the page before its scripts: every capture is refused at once, while the Permissions
 * API does not say so (as when the operating system blocks the devices, or a browser that cannot
 * answer for `camera`).
 */
function refuseCapture(): void {
  const refuse = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: refuse, configurable: true });
}

/**
 * Runs in the page before its scripts: the camera and microphone are blocked for the page, as
 * after the user clicked "Block": the Permissions API says `denied`, and every capture is refused.
 */
function blockMedia(): void {
  const refuse = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: refuse, configurable: true });
  const query = navigator.permissions.query.bind(navigator.permissions);
  const denied = (descriptor: PermissionDescriptor) =>
    descriptor.name === ('camera' as PermissionName) || descriptor.name === ('microphone' as PermissionName)
      ? Promise.resolve({ state: 'denied', name: descriptor.name } as unknown as PermissionStatus)
      : query(descriptor);
  Object.defineProperty(navigator.permissions, 'query', { value: denied, configurable: true });
}

/** Runs in the page before its scripts: every capture is refused after 300 ms, as when the user clicks "Block" in the prompt. */
function denyMediaSlowly(): void {
  const refuse = () => new Promise<MediaStream>((_resolve, reject) => setTimeout(() => reject(new DOMException('Permission denied', 'NotAllowedError')), 300));
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: refuse, configurable: true });
}

/** Runs in the page: the camera is refused once `globalThis.denyCamera` is set (the user revoked it). */
function denyCameraLater(): void {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  const guarded = (constraints?: MediaStreamConstraints) =>
    (globalThis as unknown as { denyCamera?: boolean }).denyCamera && constraints?.video
      ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
      : real(constraints);
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: guarded, configurable: true });
}

describe('demo page, bad input in Chromium', () => {
  const world = e2eSuite();

  it('Alice call() a user who never signed in, timeout 3 s -> NO_RESP, CALL_END noResponse (no exception)', async () => {
    // Her own no-answer timer waits past the timeout by `noAnswerGraceMs` (5 s by default): 0.5 s here (the demo's ?config=).
    const alice = await world.open('alice', { query: `?config=${encodeURIComponent('{"noAnswerGraceMs":500}')}` });
    await alice.call('nobody', { timeout: 3 });
    await alice.waitEvent('onCallEnd', {}, 20_000);
    expect(shape(await alice.events(), ['userID', 'userIDList', 'reason'])).toEqual([
      e('sdkReady'),
      e('onNoResp', { userID: 'nobody', userIDList: ['nobody'] }),
      e('onCallEnd', { userID: 'alice', reason: 'noResponse' }),
    ]);
  });

  it('Alice with the camera and microphone blocked for the page: call() rejects with 60005 (and ERROR) before anyone is invited', async () => {
    const alice = await world.open('alice', { init: blockMedia });
    const bob = await world.open('bob');
    await alice.call('bob');
    await alice.waitEvent('call() rejected');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the window in which Bob must hear nothing
    expect(shape(await alice.events(), ['code', 'userID', 'reason'])).toEqual([
      e('sdkReady'),
      e('onError', { code: 60005 }),
      e('call() rejected', { code: 60005 }),
    ]);
    expect(shape(await bob.events())).toEqual([e('sdkReady')]);
    expect(await alice.page.locator('#status').textContent()).toBe('Ready');
  });

  for (const [when, init] of [
    ['after the invitation went out (captured while it travels)', denyMediaSlowly],
    ['at once, the Permissions API not saying so (a block by the system)', refuseCapture],
  ] as const) {
    it(`Alice's capture refused ${when} -> Alice ERROR 60005, CALL_END error, call() rejects with 60005; Bob INVITED, CALLING_CANCEL`, async () => {
      const alice = await world.open('alice', { init });
      const bob = await world.open('bob');
      await alice.call('bob');
      await alice.waitEvent('call() rejected');
      await bob.waitEvent('onCallingCancel');
      expect(shape(await alice.events(), ['code', 'userID', 'reason'])).toEqual([
        e('sdkReady'),
        e('onError', { code: 60005 }),
        e('onCallEnd', { userID: 'alice', reason: 'error' }),
        e('call() rejected', { code: 60005 }),
      ]);
      expect(shape(await bob.events(), ['userID', 'sponsor'])).toEqual([e('sdkReady'), e('onInvited', { sponsor: 'alice' }), e('onCallingCancel', { sponsor: 'alice' })]);
      expect(await alice.page.locator('#status').textContent()).toBe('Ready');
    });
  }

  // Bob with the camera and microphone refused: accept() ends the call (his room entry ran with the capture), Bob ERROR
  // 60005, CALL_END error, accept() rejects with 60005, Alice REJECT, CALL_END: demo.e2e.test.ts' 'errors in plain
  // words' test, the same call, asserts both pages' whole logs and what Bob's page shows.

  it('In a call, Bob closeCamera(), the camera is then refused: openCamera() rejects with 60005 and the call goes on', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob', { init: denyCameraLater });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.click('camera');
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob', isVideoAvailable: false });
    await bob.page.evaluate(() => ((globalThis as unknown as { denyCamera: boolean }).denyCamera = true));
    await bob.click('camera');
    await bob.waitEvent('openCamera() rejected');
    const rejected = (await bob.events()).filter((x) => x.name === 'openCamera() rejected');
    expect(rejected.map((x) => x.payload.code)).toEqual([60005]);
    expect(await alice.remoteTiles()).toEqual(['bob']); // still in the call (bob sends no video now)
    await bob.waitFrames('alice');
    expect(await bob.page.locator('#call-title').textContent()).toBe('In call with alice');
  });
});
