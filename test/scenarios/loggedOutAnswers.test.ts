/**
 * The API-parity audit of 2026-12-07 (fixed since): logged out or kicked out, accept() and reject() were refused
 * (`InvalidStateError`, "not logged in"), where trtc-calling-js 1.0.6's find no invitation and resolve with nothing
 * (test/interop/appCode.test.ts runs both). An app written for it hit an unhandled rejection when its Decline was
 * tapped once logged out, or after KICKED_OUT (the ringing screen still up). logout() while logged out stays refused:
 * under trtc-calling-js, TIM's logout rejects there (2024, not logged in).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('accept() and reject() with no session resolve and do nothing', () => {
  const t = memoryUsers('alice', 'bob');

  it('Bob ringing, KICKED_OUT by his other login -> his Decline and Accept tapped late resolve with nothing, nothing sent; logout() leaves the kicked state', async () => {
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

  it('before any login and after logout() -> accept() and reject() resolve with nothing; a dial and a second logout() are refused', async () => {
    const first = t.alice.calling.logout();
    await t.world.advance(S);
    await expect(first).resolves.toBeUndefined();
    await expect(t.alice.calling.reject()).resolves.toBeUndefined();
    await expect(t.alice.calling.logout()).rejects.toThrow(/logout: not logged in/);
    const stranger = new TRTCCalling({ SDKAppID: 1, backend: t.world.net.backend() });
    await expect(stranger.accept()).resolves.toBeUndefined();
    await expect(stranger.reject({ isBusy: true })).resolves.toBeUndefined();
    await expect(stranger.call({ userID: 'bob', type: 1 })).rejects.toThrow(/not logged in/);
    await expect(stranger.logout()).rejects.toThrow(/not logged in/);
    expect(t.alice.take()).toEqual([]);
    await stranger.destroy();
  });
});
