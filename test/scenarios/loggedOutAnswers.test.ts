/**
 * The API-parity audit of 2026-12-07 (fixed since): logged out, accept() and reject() were refused
 * (`InvalidStateError`, "not logged in"), where trtc-calling-js 1.0.6's find no invitation and resolve with nothing
 * (test/interop/appCode.test.ts runs both). Kicked out, they resolve with nothing when no call was live at the kick,
 * and are refused when one was (an invitation ringing, say): trtc-calling-js keeps that invitation and its answer
 * fails, TIM refusing it (test/interop/kickedAnswer.test.ts); resolving would tell the app nothing rang while the
 * caller still rings. logout() while logged out stays refused: under trtc-calling-js, TIM's logout rejects there
 * (2024, not logged in).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('accept() and reject() with no session', () => {
  const t = memoryUsers('alice', 'bob');

  it('Bob ringing, KICKED_OUT by his other login -> his Decline and Accept tapped late are refused, nothing sent; logout() leaves the kicked state', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    const bob2 = t.world.client('bob');
    await bob2.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(S);
    const sent = t.world.net.im.log.length;
    await expect(t.bob.calling.reject()).rejects.toThrow(/reject: not logged in/);
    await expect(t.bob.calling.accept()).rejects.toThrow(/accept: not logged in/);
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
