/**
 * The facade's contract: bad parameters and wrong states are refused with typed errors and
 * change nothing; listeners cannot break the core; kicked out; device failures.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallingError, InvalidParameterError, InvalidStateError, TRTCCalling } from '../../src/index';
import { createMemoryNetwork } from '../../src/testing';
import { ev } from '../support/ev';
import { memoryWorld, type MemoryWorld, type Party } from '../support/world';

const S = 1000;

describe('TRTCCalling API', () => {
  let world: MemoryWorld;
  let alice: Party;
  let bob: Party;

  beforeEach(async () => {
    world = memoryWorld();
    alice = await world.user('alice');
    bob = await world.user('bob');
  });
  afterEach(() => world.dispose());

  it.each([
    ['a userID with a space', { userID: 'b ob', type: 2 }],
    ['a userID with a dot', { userID: 'bob.smith', type: 2 }],
    ['an empty userID', { userID: '', type: 2 }],
    ['type 3', { userID: 'bob', type: 3 }],
    ['type "2"', { userID: 'bob', type: '2' }],
    ['a negative timeout', { userID: 'bob', type: 2, timeout: -1 }],
    ['an infinite timeout', { userID: 'bob', type: 2, timeout: Infinity }],
    ['no parameters', undefined],
    ['yourself', { userID: 'alice', type: 2 }],
  ])('call() with %s -> InvalidParameterError, nothing sent', async (_, params) => {
    const error = await alice.calling.call(params as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as CallingError).code).toBe(-1202);
    await world.advance(S);
    expect(world.net.im.log).toEqual([]);
    expect(alice.take()).toEqual([]);
    // And the line is still free.
    await alice.calling.call({ userID: 'bob', type: 2 });
  });

  it.each([
    ['an empty userIDList', { userIDList: [], type: 2 }],
    ['a bad userID in the list', { userIDList: ['bob', 'c@rol'], type: 2 }],
    ['a repeated user', { userIDList: ['bob', 'bob'], type: 2 }],
    ['not an array', { userIDList: 'bob', type: 2 }],
    ['type 0', { userIDList: ['bob'], type: 0 }],
  ])('groupCall() with %s -> InvalidParameterError, nothing sent', async (_, params) => {
    await expect(alice.calling.groupCall(params as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await world.advance(S);
    expect(world.net.im.log).toEqual([]);
  });

  it('other methods validate too', async () => {
    await expect(alice.calling.login({ userID: 'x y', userSig: 's' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.login({ userID: 'x', userSig: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.setMicMute('yes' as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.reject({ isBusy: 1 } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.accept({ inviteID: 7 } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    expect(() => alice.calling.on('onNothing' as never, () => undefined)).toThrow(InvalidParameterError);
    expect(() => alice.calling.on('onInvited', 'cb' as never)).toThrow(InvalidParameterError);
    expect(() => new TRTCCalling({ SDKAppID: 0, backend: world.net.backend() })).toThrow(InvalidParameterError);
  });

  it('calls in the wrong state are refused with InvalidStateError saying why', async () => {
    const stranger = new TRTCCalling({ SDKAppID: 1, backend: world.net.backend() });
    await expect(stranger.call({ userID: 'bob', type: 2 })).rejects.toThrow(/not logged in/);
    await expect(alice.calling.accept()).rejects.toThrow(/no invitation is ringing/);
    await expect(alice.calling.hangup()).rejects.toThrow(/not in a call/);
    await expect(alice.calling.openCamera()).rejects.toThrow(/not in a call/);
    await expect(alice.calling.startLocalView({ userID: 'alice', videoViewDomID: 'v' })).rejects.toThrow(/not in a call/);
    await expect(alice.calling.login({ userID: 'alice', userSig: 's' })).rejects.toThrow(/already logged in/);
    await alice.calling.call({ userID: 'bob', type: 1 });
    await expect(alice.calling.call({ userID: 'bob', type: 1 })).rejects.toThrow(/already in a call/);
    await expect(alice.calling.openCamera()).rejects.toThrow(/audio call has no camera/);
    await world.advance(S);
    await expect(bob.calling.hangup()).rejects.toThrow(/use reject\(\)/);
    await expect(bob.calling.accept({ inviteID: 'not-this-one' })).rejects.toBeInstanceOf(InvalidStateError);
    await expect(bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'v' })).rejects.toThrow(/not in the call/);
    stranger.destroy();
  });

  it('a listener that throws is reported through ERROR and the call goes on', async () => {
    bob.calling.on('onInvited', () => {
      throw new Error('UI bug');
    });
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(65535)]);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
  });

  it('on(name, cb, context) calls cb with context as this; off(name, cb, context) removes exactly that one', async () => {
    const seen: string[] = [];
    const ui = { label: 'ui', handle(this: { label: string }) { seen.push(this.label); } };
    const other = { label: 'other' };
    bob.calling.on('onInvited', ui.handle, ui);
    bob.calling.on('onInvited', ui.handle, other);
    bob.calling.off('onInvited', ui.handle, other);
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    expect(seen).toEqual(['ui']);
  });

  it('views render through the room: local, and remote for a member only', async () => {
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    await bob.calling.startLocalView({ userID: 'bob', videoViewDomID: 'me' });
    await bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    expect(world.net.rooms.views('bob')).toEqual([
      { kind: 'local', userID: 'bob', domID: 'me' },
      { kind: 'remote', userID: 'alice', domID: 'them' },
    ]);
    await bob.calling.stopRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    expect(world.net.rooms.views('bob')).toEqual([{ kind: 'local', userID: 'bob', domID: 'me' }]);
  });

  it('a second login of Alice elsewhere -> the first gets KICKED_OUT then CALL_END; Bob is left alone and ends', async () => {
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    alice.take();
    bob.take();
    const alice2 = await world.user('alice');
    await world.advance(S);
    expect(alice.take()).toEqual([ev.kicked('multipleAccount'), ev.end('alice', 'kickedOut')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    // Bob's "last one out" hangup reaches the new session, which has no call: nothing happens.
    expect(alice2.take()).toEqual([]);
    await expect(alice.calling.call({ userID: 'bob', type: 2 })).rejects.toBeInstanceOf(InvalidStateError);
    await alice.calling.login({ userID: 'alice', userSig: 'again' });
  });

  it('no camera -> openCamera() rejects with 60004 and ERROR 60004; the call goes on', async () => {
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    await bob.calling.closeCamera();
    await world.advance(S);
    alice.take();
    bob.take();
    world.net.rooms.setDevices('bob', { camera: false });
    const error = await bob.calling.openCamera().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallingError);
    expect((error as CallingError).code).toBe(60004);
    expect(bob.take()).toEqual([ev.error(60004)]);
    await alice.calling.hangup();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it('no microphone when accepting -> ERROR 60003, the caller is told (REJECT), CALL_END', async () => {
    world.net.rooms.setDevices('bob', { microphone: false });
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(60003), ev.end('alice', 'error', 0)]);
    expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
  });

  it('logout() during a call ends it (CALL_END) before logging out', async () => {
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    alice.take();
    bob.take();
    const done = bob.calling.logout();
    await world.advance(S);
    await done;
    expect(bob.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
    await expect(bob.calling.accept()).rejects.toThrow(/not logged in/);
  });

  it('a plain script on real time works with no clock given', async () => {
    const net = createMemoryNetwork({ latency: 1 });
    const a = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const b = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const invited = new Promise<string>((resolve) => b.on('onInvited', (p) => resolve(p.sponsor)));
    await a.login({ userID: 'a', userSig: 's' });
    await b.login({ userID: 'b', userSig: 's' });
    await a.call({ userID: 'b', type: 1 });
    expect(await invited).toBe('a');
    a.destroy();
    b.destroy();
  });
});
