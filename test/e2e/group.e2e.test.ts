/** A three-page group call in Chromium: everyone sees two remote tiles with video, then one leaves. */
import { describe, expect, it } from 'vitest';
import { e, groupCallLogs } from './support/demoPage';
import { e2eSuite } from './support/suite';

describe('demo page, group call in Chromium', () => {
  const world = e2eSuite();

  it('Alice groupCall([bob, carol]), both accept -> everyone sees two remote videos; Carol hangup() -> the others see one', async () => {
    const alice = await world.open('alice');
    const bob = await world.open('bob');
    const carol = await world.open('carol');
    await alice.call(['bob', 'carol']);
    await bob.answer('accept', 'alice');
    await carol.answer('accept', 'alice');
    const everyone = [alice, bob, carol];
    for (const user of everyone) {
      for (const other of everyone) if (other !== user) await user.waitEvent('onUserEnter', { userID: other.userID });
    }
    for (const user of everyone) expect(await user.remoteTiles()).toEqual(everyone.filter((o) => o !== user).map((o) => o.userID));
    const seen = await Promise.all(everyone.flatMap((user) => everyone.filter((o) => o !== user).map(async (o) => [`${user.userID} sees ${o.userID}`, (await user.waitFrames(o.userID, 3)).width > 0] as const)));
    expect(seen.filter(([, ok]) => !ok)).toEqual([]);

    await carol.click('hangup');
    await carol.waitEvent('onCallEnd');
    await alice.waitEvent('onUserLeave', { userID: 'carol' });
    await bob.waitEvent('onUserLeave', { userID: 'carol' });
    expect(await alice.remoteTiles()).toEqual(['bob']);
    expect(await bob.remoteTiles()).toEqual(['alice']);
    await alice.waitFrames('bob', 3);

    await alice.click('hangup');
    await bob.waitEvent('onCallEnd');
    await alice.waitEvent('onCallEnd');

    const [atAlice, atBob, atCarol] = await groupCallLogs(alice, bob, carol);
    expect(atAlice!.slice(-3)).toEqual([e('onUserLeave', { userID: 'carol' }), e('onGroupCallInviteeListUpdate', { userIDList: ['bob'] }), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
    expect(atBob!.slice(-3)).toEqual([e('onUserLeave', { userID: 'alice' }), e('onGroupCallInviteeListUpdate', { userIDList: [] }), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
    expect(atCarol!.at(-1)).toEqual(e('onCallEnd', { userID: 'alice', reason: 'hangup' }));
    for (const log of [atAlice!, atBob!, atCarol!]) expect(log.filter((x) => x.name === 'onCallEnd')).toHaveLength(1);
  });
});
