/**
 * After `hangup()` resolves the status says `idle`, while the call still leaves its room (one room
 * round trip; at most `exitTimeoutMs`, 5 s, when the room does not answer). What the user does then,
 * and what comes then, is taken as on a free line, never refused as a second call:
 * - `call()`, `groupCall()`, `joinInGroupCall()` wait for the room exit and go out;
 * - an invitation meanwhile is answered busy, as during the call (decided: see the test);
 * - `login()` from the KICKED_OUT listener mid-call waits for the kicked call to end and logs in
 *   (not if `logout()` or `destroy()` follows: the line stays out);
 * - `destroy()` meanwhile: the waiting command rejects `destroyed`, as every pending one.
 * Over the memory network, the rooms answering in 500 ms here (20 ms by default).
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: number; message?: string }) => `${e.code}: ${e.message}`);

describe('after hangup() resolved, the call still leaving its room', () => {
  const t = memoryUsers('alice', 'bob', 'carol', 'dave');

  /** Alice and Bob talking; the rooms then answer in `roomMs`; Alice hangs up (resolved: status idle). */
  async function talkingThenHangup(who: 'alice' | 'bob' = 'alice', roomMs = 500) {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    for (const p of [t.alice, t.bob, t.carol, t.dave]) p.take();
    t.world.net.rooms.setLatency(roomMs);
    await t[who].calling.hangup();
    expect(t[who].calling.getCallStatus()).toBe('idle');
    expect(t[who].calling.getSnapshot().call?.state).toBe('ending');
  }

  it('Alice call() while dialling, await hangup() (cancel), call(carol) -> it waits for the room exit and goes out', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.alice.calling.hangup();
    const again = outcome(t.alice.calling.call({ userID: 'carol', type: 2, timeout: 30 }));
    await t.world.advance(S);
    expect(await again).toBe('ok');
    expect(t.carol.take()).toEqual([ev.invited('alice', ['carol'])]);
  });

  it.each([
    ['alice', 'call', (c: TRTCCalling) => c.call({ userID: 'carol', type: 1, timeout: 30 })],
    ['bob', 'groupCall', (c: TRTCCalling) => c.groupCall({ userIDList: ['carol', 'dave'], type: 1 })],
  ] as const)('%s talking, await hangup(), then %s() -> placed once out of the room, not "already in a call"', async (who, _method, dial) => {
    await talkingThenHangup(who);
    const again = outcome(dial(t[who].calling));
    await t.world.advance(400);
    expect(t.carol.take()).toEqual([]); // still leaving the room
    await t.world.advance(S);
    expect(await again).toBe('ok');
    expect(t.carol.take()).toEqual([expect.objectContaining({ name: 'onInvited' })]);
  });

  // Decided (README): an invitation meanwhile is answered busy, as during any call. Held until the exit and
  // rung then, it could ring on a line whose room had just failed it (a property run found one ringing for
  // good after an ERROR), and a dial or a logout meanwhile would have to win over it.
  it('Carol calls Alice 100 ms after Alice hung up, while she leaves the room -> LINE_BUSY, as during the call', async () => {
    await talkingThenHangup();
    await t.world.advance(100);
    await t.carol.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await t.world.advance(S);
    expect(t.carol.take()).toEqual([ev.busy('alice', 'carol'), ev.end('carol', 'busy')]);
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup')]);
  });

  it('Bob kicked out mid-call, login() again from his KICKED_OUT listener -> it waits for the call to end, then logs in', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    let again: Promise<string> | null = null;
    t.bob.calling.on(TRTCCalling.EVENT.KICKED_OUT, () => {
      again = outcome(t.bob.calling.login({ userID: 'bob', userSig: 'sig-bob' }));
    });
    const other = t.world.client('bob');
    const elsewhere = other.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(S);
    await elsewhere;
    expect(again).not.toBeNull();
    expect(await again).toBe('ok');
  });

  it.each(['logout', 'destroy'] as const)('Bob kicked mid-call, login() then %s() from KICKED_OUT -> it settles, the line stays out, the newer login is not kicked back', async (then) => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.world.net.rooms.setLatency(500);
    let login: Promise<string> | null = null;
    let last: Promise<string> | null = null;
    t.bob.calling.on(TRTCCalling.EVENT.KICKED_OUT, () => {
      login = outcome(t.bob.calling.login({ userID: 'bob', userSig: 'sig-bob' }));
      last = outcome(t.bob.calling[then]());
    });
    const other = t.world.client('bob');
    await other.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await t.world.advance(3 * S);
    expect(await last).toBe('ok');
    expect(await login).toMatch(/logged out|destroyed/);
    expect(t.bob.calling.getSnapshot().line).toMatch(/loggedOut|kickedOut/);
    expect(other.calling.getSnapshot().line).toBe('idle');
  });

  it('destroy() while call() waits for the room exit -> call() rejects destroyed, at once', async () => {
    await talkingThenHangup();
    const again = outcome(t.alice.calling.call({ userID: 'carol', type: 2, timeout: 30 }));
    void t.alice.calling.destroy();
    expect(await again).toBe('-1203: call: destroyed');
  });
});
