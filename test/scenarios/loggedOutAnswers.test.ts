/**
 * The API-parity audit of 2026-12-07 (fixed since): logged out or kicked out, accept(), reject() and logout() were
 * refused (`InvalidStateError`, "not logged in"), where trtc-calling-js 1.0.6 resolves all three and does nothing
 * (its accept() and reject() find no invitation: test/interop/appCode.test.ts runs both; its logout() resolves too).
 * An app written for it hit an unhandled rejection when its Decline was tapped after KICKED_OUT (the ringing screen
 * still up), or when it logged out twice (a button, then the page's unmount), as hangup() twice is harmless.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('accept(), reject() and logout() with no session resolve and do nothing', () => {
  const t = memoryUsers('alice', 'bob');

  it('Bob ringing, KICKED_OUT by his other login -> his Decline and Accept tapped late resolve with nothing, nothing sent', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    const bob2 = t.world.client('bob');
    await bob2.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(S);
    const sent = t.world.net.im.log.length;
    await expect(t.bob.calling.reject()).resolves.toBeUndefined();
    await expect(t.bob.calling.accept()).resolves.toBeUndefined();
    await expect(t.bob.calling.logout()).resolves.toBeUndefined();
    await t.world.advance(S);
    expect(t.world.net.im.log.length).toBe(sent);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ev.kicked('multipleAccount')]);
    expect(t.bob.calling.getSnapshot().line).toBe('loggedOut');
  });

  it('logout() twice (a button, then the page unmounting), and before any login -> each resolves, nothing told', async () => {
    const first = t.alice.calling.logout();
    await t.world.advance(S);
    await expect(first).resolves.toBeUndefined();
    await expect(t.alice.calling.logout()).resolves.toBeUndefined();
    const stranger = new TRTCCalling({ SDKAppID: 1, backend: t.world.net.backend() });
    await expect(stranger.logout()).resolves.toBeUndefined();
    await expect(stranger.accept()).resolves.toBeUndefined();
    await expect(stranger.reject({ isBusy: true })).resolves.toBeUndefined();
    // A dial still needs a session: refused, as trtc-calling-js's call() throws "not login".
    await expect(stranger.call({ userID: 'bob', type: 1 })).rejects.toThrow(/not logged in/);
    expect(t.alice.take()).toEqual([]);
    await stranger.destroy();
  });
});
