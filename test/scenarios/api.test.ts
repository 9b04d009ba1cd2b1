/**
 * The facade's contract: bad parameters and wrong states are refused with typed errors and
 * change nothing; listeners cannot break the core; kicked out; device failures.
 */
import { describe, expect, it } from 'vitest';
import { CallingError, InvalidParameterError, InvalidStateError, TRTCCalling } from '../../src/index';
import { RoomPortError } from '../../adapters/RoomPort';
import { captureEvents, createMemoryNetwork } from '../../src/testing';
import { ev } from '../support/ev';
import { answeredCall, memoryUsers } from '../support/world';

const S = 1000;

describe('TRTCCalling API', () => {
  const t = memoryUsers('alice', 'bob');

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
    const error = await t.alice.calling.call(params as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as CallingError).code).toBe(-1202);
    await t.world.advance(S);
    expect(t.world.net.im.log).toEqual([]);
    expect(t.alice.take()).toEqual([]);
    // And the line is still free.
    await t.alice.calling.call({ userID: 'bob', type: 2 });
  });

  it.each([
    ['an empty userIDList', { userIDList: [], type: 2 }],
    ['a bad userID in the list', { userIDList: ['bob', 'c@rol'], type: 2 }],
    ['a repeated user', { userIDList: ['bob', 'bob'], type: 2 }],
    ['not an array', { userIDList: 'bob', type: 2 }],
    ['type 0', { userIDList: ['bob'], type: 0 }],
    ['a numeric groupID', { userIDList: ['bob'], type: 2, groupID: 7 }],
  ])('groupCall() with %s -> InvalidParameterError, nothing sent', async (_, params) => {
    await expect(t.alice.calling.groupCall(params as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await t.world.advance(S);
    expect(t.world.net.im.log).toEqual([]);
  });

  it('stopRemoteView({ userID }) / stopLocalView({ userID }) without videoViewDomID -> the video stops wherever it plays, as trtc-calling-js (it needs only the user)', async () => {
    await answeredCall(t.world, t.alice, t.bob, 2);
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' });
    await t.alice.calling.startLocalView({ userID: 'alice', videoViewDomID: 'local' });
    await t.alice.calling.stopRemoteView({ userID: 'bob' });
    expect(t.world.net.rooms.views('alice')).toEqual([{ kind: 'local', userID: 'alice', domID: 'local' }]);
    await t.alice.calling.stopLocalView({ userID: 'alice' });
    expect(t.world.net.rooms.views('alice')).toEqual([]);
    await expect(t.alice.calling.stopRemoteView({ userID: 'bob', videoViewDomID: '' })).rejects.toBeInstanceOf(InvalidParameterError);
  });

  it('an element id naming no element -> InvalidParameterError (-1202) with the room\'s refusal as its cause, and the call goes on', async () => {
    // The memory room has no DOM: this room refuses the id 'nowhere' as the WebRTC and Tencent rooms refuse an id
    // naming no element (test/adapters/webrtc/views.test.ts).
    const backend = t.world.net.backend();
    const refuse = (domID: string) => {
      if (domID === 'nowhere') throw new RoomPortError(-1202, 'no element with id "nowhere"', 'invalidParameter');
    };
    const { room } = backend;
    const [startLocal, startRemote] = [room.startLocalView.bind(room), room.startRemoteView.bind(room)];
    room.startLocalView = async (domID) => (refuse(domID), startLocal(domID));
    room.startRemoteView = async (userID, domID) => (refuse(domID), startRemote(userID, domID));
    const carol = t.world.client('carol', backend);
    await carol.calling.login({ userID: 'carol', userSig: 'sig-carol' });
    await answeredCall(t.world, t.alice, carol, 2);
    for (const start of [
      () => carol.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'nowhere' }),
      () => carol.calling.startLocalView({ userID: 'carol', videoViewDomID: 'nowhere' }),
    ]) {
      const error = await start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidParameterError);
      expect(error).toMatchObject({ code: -1202, reason: 'invalidParameter', cause: { name: 'RoomPortError', code: -1202 } });
      expect((error as Error).message).toMatch(/^start(Remote|Local)View: no element with id "nowhere"$/);
    }
    await carol.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    expect(carol.calling.getCallStatus()).toBe('connected');
  });

  it('groupCall() with groupID null -> a call without an IM group, as trtc-calling-js takes any falsy groupID', async () => {
    const result = await t.alice.calling.groupCall({ userIDList: ['bob'], type: 1, groupID: null });
    expect(result).toMatchObject({ code: 0, groupID: '', data: [{ code: 0, userID: 'bob' }] });
    await t.world.advance(S);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('ringing');
  });

  it('other methods validate too', async () => {
    await expect(t.alice.calling.login({ userID: 'x y', userSig: 's' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(t.alice.calling.login({ userID: 'x', userSig: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(t.alice.calling.setMicMute('yes' as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(t.alice.calling.reject({ isBusy: 1 } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(t.alice.calling.accept({ inviteID: 7 } as never)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: '' })).rejects.toBeInstanceOf(InvalidParameterError);
    expect(() => t.alice.calling.on('onNothing' as never, () => undefined)).toThrow(InvalidParameterError);
    expect(() => t.alice.calling.on('onInvited', 'cb' as never)).toThrow(InvalidParameterError);
    expect(() => new TRTCCalling({ SDKAppID: 0, backend: t.world.net.backend() })).toThrow(InvalidParameterError);
  });

  it('hangup() with no call to end resolves and does nothing: logged out, idle, again after the call ended', async () => {
    const stranger = new TRTCCalling({ SDKAppID: 1, backend: t.world.net.backend() });
    const events = captureEvents(stranger);
    await expect(stranger.hangup()).resolves.toBeUndefined();
    await expect(t.alice.calling.hangup()).resolves.toBeUndefined();
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await Promise.all([t.alice.calling.hangup(), t.alice.calling.hangup()]);
    await t.world.advance(S);
    await expect(t.alice.calling.hangup()).resolves.toBeUndefined();
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true), ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ev.enter('alice'), ev.audio('alice', true), ev.leave('alice'), ev.end('alice', 'hangup')]);
    expect(events.log).toEqual([]);
    stranger.destroy();
  });

  // As trtc-calling-js 1.0.6's do (found by the API review of 2026-12-04): Decline tapped as the caller
  // cancels, Accept tapped twice, reject() in a connected call; an app written for it never catches there.
  it('accept() and reject() with no invitation ringing resolve and do nothing: idle, after the caller cancelled, a second accept, in a call', async () => {
    await expect(t.alice.calling.accept()).resolves.toBeUndefined();
    await expect(t.alice.calling.reject()).resolves.toBeUndefined();
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    const { inviteID } = t.bob.calling.getSnapshot().call ?? { inviteID: '' };
    await t.alice.calling.hangup();
    await t.world.advance(S);
    await expect(t.bob.calling.reject({ inviteID })).resolves.toBeUndefined();
    t.alice.take();
    t.bob.take();
    await expect(t.alice.calling.accept()).resolves.toBeUndefined(); // Alice's own dial: nothing of hers rings
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await expect(t.alice.calling.accept()).resolves.toBeUndefined();
    const [first, second] = await Promise.all([t.bob.calling.accept(), t.bob.calling.accept()]);
    // The one that answered resolves with the invitation, the other with nothing (as trtc-calling-js's).
    expect([first, second]).toEqual([{ code: 0, inviteID: expect.any(String), roomID: expect.any(Number), callType: 1 }, undefined]);
    await t.world.advance(S);
    await expect(t.bob.calling.reject()).resolves.toBeUndefined();
    await expect(t.bob.calling.accept()).resolves.toBeUndefined();
    await t.world.advance(S);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('inCall');
    expect(t.alice.take().map((e) => e.name)).toEqual(['onUserAccept', 'onUserEnter', 'onUserAudioAvailable']);
    expect(t.bob.take().map((e) => e.name)).toEqual(['onInvited', 'onUserEnter', 'onUserAudioAvailable']);
  });

  it('calls in the wrong state are refused with InvalidStateError saying why', async () => {
    const stranger = new TRTCCalling({ SDKAppID: 1, backend: t.world.net.backend() });
    await expect(stranger.call({ userID: 'bob', type: 2 })).rejects.toThrow(/not logged in/);
    await expect(t.alice.calling.openCamera()).rejects.toThrow(/not in a call/);
    await expect(stranger.startLocalView({ userID: 'alice', videoViewDomID: 'v' })).rejects.toThrow(/not logged in/);
    // Again as herself with her userSig: done, as TIM answers a repeated login under trtc-calling-js (a remounted
    // component); with another userSig: refused (the backend would go on with the first); as another user: refused.
    await expect(t.alice.calling.login({ userID: 'alice', userSig: 'sig-alice' })).resolves.toEqual({ code: 0 });
    await expect(t.alice.calling.login({ userID: 'alice', userSig: 'sig-alice-renewed' })).rejects.toThrow(/another userSig: logout\(\) first/);
    await expect(t.alice.calling.login({ userID: 'mallory', userSig: 's' })).rejects.toThrow(/already logged in/);
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await expect(t.alice.calling.call({ userID: 'bob', type: 1 })).rejects.toThrow(/already in a call/);
    await expect(t.alice.calling.openCamera()).rejects.toThrow(/audio call has no camera/);
    await t.world.advance(S);
    await expect(t.bob.calling.hangup()).rejects.toThrow(/use reject\(\)/);
    await expect(t.bob.calling.accept({ inviteID: 'not-this-one' })).rejects.toBeInstanceOf(InvalidStateError);
    stranger.destroy();
  });

  it('a listener that throws is reported through ERROR and the call goes on', async () => {
    t.bob.calling.on('onInvited', () => {
      throw new Error('UI bug');
    });
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(65535)]);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
  });

  it('on(name, cb, context) calls cb with context as this; off(name, cb, context) removes exactly that one', async () => {
    const seen: string[] = [];
    const ui = { label: 'ui', handle(this: { label: string }) { seen.push(this.label); } };
    const other = { label: 'other' };
    t.bob.calling.on('onInvited', ui.handle, ui);
    t.bob.calling.on('onInvited', ui.handle, other);
    t.bob.calling.off('onInvited', ui.handle, other);
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    expect(seen).toEqual(['ui']);
  });

  // As trtc-calling-js 1.0.6 does (its `on` stores `context || this`; its emitter's `off` matches by
  // callback, and with no callback removes every listener): found by the API review of 2026-12-04.
  it('on(name, cb, context) then off(name, cb) (no context) removes it, every copy; off(name) removes every listener of the event, and throws nothing', async () => {
    const seen: string[] = [];
    const ui = { label: 'ui', handle(this: { label: string }) { seen.push(this.label); } };
    t.bob.calling.on('onInvited', ui.handle, ui);
    t.bob.calling.on('onInvited', ui.handle, { label: 'again' });
    t.bob.calling.off('onInvited', ui.handle);
    t.bob.calling.on('onCallEnd', () => seen.push('end 1'));
    t.bob.calling.on('onCallEnd', () => seen.push('end 2'));
    expect(() => t.bob.calling.off('onCallEnd')).not.toThrow();
    t.bob.calling.on('onInvited', () => seen.push('kept'));
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(seen).toEqual(['kept']);
  });

  it('a listener added without a context runs with the TRTCCalling instance as this, as in trtc-calling-js', async () => {
    let self: unknown;
    t.bob.calling.on('onInvited', function (this: unknown) {
      self = this;
    });
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    expect(self).toBe(t.bob.calling);
  });

  /** Alice video-calls Bob, he accepts and shows his camera (`me`) and Alice (`them`). */
  async function bobShowsViews() {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.bob.calling.startLocalView({ userID: 'bob', videoViewDomID: 'me' });
    await t.bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'them' });
  }

  it('views render through the room: local, and remote for a member only', async () => {
    await bobShowsViews();
    expect(t.world.net.rooms.views('bob')).toEqual([
      { kind: 'local', userID: 'bob', domID: 'me' },
      { kind: 'remote', userID: 'alice', domID: 'them' },
    ]);
    await t.bob.calling.stopRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    expect(t.world.net.rooms.views('bob')).toEqual([{ kind: 'local', userID: 'bob', domID: 'me' }]);
  });

  it('stopLocalView() / stopRemoteView() once the call is over (an app cleaning up its screen after CALL_END) -> resolve, the views go', async () => {
    await bobShowsViews();
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.bob.calling.getSnapshot().call).toBeNull();
    await t.bob.calling.stopLocalView({ userID: 'bob', videoViewDomID: 'me' });
    await t.bob.calling.stopRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    expect(t.world.net.rooms.views('bob')).toEqual([]);
  });

  it('a second login of Alice elsewhere -> the first gets KICKED_OUT then CALL_END; Bob is left alone and ends', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    const alice2 = await t.world.user('alice');
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.kicked('multipleAccount'), ev.end('alice', 'kickedOut')]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    // Bob's "last one out" hangup reaches the new session, which has no call: nothing happens.
    expect(alice2.take()).toEqual([]);
    await expect(t.alice.calling.call({ userID: 'bob', type: 2 })).rejects.toBeInstanceOf(InvalidStateError);
    await t.alice.calling.login({ userID: 'alice', userSig: 'again' });
  });

  it('no camera -> openCamera() rejects with 60004 and ERROR 60004; the call goes on', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.bob.calling.closeCamera();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    t.world.net.rooms.setDevices('bob', { camera: false });
    const error = await t.bob.calling.openCamera().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallingError);
    expect((error as CallingError).code).toBe(60004);
    expect(t.bob.take()).toEqual([ev.error(60004)]);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it('no microphone when accepting -> accept() rejects with 60003 (and ERROR) before anything is sent; still ringing, Bob can reject', async () => {
    t.world.net.rooms.setDevices('bob', { microphone: false });
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    const error = await t.bob.calling.accept().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallingError);
    expect((error as CallingError).code).toBe(60003);
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(60003)]);
    expect(t.alice.take()).toEqual([]);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('ringing');
    await t.bob.calling.reject();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
  });

  it('no camera for a video call -> call() rejects with 60004 (and ERROR); nobody is invited', async () => {
    t.world.net.rooms.setDevices('alice', { camera: false });
    const error = await t.alice.calling.call({ userID: 'bob', type: 2 }).catch((e: unknown) => e);
    expect((error as CallingError).code).toBe(60004);
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.error(60004)]);
    expect(t.bob.take()).toEqual([]);
    expect(t.world.net.im.log).toEqual([]);
    // An audio call needs no camera.
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
  });

  it('logout() during a call ends it (CALL_END) before logging out', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    const done = t.bob.calling.logout();
    await t.world.advance(S);
    await done;
    expect(t.bob.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(t.alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
    await expect(t.bob.calling.accept()).resolves.toBeUndefined(); // nothing rings: nothing to do, as trtc-calling-js
    await expect(t.bob.calling.call({ userID: 'alice', type: 1 })).rejects.toThrow(/not logged in/);
  });

  it('logout() while dialing withdraws the dial as hangup() does: Bob hears CALLING_CANCEL, Alice CALL_END cancelled (it said hangup, a member leaving)', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    const done = t.alice.calling.logout();
    await t.world.advance(S);
    await done;
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(t.bob.take()).toEqual([ev.cancelled('alice')]);
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
