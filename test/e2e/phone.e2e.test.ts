/**
 * The demo page on a phone (390x844): every control of each state is inside the screen and not
 * covered (its bounding box in the viewport, itself at its centre), through a whole call. Each
 * state is screenshotted (`npm run screenshots` writes them to docs/screenshots).
 */
import { describe, expect, it } from 'vitest';
import { offScreen, screenshot } from './support/screen';
import { e2eSuite } from './support/suite';

describe('demo page on a phone, 390x844', () => {
  const world = e2eSuite();

  it('home, device check, dialing, ringing, in call, the drawer, the outcome: every control on screen', async () => {
    const alice = await world.open('alice', { phone: true, deviceCheck: true });
    const bob = await world.open('bob', { phone: true, deviceCheck: true });
    await alice.page.waitForSelector('[data-testid="person-bob"]');
    await alice.page.waitForFunction(() => Number((document.querySelector('[data-testid="mic-level"]') as HTMLElement).dataset.level) > 0);
    await screenshot(alice.page, 'phone-1-home-device-check');
    expect(await offScreen(alice.page, ['#dev-btn', '#logout-btn', '[data-testid="call-video-bob"]', '[data-testid="call-audio-bob"]', '#callee', '#call-type', '#timeout', '#call-btn'])).toEqual([]);
    await alice.page.locator('[data-testid="devices-done"]').scrollIntoViewIfNeeded();
    expect(await offScreen(alice.page, ['[data-testid="camera-select"]', '[data-testid="mic-select"]', '[data-testid="devices-done"]'])).toEqual([]);
    await alice.page.click('[data-testid="devices-done"]');
    await bob.page.click('[data-testid="devices-done"]');

    await alice.page.click('[data-testid="call-video-bob"]');
    await alice.view('dialing');
    await bob.ringing('alice');
    await alice.page.waitForSelector('#dialing-timer:has-text("/ 0:30")');
    await screenshot(alice.page, 'phone-2-dialing');
    await screenshot(bob.page, 'phone-3-incoming');
    expect(await offScreen(alice.page, ['#hangup-btn', '#call-dev-btn', '#dialing-who', '#dialing-timer'])).toEqual([]);
    expect(await offScreen(bob.page, ['#accept-btn', '#reject-btn', '#incoming-from'])).toEqual([]);

    await bob.page.click('#accept-btn');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });
    await Promise.all([alice.waitFrames('bob'), bob.waitFrames('alice')]);
    await alice.page.waitForFunction(() => (document.querySelector('#self-view video') as HTMLVideoElement | null)?.readyState === 4);
    await alice.page.waitForFunction(() => /^0:0[1-9]$/.test(document.getElementById('call-timer')?.textContent ?? ''));
    await screenshot(alice.page, 'phone-4-in-call');
    expect(await offScreen(alice.page, ['#mic-btn', '#camera-btn', '#hangup-btn', '#call-dev-btn', '#call-timer', '#call-title'])).toEqual([]);
    expect(await offScreen(alice.page, ['#self-view'])).toEqual([]);

    await alice.page.click('#call-dev-btn');
    await alice.page.waitForSelector('#drawer[aria-hidden="false"]');
    await alice.page.waitForFunction(() => {
      const r = document.getElementById('drawer')?.getBoundingClientRect();
      return r !== undefined && Math.abs(r.left) < 1;
    });
    await screenshot(alice.page, 'phone-5-drawer');
    expect(await offScreen(alice.page, ['#drawer-close', '#tab-charts', '#tab-log'])).toEqual([]);
    await alice.page.click('#drawer-close');
    await alice.page.waitForSelector('#drawer[aria-hidden="true"]', { state: 'attached' });

    await alice.page.waitForFunction(() => {
      const r = document.getElementById('hangup-btn')?.getBoundingClientRect();
      const top = r && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return top !== null && top !== undefined && document.getElementById('hangup-btn')?.contains(top);
    });
    await alice.click('hangup');
    await alice.waitEvent('onCallEnd');
    await bob.waitEvent('onCallEnd');
    await alice.view('home');
    await alice.page.waitForSelector('#outcome:not(.hidden)');
    await screenshot(alice.page, 'phone-6-ended');
    expect(await offScreen(alice.page, ['#outcome-text', '#outcome-close', '[data-testid="call-video-bob"]', '#call-btn'])).toEqual([]);
  });
});
