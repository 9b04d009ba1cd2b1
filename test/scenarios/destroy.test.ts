/**
 * `destroy()` over the memory network: it ends what the instance started (hangs up, cancels
 * while dialling, declines while ringing), leaves the room, logs out, settles every pending
 * promise, refuses everything after it at once, and emits nothing more. Virtual time.
 */
import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

/**
 * A promise's outcome after the microtasks ran, without waiting for it (no clock moves). Ten turns: a
 * destroy() with nothing to wait for awaits the room's dispose and the backend's, a turn or two each.
 */
async function outcome(p: Promise<unknown>): Promise<'resolved' | 'pending' | string> {
  let state: string = 'pending';
  p.then(
    () => (state = 'resolved'),
    (e: unknown) => (state = e instanceof InvalidStateError ? `InvalidStateError: ${e.message}` : `rejected: ${String(e)}`),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return state;
}

describe('destroy()', () => {
  const t = memoryUsers('alice', 'bob');

  async function talking() {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  }

  it('Alice and Bob talking, Alice destroy() -> Bob USER_LEAVE, CALL_END within 2 s; Alice out of the room and the IM; nothing more for Alice', async () => {
    await talking();
    const roomID = t.alice.calling.getSnapshot().call?.roomID ?? -1;
    const done = t.alice.calling.destroy();
    expect(t.alice.calling.destroy()).toBe(done);
    await t.world.advance(2 * S);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 1)]);
    expect(t.alice.take()).toEqual([]);
    expect(await outcome(done)).toBe('resolved');
    expect(t.world.net.rooms.members(roomID)).toEqual([]);
    expect(t.world.net.im.isOnline('alice')).toBe(false);
    expect(t.alice.calling.getSnapshot()).toMatchObject({ line: 'loggedOut', call: null });
  });

  it("Alice and Bob talking, await Alice's hangup(), then destroy() before the room exit is done -> Alice's CALL_END, told once, as destroy() begins; nothing after (a newcomer's app lost it)", async () => {
    await talking();
    await t.alice.calling.hangup();
    expect(t.alice.calling.getCallStatus()).toBe('idle');
    expect(t.alice.take()).toEqual([]); // CALL_END waits for the room exit
    let asked: Promise<unknown> | null = null;
    t.alice.calling.on('onCallEnd', () => (asked = t.alice.calling.call({ userID: 'bob', type: 1 }).catch((e: unknown) => (e as Error).message)));
    const done = t.alice.calling.destroy();
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup', 1)]);
    expect(await asked).toBe('call: destroyed'); // its listener ran inside destroy(), already refused
    await t.world.advance(2 * S);
    expect(t.alice.take()).toEqual([]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 1)]);
    expect(await outcome(done)).toBe('resolved');
  });

  it('Alice dialling Bob, Alice destroy() -> Bob CALLING_CANCEL within 2 s', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    const done = t.alice.calling.destroy();
    await t.world.advance(2 * S);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.cancelled('alice')]);
    expect(t.alice.take()).toEqual([]);
    expect(await outcome(done)).toBe('resolved');
    expect(t.world.net.im.isOnline('alice')).toBe(false);
  });

  it('Bob ringing, Bob destroy() -> Alice REJECT, CALL_END rejected', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    void t.bob.calling.destroy();
    await t.world.advance(2 * S);
    expect(t.alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'])]);
  });

  // The REJECT of a hangup while entering waits for the room exit (callMachine's holdReject): a
  // page closed meanwhile never sends it, but the room shows Bob come and go, which ends the call.
  it('Bob accept(), hangup() while entering the room and destroy() at once (the page closes) -> Alice sees him come and go, CALL_END within 2 s, not at her timeout', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    void t.bob.calling.accept().catch(() => undefined);
    for (let i = 0; i < 20 && t.bob.calling.getSnapshot().call?.state !== 'accepting'; i++) await Promise.resolve();
    expect(t.bob.calling.getSnapshot().call?.state).toBe('accepting');
    await t.bob.calling.hangup();
    void t.bob.calling.destroy();
    await t.world.advance(2 * S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob'), ev.leave('bob'), ev.end('alice', 'hangup', 0)]);
  });

  it('every pending promise settles at destroy(), and every later call rejects at once with InvalidStateError "destroyed"', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    const logout = t.alice.calling.logout(); // settles only once the call has ended
    expect(await outcome(logout)).toBe('pending');
    void t.alice.calling.destroy();
    expect(await outcome(logout)).toBe('InvalidStateError: logout: destroyed');
    const calls: Array<[string, Promise<unknown>]> = [
      ['login', t.alice.calling.login({ userID: 'alice', userSig: 's' })],
      ['call', t.alice.calling.call({ userID: 'bob', type: 2 })],
      ['groupCall', t.alice.calling.groupCall({ userIDList: ['bob'], type: 2 })],
      ['accept', t.alice.calling.accept()],
      ['reject', t.alice.calling.reject()],
      ['hangup', t.alice.calling.hangup()],
      ['openCamera', t.alice.calling.openCamera()],
      ['setMicMute', t.alice.calling.setMicMute(true)],
      ['startLocalView', t.alice.calling.startLocalView({ userID: 'alice', videoViewDomID: 'me' })],
      ['startRemoteView', t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'bob' })],
    ];
    const outcomes = await Promise.all(calls.map(async ([name, p]) => [name, await outcome(p)]));
    expect(outcomes).toEqual(calls.map(([name]) => [name, `InvalidStateError: ${name}: destroyed`]));
  });

  it('a login in flight settles at destroy() (rejected), and the IM session it opened is closed', async () => {
    const carol = t.world.client('carol');
    const login = carol.calling.login({ userID: 'carol', userSig: 's' });
    const done = carol.calling.destroy();
    expect(await outcome(login)).toBe('InvalidStateError: login: destroyed');
    await t.world.advance(S);
    expect(await outcome(done)).toBe('resolved');
    expect(t.world.net.im.isOnline('carol')).toBe(false);
    expect(carol.take()).toEqual([]);
  });

  it('destroy() of an instance that never logged in resolves at once', async () => {
    const dave = t.world.client('dave');
    expect(await outcome(dave.calling.destroy())).toBe('resolved');
  });
});
