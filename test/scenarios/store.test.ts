/**
 * The framework-neutral store: getSnapshot() / subscribe() follow the call, and the view is a
 * new object only when it changed (what useSyncExternalStore needs).
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('store: getSnapshot() and subscribe()', () => {
  const t = memoryUsers('alice', 'bob');

  it('follows a call from dialing to idle, with participants and their media', async () => {
    expect(t.alice.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'alice', connection: 'connected', call: null });
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    expect(t.alice.calling.getSnapshot().call).toMatchObject({
      role: 'caller',
      state: 'dialing',
      sponsor: 'alice',
      callType: 2,
      invitees: [{ userID: 'bob', status: 'pending' }],
      participants: [],
      local: { camera: true, micMuted: false },
    });
    expect(t.alice.calling.getSnapshot().line).toBe('busy');
    await t.world.advance(S);
    expect(t.bob.calling.getSnapshot().call).toMatchObject({ role: 'callee', state: 'ringing', sponsor: 'alice' });
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.bob.calling.closeCamera();
    await t.world.advance(S);
    expect(t.alice.calling.getSnapshot().call).toMatchObject({
      state: 'inCall',
      invitees: [{ userID: 'bob', status: 'joined' }],
      participants: [{ userID: 'bob', audio: true, video: false }],
    });
    expect(t.bob.calling.getSnapshot().call).toMatchObject({ state: 'inCall', local: { camera: false, micMuted: false } });
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'alice', connection: 'connected', call: null });
    expect(t.bob.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'bob', connection: 'connected', call: null });
  });

  it('notifies subscribers on change only, and the view keeps its identity while nothing changes', async () => {
    let notified = 0;
    const unsubscribe = t.bob.calling.subscribe(() => {
      notified += 1;
    });
    const before = t.bob.calling.getSnapshot();
    await t.world.advance(10 * S);
    expect(notified).toBe(0);
    expect(t.bob.calling.getSnapshot()).toBe(before);
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    expect(notified).toBeGreaterThan(0);
    const ringing = t.bob.calling.getSnapshot();
    expect(ringing).not.toBe(before);
    expect(Object.isFrozen(ringing)).toBe(true);
    unsubscribe();
    const count = notified;
    await t.bob.calling.reject();
    await t.world.advance(S);
    expect(notified).toBe(count);
  });

  it('a subscriber that throws is reported through ERROR and changes nothing else', async () => {
    t.bob.calling.subscribe(() => {
      throw new Error('render bug');
    });
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    const names = t.bob.take().map((e) => e.name);
    expect(names).toContain('onInvited');
    expect(names).toContain('onError');
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take().map((e) => e.name)).toEqual(['onUserAccept', 'onUserEnter', 'onUserAudioAvailable']);
  });

  it('a subscriber that throws a TypeError -> ERROR names it as String() does ("TypeError: ..."), as before 2026-12-05', async () => {
    // 43eff5f read it as a port's failure (its message alone): the class name was lost from ERROR's msg.
    let once = true;
    t.bob.calling.subscribe(() => {
      if (once) {
        once = false;
        throw new TypeError("Cannot read properties of undefined (reading 'userID')");
      }
    });
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    const errors = t.bob.take().filter((e) => e.name === 'onError');
    expect(errors.map((e) => e.payload)).toEqual([{ code: 65535, msg: "a store subscriber threw: TypeError: Cannot read properties of undefined (reading 'userID')" }]);
  });
});
