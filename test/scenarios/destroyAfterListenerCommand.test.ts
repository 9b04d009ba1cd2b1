/**
 * The review of 77b8960 (2026-12-04; fixed since: the line settles a command for a call that ended in that step, and commands go at once again): #post checks `#destroyed` when a listener asks, then sends the command in a
 * microtask without checking again. destroy() in the same listener (or in another listener of the same
 * event) rejects the pending promise ("destroyed") and sends line.logout at once; the deferred command
 * reaches the line after that logout. A deferred login() logs the destroyed instance back in: its IM
 * session stays up (the user looks online; invitations go to a dead client) though destroy() says it
 * "logs out and closes the backend's connection" and login() rejected with "destroyed".
 * Before the commit the login went first (refused: already logged in) and the logout after it.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { memoryWorld } from '../support/world';

const S = 1000;

describe('a command a listener sent, then destroy() in the same turn', () => {
  it('login() then destroy() from a listener: the destroyed instance is not logged in again', async () => {
    const w = memoryWorld();
    const alice = await w.user('alice');
    const bob = await w.user('bob');
    let login: Promise<unknown> | undefined;
    bob.calling.on(TRTCCalling.EVENT.INVITED, () => {
      login = bob.calling.login({ userID: 'bob', userSig: 'sig-bob' });
      login.catch(() => undefined);
    });
    bob.calling.on(TRTCCalling.EVENT.INVITED, () => void bob.calling.destroy()); // another component's listener
    await alice.calling.call({ userID: 'bob', type: 1 });
    await w.advance(5 * S);
    await expect(login).rejects.toThrow(/destroyed/);
    expect(w.net.im.isOnline('bob')).toBe(false); // it failed: true, logged in again after destroy()
    await w.dispose();
  });
});
