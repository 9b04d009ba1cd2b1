/**
 * "a listener's exception never breaks the library: its
 * error is reported through onError" (src/emitter.ts). An async listener's exception is a rejected promise
 * the emitter drops: nothing reports it, and in Node (where the README's quick start runs) an unhandled
 * rejection ends the process, every call with it. `bob.on(INVITED, async ({ inviteID }) => { await
 * bob.accept({ inviteID }); ... })` with a device missing is enough.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('an async listener that rejects', () => {
  const t = memoryUsers('alice', 'bob');

  it('Bob\'s async INVITED listener rejects -> ERROR 65535 as for one that throws, nothing unhandled; the call goes on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.prependListener('unhandledRejection', onUnhandled);
    try {
      t.bob.calling.on('onInvited', async () => {
        await Promise.resolve();
        throw new Error('UI bug');
      });
      await t.alice.calling.call({ userID: 'bob', type: 2 });
      await t.world.advance(S);
      expect(unhandled).toEqual([]); // it failed: [Error: UI bug]
      expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(65535)]); // it failed: no ERROR
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });
});
