/**
 * login() from the KICKED_OUT listener while a logout() waits for the call to end (the kick comes during
 * the room exit logout() started): refused, "a logout is in progress", and nothing stays parked in the
 * line. It was parked in `waiting` and never taken nor dropped: the promise never settled, and the stale
 * login made a later kicked login() be refused (found by the final review of 2026-12-04).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { answeredCall, memoryUsers } from '../support/world';

const S = 1000;
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(() => 'ok', (e: unknown) => (e instanceof Error ? e.message : String(e)));

describe('logout() mid-call, then a kick, then login() from KICKED_OUT', () => {
  const t = memoryUsers('alice', 'bob');

  it('the login() is refused: a logout is in progress', async () => {
    await answeredCall(t.world, t.alice, t.bob, 2, 30);
    t.world.net.rooms.setLatency(500); // Bob's room exit takes a while
    let login: Promise<string> | null = null;
    t.bob.calling.on(TRTCCalling.EVENT.KICKED_OUT, () => {
      login = outcome(t.bob.calling.login({ userID: 'bob', userSig: 'sig-bob' }));
    });
    const loggedOut = outcome(t.bob.calling.logout()); // waits for the call to end
    const other = t.world.client('bob');
    await other.calling.login({ userID: 'bob', userSig: 'sig-bob' }); // kicks Bob while his call ends
    await t.world.advance(3 * S);
    expect(await loggedOut).toBe('ok');
    expect(login).not.toBeNull();
    const settled = await Promise.race([login as unknown as Promise<string>, t.world.advance(10 * S).then(() => 'never settled')]);
    expect(settled).toMatch(/a logout is in progress/);
  });

  it('nothing stays parked: a later login() from KICKED_OUT mid-call logs in once that call is over', async () => {
    await answeredCall(t.world, t.alice, t.bob, 2, 30);
    t.world.net.rooms.setLatency(500);
    let first = true;
    let again: Promise<string> | null = null;
    t.bob.calling.on(TRTCCalling.EVENT.KICKED_OUT, () => {
      const p = outcome(t.bob.calling.login({ userID: 'bob', userSig: 'sig-bob' }));
      if (!first) again = p;
      first = false;
    });
    void t.bob.calling.logout();
    const other = t.world.client('bob');
    await other.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(3 * S);
    await other.calling.logout();
    t.world.net.rooms.setLatency(20);
    // Bob logs in again (from kickedOut), calls, and is kicked mid-call once more.
    expect(await outcome(t.bob.calling.login({ userID: 'bob', userSig: 'sig-bob' }))).toBe('ok');
    await t.world.advance(S);
    await t.bob.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.alice.calling.accept();
    await t.world.advance(S);
    const third = t.world.client('bob');
    await third.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(3 * S);
    expect(again).not.toBeNull();
    expect(await again).toBe('ok'); // as afterHangup.test.ts's kicked-mid-call login
  });
});
