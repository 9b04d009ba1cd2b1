/**
 * A listener that returns the SDK's own promise (an auto-answer: `({ inviteID }) => calling.accept({ inviteID })`)
 * whose failure ERROR told already (a missing microphone, 60003): its rejection is handled and not told a second
 * time as a listener's fault (65535). The review of c879c03, which told it twice.
 */
/**
 * c879c03 reports any promise a listener returns that rejects as ERROR 65535 "a listener of X threw". A listener
 * that is not an async function but returns the SDK's own promise (the auto-answer `({ inviteID }) =>
 * calling.accept({ inviteID })`) whose failure the SDK already told through ERROR (60003, no microphone:
 * api.test.ts) now has that one failure told twice, the second time as 65535, as if the app's code had thrown.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('a listener returning the SDK\'s own rejected promise', () => {
  const t = memoryUsers('alice', 'bob');

  it('auto-answer with no microphone -> one ERROR (60003), not a second 65535 for the same failure', async () => {
    const swallow = () => undefined; // before c879c03 the rejection went unhandled
    process.prependListener('unhandledRejection', swallow);
    try {
      t.world.net.rooms.setDevices('bob', { microphone: false });
      t.bob.calling.on('onInvited', ({ inviteID }) => t.bob.calling.accept({ inviteID }));
      await t.alice.calling.call({ userID: 'bob', type: 2 });
      await t.world.advance(S);
      await t.world.advance(S);
      expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(60003)]);
    } finally {
      process.removeListener('unhandledRejection', swallow);
    }
  });
});
