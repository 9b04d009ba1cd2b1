/**
 * The framework-neutral store: getSnapshot() / subscribe() follow the call, and the view is a
 * new object only when it changed (what useSyncExternalStore needs).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryWorld, type MemoryWorld, type Party } from '../support/world';

const S = 1000;

describe('store: getSnapshot() and subscribe()', () => {
  let world: MemoryWorld;
  let alice: Party;
  let bob: Party;

  beforeEach(async () => {
    world = memoryWorld();
    alice = await world.user('alice');
    bob = await world.user('bob');
  });
  afterEach(() => world.dispose());

  it('follows a call from dialing to idle, with participants and their media', async () => {
    expect(alice.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'alice', call: null });
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    expect(alice.calling.getSnapshot().call).toMatchObject({
      role: 'caller',
      state: 'dialing',
      sponsor: 'alice',
      callType: 2,
      invitees: [{ userID: 'bob', status: 'pending' }],
      participants: [],
      local: { camera: true, micMuted: false },
    });
    expect(alice.calling.getSnapshot().line).toBe('busy');
    await world.advance(S);
    expect(bob.calling.getSnapshot().call).toMatchObject({ role: 'callee', state: 'ringing', sponsor: 'alice' });
    await bob.calling.accept();
    await world.advance(S);
    await bob.calling.closeCamera();
    await world.advance(S);
    expect(alice.calling.getSnapshot().call).toMatchObject({
      state: 'inCall',
      invitees: [{ userID: 'bob', status: 'joined' }],
      participants: [{ userID: 'bob', audio: true, video: false }],
    });
    expect(bob.calling.getSnapshot().call).toMatchObject({ state: 'inCall', local: { camera: false, micMuted: false } });
    await alice.calling.hangup();
    await world.advance(S);
    expect(alice.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'alice', call: null });
    expect(bob.calling.getSnapshot()).toEqual({ line: 'idle', userID: 'bob', call: null });
  });

  it('notifies subscribers on change only, and the view keeps its identity while nothing changes', async () => {
    let notified = 0;
    const unsubscribe = bob.calling.subscribe(() => {
      notified += 1;
    });
    const before = bob.calling.getSnapshot();
    await world.advance(10 * S);
    expect(notified).toBe(0);
    expect(bob.calling.getSnapshot()).toBe(before);
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(S);
    expect(notified).toBeGreaterThan(0);
    const ringing = bob.calling.getSnapshot();
    expect(ringing).not.toBe(before);
    expect(Object.isFrozen(ringing)).toBe(true);
    unsubscribe();
    const count = notified;
    await bob.calling.reject();
    await world.advance(S);
    expect(notified).toBe(count);
  });

  it('a subscriber that throws is reported through ERROR and changes nothing else', async () => {
    bob.calling.subscribe(() => {
      throw new Error('render bug');
    });
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(S);
    const names = bob.take().map((e) => e.name);
    expect(names).toContain('onInvited');
    expect(names).toContain('onError');
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take().map((e) => e.name)).toEqual(['onUserAccept', 'onUserEnter', 'onUserAudioAvailable']);
  });
});
