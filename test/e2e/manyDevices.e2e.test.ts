/**
 * Many devices in Chromium (issue 11): the server runs `--multi-device`, Bob is signed in on two
 * pages (two devices, `?multiDevice=1`), Alice on a third. Alice calls; both of Bob's pages ring;
 * Bob answers on his second page; his first stops ringing with CALL_END answeredElsewhere and
 * never joins the call; Alice sees one Bob, on video.
 */
import { describe, expect, it } from 'vitest';
import { e, shape, callerStart, calleeStart } from './support/demoPage';
import { e2eSuite } from './support/suite';

describe('demo page, many devices in Chromium', () => {
  const world = e2eSuite({ server: { multiDevice: true } });

  it('Bob on two pages; Alice call() -> both ring; Bob accepts on the second -> the first stops ringing (answeredElsewhere); Alice sees one Bob', async () => {
    const alice = await world.open('alice');
    const bobFirst = await world.open('bob', { query: '?multiDevice=1' });
    const bobSecond = await world.open('bob', { query: '?multiDevice=1' });
    await alice.call('bob');
    await bobFirst.page.waitForSelector('#incoming[open] #incoming-from:has-text("alice")', { timeout: 10_000 });
    await bobSecond.answer('accept', 'alice');
    await bobFirst.waitEvent('onCallEnd', { reason: 'answeredElsewhere' });
    await bobFirst.page.waitForSelector('#incoming:not([open])', { state: 'attached', timeout: 10_000 });
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    const [atAlice, atBob] = await Promise.all([alice.waitFrames('bob'), bobSecond.waitFrames('alice')]);
    expect(atAlice.width * atBob.width).toBeGreaterThan(0);
    await alice.click('hangup');
    await alice.waitEvent('onCallEnd');
    await bobSecond.waitEvent('onCallEnd');

    expect(shape(await bobFirst.events())).toEqual([
      e('sdkReady'),
      e('onInvited', { sponsor: 'alice' }),
      e('onCallEnd', { userID: 'alice', reason: 'answeredElsewhere' }),
    ]);
    expect(await bobFirst.callVideos()).toBe(0);
    expect(shape(await bobSecond.events())).toEqual([
      ...calleeStart('alice'),
      e('onUserLeave', { userID: 'alice' }),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
    expect(shape(await alice.events())).toEqual([
      ...callerStart('bob'),
      e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
    ]);
  });
});
