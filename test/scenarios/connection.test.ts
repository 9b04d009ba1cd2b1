/**
 * The IM connection reaches the app (issue 11): a lost connection is SDK_NOT_READY and the
 * snapshot's `connection` says `reconnecting` or `disconnected`; its return is SDK_READY and
 * `connected`. A call goes on meanwhile. Over the memory network and the tencent fakes (the
 * embedded server's reconnects: test/adapters/ws/reconnect.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';
import { tencentWorld } from '../tencent/tencentWorld';

const S = 1000;

describe('connection state over the memory network', () => {
  const t = memoryUsers('alice', 'bob');

  it('Alice logs in -> connected; logs out -> disconnected, no SDK_NOT_READY', async () => {
    expect(t.alice.calling.getSnapshot().connection).toBe('connected');
    await t.alice.calling.logout();
    expect(t.alice.calling.getSnapshot()).toMatchObject({ line: 'loggedOut', connection: 'disconnected' });
    expect(t.alice.take()).toEqual([]);
  });

  it('Alice\'s network goes down mid-call and comes back -> SDK_NOT_READY, disconnected; SDK_READY, connected; the call goes on and ends normally', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    t.world.net.im.setReachable('alice', false);
    expect(t.alice.take()).toEqual([ev.notReady()]);
    expect(t.alice.calling.getSnapshot()).toMatchObject({ connection: 'disconnected', line: 'busy', call: { state: 'inCall' } });
    // Down again (no change) reports nothing more.
    t.world.net.im.setReachable('alice', false);
    await t.world.advance(2 * S);
    t.world.net.im.setReachable('alice', true);
    expect(t.alice.take()).toEqual([ev.ready()]);
    expect(t.alice.calling.getSnapshot().connection).toBe('connected');
    expect(t.bob.take()).toEqual([]);
    await t.bob.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
  });

  // The call is over when its last signal fails to go: ERROR is all that says the others did not hear it.
  it("Bob's network down while he rings, reject() -> his decline cannot go: ERROR (Alice rings on to NO_RESP)", async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    t.bob.take();
    t.world.net.im.setReachable('bob', false);
    await t.bob.calling.reject();
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.notReady(), ev.error(expect.any(Number))]);
  });

  it("Alice's network down while she dials, hangup() -> her cancel cannot go: CALL_END cancelled, then ERROR", async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    t.alice.take();
    t.world.net.im.setReachable('alice', false);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    const saw = t.alice.take();
    expect(saw).toContainEqual(ev.error(expect.any(Number)));
    expect(saw).toContainEqual(ev.end('alice', 'cancelled'));
  });

  it('while Alice is down, Bob\'s invitation waits; back, it rings', async () => {
    t.world.net.im.setReachable('alice', false);
    await t.bob.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.notReady()]);
    t.world.net.im.setReachable('alice', true);
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.ready(), ev.invited('bob', ['alice'])]);
  });
});

describe('connection state over the tencent fakes (TIM NET_STATE_CHANGE)', () => {
  it('TIM connecting, then connected -> SDK_NOT_READY, reconnecting; SDK_READY, connected; disconnected -> SDK_NOT_READY once', async () => {
    const world = tencentWorld();
    try {
      const alice = await world.user('alice');
      expect(alice.calling.getSnapshot().connection).toBe('connected');
      alice.tim.netState('connecting');
      expect(alice.take()).toEqual([ev.notReady()]);
      expect(alice.calling.getSnapshot().connection).toBe('reconnecting');
      alice.tim.netState('disconnected');
      expect(alice.take()).toEqual([]);
      expect(alice.calling.getSnapshot().connection).toBe('disconnected');
      alice.tim.netState('connected');
      expect(alice.take()).toEqual([ev.ready()]);
      expect(alice.calling.getSnapshot().connection).toBe('connected');
      alice.tim.netState('connected');
      alice.tim.netState('disconnected');
      expect(alice.take()).toEqual([ev.notReady()]);
    } finally {
      await world.dispose();
    }
  });
});
