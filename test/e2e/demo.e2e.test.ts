/**
 * The demo page as a person uses it, at desktop size: who is online, one-click calls, ringing
 * with a timer and Cancel, the offline note, the call with both videos, outcomes that stay,
 * the device check, the developer drawer's statecharts. Each state is screenshotted
 * (`npm run screenshots` writes them to docs/screenshots).
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { callMachine } from '../../machines/callMachine';
import { lineMachine } from '../../machines/lineMachine';
import { statechartOf } from '../../src/statechart';
import { e, shape } from './support/demoPage';
import { screenshot } from './support/screen';
import { e2eSuite } from './support/suite';

/** Pairs of distinct states with a transition between them (the drawer draws one arrow per pair). */
const statePairs = (machine: AnyStateMachine): number => {
  const chart = statechartOf(machine);
  const pairs = new Set<string>();
  for (const t of chart.transitions) if (t.from !== chart.root.id && t.from !== t.to) pairs.add(`${t.from}->${t.to}`);
  return pairs.size;
};
const text = async (page: import('playwright-core').Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();

describe('demo page at desktop size', () => {
  const world = e2eSuite();

  it('the online list: Bob signs in -> Alice sees him; one click calls him; both videos; Alice hangs up -> "You hung up" stays', async () => {
    const alice = await world.open('alice');
    await alice.page.waitForSelector('#people-empty:has-text("Nobody else is online yet")');
    const bob = await world.open('bob');
    await alice.page.waitForSelector('[data-testid="person-bob"]');
    await bob.page.waitForSelector('[data-testid="person-alice"]');
    expect(await alice.page.$$eval('#people-list li', (rows) => rows.map((r) => (r as HTMLElement).dataset.userId))).toEqual(['bob']);
    await screenshot(alice.page, 'desktop-1-home-online');

    await alice.page.click('[data-testid="call-video-bob"]');
    await alice.view('dialing');
    await bob.ringing('alice');
    expect(await bob.page.title()).toBe('📞 alice is calling… · headless-calling');
    await bob.page.waitForSelector('body[data-ringtone="on"]');
    await screenshot(bob.page, 'desktop-3-incoming');

    await bob.page.click('#accept-btn');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    expect(await bob.page.title()).toBe('headless-calling');
    expect(await bob.page.getAttribute('body', 'data-ringtone')).toBe('off');
    const [atAlice, atBob] = await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    expect(atAlice.width * atBob.width).toBeGreaterThan(0);
    await alice.page.waitForFunction(() => (document.querySelector('#self-view video') as HTMLVideoElement | null)?.readyState === 4);
    // The remote video fills the stage; the self-view is small, over its corner.
    const big = await alice.page.locator('#tiles [data-testid="tile-bob"]').boundingBox();
    const small = await alice.page.locator('#self-view').boundingBox();
    const stage = await alice.page.locator('#call').boundingBox();
    expect(big && small && stage).toBeTruthy();
    expect(big!.width * big!.height).toBeGreaterThan(0.9 * stage!.width * stage!.height);
    expect(small!.width * small!.height).toBeLessThan(0.1 * stage!.width * stage!.height);
    await alice.page.waitForFunction(() => /^0:0[1-9]$/.test(document.getElementById('call-timer')?.textContent ?? ''));
    expect(await text(alice.page, '#call-title')).toBe('In call with bob');
    await screenshot(alice.page, 'desktop-4-in-call');

    await alice.click('hangup');
    await alice.waitEvent('onCallEnd');
    await bob.waitEvent('onCallEnd');
    await alice.view('home');
    await bob.view('home');
    expect(await text(alice.page, '#outcome-text')).toMatch(/^You hung up · \d+:\d\d$/);
    expect(await text(bob.page, '#outcome-text')).toMatch(/^alice hung up · \d+:\d\d$/);
    await screenshot(alice.page, 'desktop-5-ended');
    expect(await alice.callVideos()).toBe(0);

    // A new invitation clears the last call's words: Bob's missed call stands alone.
    await alice.call('bob', { timeout: 20 });
    await bob.ringing('alice');
    await alice.page.click('#hangup-btn');
    await bob.waitEvent('onCallingCancel');
    await bob.page.waitForFunction(() => !(document.getElementById('incoming') as HTMLDialogElement).open);
    expect(await text(bob.page, '#outcome-text')).toBe('Missed call: alice hung up before you answered');
  });

  it('dial and cancel: the dialing screen rings with a timer against the timeout; Cancel -> Bob CALLING_CANCEL, Alice "You cancelled the call"', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    await alice.page.waitForSelector('[data-testid="person-bob"]');
    await alice.call('bob', { timeout: 20 });
    await alice.view('dialing');
    await bob.ringing('alice');
    expect(await text(alice.page, '#dialing-who')).toBe('Calling bob…');
    // Counting against the timeout: any second past the first (a loaded machine can reach this line after 0:01 is gone).
    await alice.page.waitForFunction(() => /^0:(0[1-9]|1\d) \/ 0:20$/.test(document.getElementById('dialing-timer')?.textContent ?? ''));
    expect(await text(alice.page, '#offline-note')).toBe('');
    await screenshot(alice.page, 'desktop-2-dialing');
    await alice.page.click('#hangup-btn');
    await bob.waitEvent('onCallingCancel');
    await alice.waitEvent('onCallEnd');
    await alice.view('home');
    expect(await text(alice.page, '#outcome-text')).toBe('You cancelled the call');
    expect(await text(bob.page, '#outcome-text')).toBe('Missed call: alice hung up before you answered');
    await bob.page.waitForFunction(() => !(document.getElementById('incoming') as HTMLDialogElement).open);
    expect(shape(await alice.events())).toEqual([e('sdkReady'), e('onCallEnd', { userID: 'alice', reason: 'cancelled' })]);
    expect(shape(await bob.events())).toEqual([e('sdkReady'), e('onInvited', { sponsor: 'alice' }), e('onCallingCancel', { sponsor: 'alice' })]);
  });
});

describe('demo page at desktop size: offline note, device check, drawer, errors', () => {
  const world = e2eSuite();

  it('offline note at once when the callee is not online; dave signs in within the timeout -> the note says he came online and his page rings; Cancel -> his ringing ends', async () => {
    const alice = await world.open('alice');
    await alice.page.waitForSelector('#people-empty:has-text("Nobody else is online yet")');
    await alice.call('dave', { timeout: 120 }); // long: opening a page can take seconds on a busy machine
    await alice.page.waitForSelector('#offline-note:has-text("dave is offline: they will ring when they come online (within 120 s).")');
    await screenshot(alice.page, 'desktop-6-offline-note');
    // The note follows presence; the invitation itself waits in the server's offline store and
    // rings once dave signs in (it may arrive in the very read of his login reply: it still rings).
    const dave = await world.open('dave');
    await alice.page.waitForSelector('#offline-note:has-text("dave came online: ringing now.")');
    await dave.waitEvent('onInvited');
    expect(await alice.page.getAttribute('#offline-note', 'data-offline')).toBe('');
    await alice.page.click('#hangup-btn');
    await alice.waitEvent('onCallEnd');
    await alice.view('home');
    expect(await text(alice.page, '#outcome-text')).toBe('You cancelled the call');
    expect(shape(await alice.events())).toEqual([e('sdkReady'), e('onCallEnd', { userID: 'alice', reason: 'cancelled' })]);
    await dave.waitEvent('onCallingCancel');
    expect(shape(await dave.events())).toEqual([e('sdkReady'), e('onInvited', { sponsor: 'alice' }), e('onCallingCancel', { sponsor: 'alice' })]);
  });

  it('device check before the first call: the camera preview plays, the microphone level moves, the pickers list the devices; Looks good closes it, for good in this browser', async () => {
    const alice = await world.open('alice', { deviceCheck: true });
    await alice.page.waitForSelector('#devices:not(.hidden)');
    await alice.page.waitForFunction(() => (document.querySelector('[data-testid="device-preview"]') as HTMLVideoElement).readyState >= 2);
    await alice.page.waitForFunction(() => Number((document.querySelector('[data-testid="mic-level"]') as HTMLElement).dataset.level) > 0.05);
    const options = async (select: string) => alice.page.$$eval(`[data-testid="${select}"] option`, (o) => o.map((x) => (x as HTMLOptionElement).textContent));
    expect((await options('camera-select')).length).toBeGreaterThan(0);
    expect((await options('mic-select')).length).toBeGreaterThan(0);
    await screenshot(alice.page, 'desktop-0-device-check');
    await alice.page.click('[data-testid="devices-done"]');
    await alice.page.waitForSelector('#devices.hidden', { state: 'attached' });
    expect(await alice.page.evaluate(() => (document.querySelector('[data-testid="device-preview"]') as HTMLVideoElement).srcObject)).toBeNull(); // the camera is released
    await alice.page.waitForSelector('#devices-btn:not(.hidden)');
    // Remembered in this browser: after a reload it does not open by itself again.
    await alice.page.reload();
    await alice.page.fill('#login-user', 'alice');
    await alice.page.click('#login-btn');
    await alice.view('home');
    await alice.page.waitForSelector('#devices-btn:not(.hidden)');
    expect(await alice.page.locator('#devices').isHidden()).toBe(true);
  });

  it('the drawer: line, call and invitee statecharts with labelled arrows; the transition just taken is highlighted; the ended call waits for nothing', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    await alice.page.click('#dev-btn');
    await alice.page.waitForSelector('#drawer[aria-hidden="false"]');
    const chart = (testid: string) => alice.page.locator(`[data-testid="${testid}"]`);
    expect(await chart('sc-line').getAttribute('data-active')).toBe('line line.online line.online.idle');
    expect(await chart('sc-line').getAttribute('data-fired')).toBe('line.loggingIn->line.online');
    expect(await chart('sc-line').locator('.sc-elabel.fired').evaluate((t) => t.firstChild?.textContent)).toBe('im.loggedIn');
    // Every pair of states with a transition between them has an arrow: as many as the machines have
    // such pairs (counted here from their definitions, so a new transition cannot break the test).
    expect(await chart('sc-line').locator('path.sc-edge').count()).toBe(statePairs(lineMachine));
    expect(await chart('sc-call').locator('path.sc-edge').count()).toBe(statePairs(callMachine));

    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await alice.page.waitForSelector('[data-testid="sc-invitee-bob"]');
    expect(await chart('sc-call').getAttribute('data-active')).toBe('call call.inCall call.inCall.together');
    expect(await chart('sc-invitee-bob').getAttribute('data-active')).toMatch(/invitee\.(accepted|joined)$/);
    // Later events of the call (Bob's audio and video) move no state of it: the arrow the call took stays highlighted
    // (README: "the arrow just taken highlighted with the event that fired it"; demoWords.e2e.test.ts had a test of its own).
    await alice.waitEvent('onUserVideoAvailable', { userID: 'bob' });
    expect(await chart('sc-call').getAttribute('data-fired')).not.toBe('');
    const label = await chart('sc-call').locator('text.sc-elabel').first().evaluate((t) => parseFloat(getComputedStyle(t).fontSize));
    expect(label).toBeGreaterThanOrEqual(12);
    await screenshot(alice.page, 'desktop-7-drawer-in-call');

    await alice.click('hangup');
    await alice.waitEvent('onCallEnd');
    await alice.page.waitForFunction(() => document.querySelector('[data-testid="sc-call"]')?.getAttribute('data-active') === 'call call.ended');
    expect(await chart('sc-call-waits').textContent()).toBe('Final state: waits for nothing.');
    expect(await chart('sc-call').getAttribute('data-fired')).toBe('call.ending->call.ended');
    await alice.page.click('#tab-log');
    expect(await alice.page.locator('#event-log li').count()).toBeGreaterThan(3);
    await screenshot(alice.page, 'desktop-8-drawer-log');
  });

  // Bob's refused Accept is also the scenario of a test of badInput.e2e.test.ts once: each page's whole log is asserted
  // here, as it was there, with what the page shows.
  it('errors in plain words, never a doubled prefix: a refused camera on Accept ends the call and shows on the page (Bob ERROR 60005, CALL_END error, accept() rejects with 60005; Alice REJECT, CALL_END); calling oneself', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob', {
      init: () => {
        Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')), configurable: true });
      },
    });
    await alice.call('bob');
    await bob.answer('accept', 'alice');
    await bob.waitEvent('accept() rejected');
    await alice.waitEvent('onCallEnd');
    // His room entry ran with the capture: accept() ends the call.
    expect(shape(await alice.events(), ['code', 'userID', 'reason'])).toEqual([
      e('sdkReady'),
      e('onReject', { userID: 'bob' }),
      e('onCallEnd', { userID: 'alice', reason: 'rejected' }),
    ]);
    expect(shape(await bob.events(), ['code', 'userID', 'reason', 'sponsor'])).toEqual([
      e('sdkReady'),
      e('onInvited', { sponsor: 'alice' }),
      e('onError', { code: 60005 }),
      e('onCallEnd', { userID: 'alice', reason: 'error' }),
      e('accept() rejected', { code: 60005 }),
    ]);
    expect(await bob.page.locator('#status').textContent()).toBe('Ready');
    // The room was entered while the devices were captured: the call ended, the dialog is gone.
    expect(await bob.page.locator('#incoming[open]').count()).toBe(0);
    await bob.page.waitForSelector('#error:not(.hidden)');
    expect(await text(bob.page, '#error-text')).toBe(
      'Camera and microphone are blocked. Allow them for this site (the camera icon in the address bar), then try again.',
    );
    // Seen and on top: the element at its centre is the error itself.
    expect(await bob.page.evaluate(() => {
      const el = document.getElementById('error-text') as HTMLElement;
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    })).toBe(true);
    await screenshot(bob.page, 'desktop-9-accept-error');

    expect(await alice.page.locator('#error').isHidden()).toBe(true);
    await alice.call('alice');
    await alice.page.waitForSelector('#error:not(.hidden)');
    expect(await text(alice.page, '#error-text')).toBe('Cannot call yourself.');
  });
});
