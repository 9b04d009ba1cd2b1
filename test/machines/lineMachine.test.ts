/**
 * lineMachine: login, the busy policy, routing to the live call, which invites may ring.
 *
 * Tier 1 drives the machine with XState's pure `transition` and asserts the state and the
 * returned actions (requests to `im`, events to the `call` child, emitted notices). The call
 * child is created but never started there, so its end is delivered as the done event the
 * line would get. Tier 2 (last block) runs the line with the real call machine on a
 * `SimulatedClock` for the paths where the call's own ending matters. (Tier 1's steps: `lineSteps.ts`;
 * the late accepts that crossed our cancel: `lineMachine.lateAccept.test.ts`.)
 */
import { describe, expect, it } from 'vitest';
import { initialTransition } from 'xstate';
import { type LineEvent, lineMachine } from '../../machines/lineMachine';
import { callDone, callerInput, calleeInput, cmd, im, out, rm, startLine, steps } from '../support/machineHarness';
import { dialling, emit, ONLINE, online, refused, run, sendFailed, settled, settledNothing, toCall, toIm } from './lineSteps';

describe('lineMachine: login', () => {
  it('starts loggedOut with the im and room bridges invoked', () => {
    const [snapshot, actions] = initialTransition(lineMachine, {});
    expect(snapshot.value).toBe('loggedOut');
    expect(steps(actions)).toEqual([
      { spawn: 'im', input: undefined },
      { spawn: 'room', input: undefined },
    ]);
  });

  it.each([
    [cmd.dial(7), 'not logged in'],
    [cmd.logout(7), 'not logged in'],
    [{ type: 'media.camera', id: 7, at: 0, on: true } as const, 'not in a call'],
  ])('loggedOut, %o -> refused', (command, reason) => {
    const r = run([command]);
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([refused(7, reason)]);
  });

  // accept() and reject() too, as trtc-calling-js's (the API-parity audit of 2026-12-07: they were refused).
  it.each([cmd.hangup(7), cmd.accept(7), cmd.reject(7)])('loggedOut, %o -> settled, nothing else (nothing to end or answer)', (command) => {
    const r = run([command]);
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([settledNothing(7)]);
  });

  it('login() -> loggingIn, im.login sent; a second login() -> refused', () => {
    const r = run([cmd.login(1)]);
    expect(r.value).toBe('loggingIn');
    expect(r.steps).toEqual([toIm({ type: 'im.login', userID: 'alice', userSig: 'sig-alice' })]);
    expect(run([cmd.login(2)], r.snapshot).steps).toEqual([refused(2, 'a login is in progress')]);
  });

  it('im.loggedIn -> online.idle: login settled, then line.ready', () => {
    const r = run(ONLINE);
    expect(r.value).toEqual({ online: 'idle' });
    expect(r.steps).toEqual([settled(1), emit({ type: 'line.ready' })]);
    expect(r.context.self).toBe('alice');
  });

  it('im.loginFailed -> loggedOut, login settled with the port error, user forgotten', () => {
    const r = run([cmd.login(1), { type: 'im.loginFailed', at: 0, error: { code: 70001, message: 'userSig expired' } }]);
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([emit({ type: 'command.settled', commandId: 1, error: { code: 70001, reason: 'userSig expired', kind: 'port' } })]);
    expect(r.context.self).toBeNull();
  });

  it('im.loginFailed with the port\'s own error -> the login settled with it as its cause, untouched (the facade\'s CallingError.cause)', () => {
    const cause = Object.assign(new Error('userSig has expired (userSigExpired)'), { code: 70001, serverCode: 'userSigExpired' });
    const r = run([cmd.login(1), { type: 'im.loginFailed', at: 0, error: { code: 70001, message: cause.message, cause } }]);
    expect(r.steps).toEqual([emit({ type: 'command.settled', commandId: 1, error: { code: 70001, reason: cause.message, kind: 'port', cause } })]);
    const [step] = r.steps as [{ emit: { error: { cause: unknown } } }];
    expect(step.emit.error.cause).toBe(cause);
  });

  it('login(), then logout() before the IM answers -> loggedOut: im.logout, the login refused, the logout settled', () => {
    const r = run([cmd.login(1), cmd.logout(2)]);
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([toIm({ type: 'im.logout' }), refused(1, 'logged out before the login completed'), settled(2)]);
    expect(r.context.self).toBeNull();
  });

  it('login(), logout() during loggingIn, then the late im.loggedIn -> ignored, still loggedOut, nothing emitted', () => {
    const r = run([cmd.login(1), cmd.logout(2), { type: 'im.loggedIn', at: 0 }]);
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([]);
  });

  it('online, login() again as the same user -> settled, nothing done (as TIM answers a repeated login); as another user -> refused "already logged in"', () => {
    expect(run([cmd.login(3)], online()).steps).toEqual([settledNothing(3)]); // nothing done: the facade checks the userSig
    expect(run([cmd.login(4, 'mallory')], online()).steps).toEqual([refused(4, 'already logged in')]);
  });

  it('online, logout() -> loggedOut, im.logout sent, settled', () => {
    const r = run([cmd.logout(3)], online());
    expect(r.value).toBe('loggedOut');
    expect(r.steps).toEqual([toIm({ type: 'im.logout' }), settled(3)]);
  });
});

describe('lineMachine: idle', () => {
  it('dial Bob -> busy: settled, the call started as caller', () => {
    const r = run([cmd.dial(2)], online());
    expect(r.value).toEqual({ online: 'busy' });
    expect(r.steps).toEqual([settled(2), { spawn: 'call', input: callerInput() }]);
    expect(r.context.current).toEqual({ inviteIDs: ['inv-5'], peer: 'bob', roomID: 42 });
  });

  it('Bob invites Alice (3 s old) -> busy, the call started as callee with that age', () => {
    const r = run([im.invited('bob', { invitees: ['alice'], rawData: 'raw data' }, { at: 9, age: 3_000 })], online());
    expect(r.value).toEqual({ online: 'busy' });
    expect(r.steps).toEqual([
      // The invite's raw data goes with it, for the timeout notice to echo.
      { spawn: 'call', input: calleeInput({ self: 'alice', inviter: 'bob', invitees: ['alice'], age: 3_000, startedAt: 9, inviteData: 'raw data' }) },
    ]);
  });

  it('an invite 29.999 s old with timeout 30 still rings; timeout 0 rings at any age', () => {
    expect(run([im.invited('bob', { invitees: ['alice'] }, { age: 29_999 })], online()).value).toEqual({ online: 'busy' });
    expect(run([im.invited('bob', { invitees: ['alice'], timeout: 0 }, { age: 9e9 })], online()).value).toEqual({ online: 'busy' });
  });

  it.each([
    ['stale: 30 s old with timeout 30', im.invited('bob', { invitees: ['alice'] }, { age: 30_000 })],
    ['consumed (answered elsewhere)', im.invited('bob', { invitees: ['alice'], consumed: true })],
    ['a group invite not naming us', im.invited('bob', { groupID: 'g1', isGroup: true, invitees: ['carol'] })],
  ])('%s -> does not ring, stays idle, tombstoned', (_, invite) => {
    const r = run([invite], online());
    expect(r.value).toEqual({ online: 'idle' });
    expect(r.steps).toEqual([]);
    // Another user's signal settles that user's invitation only (see `heard`).
    expect(r.context.recent).toEqual(['bob inv-5']);
  });

  it('Bob CANCEL for an invite never seen, then the late invite -> tombstoned, never rings', () => {
    const cancelled = run([im.cancelled('bob', ['alice'])], online());
    expect(cancelled.context.recent).toEqual(['bob inv-5']);
    const late = run([im.invited('bob', { invitees: ['alice'] })], cancelled.snapshot);
    expect(late.value).toEqual({ online: 'idle' });
    expect(late.steps).toEqual([]);
  });

  it("Mallory's cancels take at most 16 places in the tombstones (her oldest go first); Bob's cancel of inv-5 stays, and his late invite does not ring", () => {
    const bobs = run([im.cancelled('bob', ['alice'])], online());
    const flooded = run(
      Array.from({ length: 300 }, (_, i) => im.cancelled('mallory', ['alice'], { inviteID: `junk-${i}`, inviter: 'mallory' })),
      bobs.snapshot,
    );
    expect(flooded.context.recent).toEqual(['bob inv-5', ...Array.from({ length: 16 }, (_, i) => `mallory junk-${284 + i}`)]);
    expect(run([im.invited('bob', { invitees: ['alice'] })], flooded.snapshot).value).toEqual({ online: 'idle' });
    // Her cancel naming Bob's next inviteID settles nothing of Bob's.
    const forged = run([im.cancelled('mallory', ['alice'], { inviteID: 'inv-6', inviter: 'mallory' })], online());
    expect(run([im.invited('bob', { inviteID: 'inv-6', invitees: ['alice'] })], forged.snapshot).value).toEqual({ online: 'busy' });
  });

  it('many devices: our other device dials Bob (its INVITE comes to us), Bob accepts it -> never rings, nothing remembered, no HANGUP to Bob', () => {
    const own = run([im.invited('alice', { invitees: ['bob'] })], online());
    expect(own.value).toEqual({ online: 'idle' });
    expect(own.steps).toEqual([]);
    expect(own.context.recent).toEqual([]);
    const cancelled = run([im.cancelled('alice', ['bob']), im.timedOut('alice', ['bob'])], own.snapshot);
    expect(cancelled.context.recent).toEqual([]);
    expect(run([im.accepted('bob', { inviter: 'alice' })], cancelled.snapshot).steps).toEqual([]);
  });

  it('many devices: in a call of our own, our other device dials Bob and Bob accepts -> nothing reaches our call, no HANGUP to Bob', () => {
    const busy = run([im.invited('alice', { inviteID: 'inv-8', invitees: ['bob'] }), im.accepted('bob', { inviteID: 'inv-8', inviter: 'alice' })], dialling());
    expect(busy.value).toEqual({ online: 'busy' });
    expect(busy.steps).toEqual([]);
  });

  it('many devices: a switch request for a call of another device of ours -> not refused (that device answers it)', () => {
    const many = run(ONLINE, initialTransition(lineMachine, { multiDevice: true })[0]).snapshot;
    const request: LineEvent = { type: 'im.switchRequested', from: 'bob', age: 0, at: 0, signal: { kind: 'switch', inviteID: 'sw-1', inviter: 'bob', groupID: '', callType: 1, invitees: ['alice'], roomID: 42, to: 2 } };
    expect(run([request], many).steps).toEqual([]);
    expect(run([request], online()).steps).toHaveLength(1);
  });

  it("an ACCEPT for someone else's invite -> nothing", () => {
    expect(run([im.accepted('bob', { inviter: 'carol' })], online()).steps).toEqual([]);
  });

  it('an ACCEPT for an invite of ours this line never dialled (another device of ours) -> nothing', () => {
    expect(run([im.accepted('bob', { inviter: 'alice' })], online()).steps).toEqual([]);
  });

  it('accept(), reject(), hangup() with no call -> settled, nothing else (nothing rings, no call to end; as trtc-calling-js)', () => {
    expect(run([cmd.accept(4)], online()).steps).toEqual([settledNothing(4)]);
    expect(run([cmd.reject(5)], online()).steps).toEqual([settledNothing(5)]);
    const r = run([cmd.hangup(6)], online());
    expect(r.value).toEqual({ online: 'idle' });
    expect(r.steps).toEqual([settledNothing(6)]);
  });

  it('a switch request (a peer on Tencent\'s client) -> refused with a REJECT of that invite, C2C to its sender', () => {
    const request = { ...im.invited('bob', { inviteID: 'sw-1', invitees: ['alice'] }), type: 'im.switchRequested' as const };
    const signal = { kind: 'switch' as const, inviteID: 'sw-1', inviter: 'bob', groupID: '', callType: 2 as const, invitees: ['alice'], roomID: 42, to: 1 as const };
    const r = run([{ ...request, signal }], online());
    expect(r.value).toEqual({ online: 'idle' });
    expect(r.steps).toEqual([
      toIm({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'reject', inviteID: 'sw-1', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy: false }, onlineUserOnly: false }),
    ]);
  });

  it('kicked out while idle -> kickedOut, KICKED_OUT; login() again -> loggingIn', () => {
    const r = run([{ type: 'im.kickedOut', at: 0, reason: 'another login' }], online());
    expect(r.value).toBe('kickedOut');
    expect(r.steps).toEqual([emit({ type: 'line.kickedOut', reason: 'another login' })]);
    expect(run([cmd.login(8)], r.snapshot).value).toBe('loggingIn');
    // No call was live: nothing to answer (as trtc-calling-js, which holds no invitation then).
    expect([run([cmd.accept(7)], r.snapshot).steps, run([cmd.reject(8)], r.snapshot).steps]).toEqual([[settledNothing(7)], [settledNothing(8)]]);
  });
});

describe('lineMachine: busy', () => {
  it('Carol invites Alice during the call -> busy REJECT to carol, remembered, still busy', () => {
    const r = run([im.invited('carol', { inviteID: 'inv-9', invitees: ['alice'] })], dialling());
    expect(r.value).toEqual({ online: 'busy' });
    expect(r.steps).toEqual([
      toIm({
        type: 'im.send',
        to: { users: ['carol'] },
        signal: { kind: 'reject', inviteID: 'inv-9', inviter: 'carol', groupID: '', callType: 2, invitee: 'alice', busy: true },
        onlineUserOnly: false,
      }),
    ]);
    expect(r.context.recent).toEqual(['carol inv-9']);
  });

  it('many devices: busy during a call -> a BUSY answer where the IM holds it (embedded, memory); nothing where it does not (Tencent), so another device may answer', () => {
    const device = (busyHeld: boolean) => run([cmd.dial(2)], run(ONLINE, initialTransition(lineMachine, { multiDevice: true, busyHeld })[0]).snapshot).snapshot;
    const invite = im.invited('carol', { inviteID: 'inv-9', invitees: ['alice'] });
    expect(run([invite], device(true)).steps).toHaveLength(1);
    const silent = run([invite], device(false));
    expect(silent.value).toEqual({ online: 'busy' });
    expect(silent.steps).toEqual([]);
  });

  it('a stale invite from Carol during the call -> no busy reply', () => {
    expect(run([im.invited('carol', { inviteID: 'inv-9', invitees: ['alice'] }, { age: 60_000 })], dialling()).steps).toEqual([]);
  });

  it('Bob (our 1v1 peer) invites Alice during the call -> forwarded to the call (glare), no busy reply', () => {
    const invite = im.invited('bob', { inviteID: 'inv-3', invitees: ['alice'] });
    expect(run([invite], dialling()).steps).toEqual([toCall(invite)]);
  });

  // Many devices: Bob may be in two calls with Alice at once, each with another device of hers (issue 11).
  it("Bob's switch request for the room of our call with him -> the call's; for another room -> one of many devices: nothing, one device: refused", () => {
    const request = (roomID: number): LineEvent => ({
      type: 'im.switchRequested',
      from: 'bob',
      age: 0,
      at: 0,
      signal: { kind: 'switch', inviteID: 'sw-1', inviter: 'bob', groupID: '', callType: 2, invitees: ['alice'], roomID, to: 1 },
    });
    expect(run([request(42)], dialling()).steps).toEqual([toCall(request(42))]);
    const many = run([cmd.dial(2)], run(ONLINE, initialTransition(lineMachine, { multiDevice: true })[0]).snapshot).snapshot;
    expect(run([request(43)], many).steps).toEqual([]);
    expect(run([request(43)], dialling()).steps).toEqual([
      toIm({ type: 'im.send', to: { users: ['bob'] }, signal: { kind: 'reject', inviteID: 'sw-1', inviter: 'bob', groupID: '', callType: 2, invitee: 'alice', busy: false }, onlineUserOnly: false }),
    ]);
    // After a glare merge the call is in the room of the invite it took.
    const merged = run([{ type: 'call.merged', inviteID: 'inv-3', roomID: 43 }], dialling()).snapshot;
    expect(run([request(43)], merged).steps).toEqual([toCall(request(43))]);
  });

  it('a copy of the live call invite -> ignored', () => {
    const ringing = run([im.invited('bob', { invitees: ['alice'] })], online()).snapshot;
    expect(run([im.invited('bob', { invitees: ['alice'] })], ringing).steps).toEqual([]);
  });

  it('signals of the live call are forwarded; an ACCEPT of an invite this line never made -> nothing', () => {
    const accept = im.accepted('bob');
    expect(run([accept], dialling()).steps).toEqual([toCall(accept)]);
    expect(run([im.accepted('carol', { inviteID: 'inv-1' })], dialling()).steps).toEqual([]);
  });

  it('a CANCEL of another invite during the call -> tombstoned, not forwarded', () => {
    const r = run([im.cancelled('carol', ['alice'], { inviteID: 'inv-9', inviter: 'carol' })], dialling());
    expect(r.steps).toEqual([]);
    expect(r.context.recent).toEqual(['carol inv-9']);
  });

  it('commands and room signals go to the call; dial() -> refused "already in a call"', () => {
    const s = dialling();
    for (const event of [cmd.accept(4), cmd.reject(5), cmd.hangup(6), rm.entered()])
      expect(run([event], s).steps).toEqual([toCall(event)]);
    expect(run([cmd.dial(7, 'carol')], s).steps).toEqual([refused(7, 'already in a call')]);
  });

  it('call.merged (glare) -> the call answers to both invites, in the room of the one it merged into; its end tombstones both', () => {
    const merged = run([{ type: 'call.merged', inviteID: 'inv-3', roomID: 77 }], dialling());
    expect(merged.context.current).toEqual({ inviteIDs: ['inv-5', 'inv-3'], peer: 'bob', roomID: 77 });
    // Our own switch request: another invite of the call, the room unchanged.
    expect(run([{ type: 'call.merged', inviteID: 'sw-1' }], merged.snapshot).context.current?.roomID).toBe(77);
    const over = run([callDone({ inviteID: 'inv-3', reason: 'hangup' })], merged.snapshot);
    expect(over.value).toEqual({ online: 'idle' });
    expect(over.context).toMatchObject({ current: null, recent: ['inv-5', 'inv-3'] });
  });

  it('a notice from the call -> emitted as is', () => {
    const notice = { type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' } as const;
    expect(run([{ type: 'notice', notice }], dialling()).steps).toEqual([emit(notice)]);
  });

  it('kicked out during the call -> KICKED_OUT, then call.terminate kickedOut; busy until the call ends, then kickedOut', () => {
    const r = run([{ type: 'im.kickedOut', at: 5, reason: 'another login' }], dialling());
    expect(r.value).toEqual({ online: 'busy' });
    expect(r.steps).toEqual([
      emit({ type: 'line.kickedOut', reason: 'another login' }),
      toCall({ type: 'call.terminate', reason: 'kickedOut', at: 5 }),
    ]);
    const over = run([callDone({ inviteID: 'inv-5', reason: 'kickedOut' })], r.snapshot);
    expect(over.value).toBe('kickedOut');
    expect(over.steps).toEqual([{ stop: 'call' }]);
    expect(over.context).toMatchObject({ self: null, current: null, recent: ['inv-5'] });
    // A call was live at the kick (an invitation ringing, say): an answer is refused, as trtc-calling-js's fails there.
    const late = [run([cmd.accept(7)], over.snapshot), run([cmd.reject(8)], over.snapshot)];
    expect(late.map((l) => l.value)).toEqual(['kickedOut', 'kickedOut']);
    expect(late.map((l) => l.steps)).toEqual([[refused(7, 'not logged in')], [refused(8, 'not logged in')]]);
  });

  it('logout() during the call, then kicked out before the call has ended -> kickedOut when it ends, the logout settled', () => {
    const r = run([cmd.logout(3), { type: 'im.kickedOut', at: 0, reason: 'another login' }], dialling());
    expect(r.value).toEqual({ online: 'busy' });
    const over = run([callDone({ inviteID: 'inv-5', reason: 'hangup' })], r.snapshot);
    expect(over.value).toBe('kickedOut');
    expect(over.steps).toEqual([{ stop: 'call' }, settled(3)]);
    expect(over.context).toMatchObject({ self: null, current: null, pendingLogout: null });
  });

  it('im.sendFailed of the live call (inv-5) -> forwarded; of another invite (inv-9, a busy reply) -> not forwarded', () => {
    const ours = sendFailed('inv-5', 'invite');
    expect(run([ours], dialling()).steps).toEqual([toCall(ours)]);
    expect(run([sendFailed('inv-9', 'reject')], dialling()).steps).toEqual([]);
  });

  it('after a glare merge, im.sendFailed of the merged invite (inv-3) -> forwarded', () => {
    const merged = run([{ type: 'call.merged', inviteID: 'inv-3' }], dialling()).snapshot;
    const failed = sendFailed('inv-3', 'accept');
    expect(run([failed], merged).steps).toEqual([toCall(failed)]);
  });

  it('logout() during the call -> call.terminate hangup; a second logout() refused; call ends -> loggedOut, im.logout, settled', () => {
    const r = run([cmd.logout(8)], dialling());
    expect(r.value).toEqual({ online: 'busy' });
    expect(r.steps).toEqual([toCall({ type: 'call.terminate', reason: 'hangup', at: 0 })]);
    expect(run([cmd.logout(9)], r.snapshot).steps).toEqual([refused(9, 'a logout is in progress')]);
    const over = run([callDone({ inviteID: 'inv-5', reason: 'cancelled' })], r.snapshot);
    expect(over.value).toBe('loggedOut');
    expect(over.steps).toEqual([{ stop: 'call' }, toIm({ type: 'im.logout' }), settled(8)]);
  });
});

describe('lineMachine with the real call (SimulatedClock)', () => {
  function aliceDialsBob() {
    const line = startLine();
    line.send(cmd.login(1));
    line.send({ type: 'im.loggedIn', at: 0 });
    line.send(cmd.dial(2));
    line.take();
    return line;
  }

  it('Alice dials Bob, is kicked out -> KICKED_OUT, room.exit; room exited -> kickedOut, CALL_END kickedOut', () => {
    const line = aliceDialsBob();
    line.send({ type: 'im.kickedOut', at: 0, reason: 'another login' });
    expect(line.take()).toEqual([
      out.notice({ type: 'line.kickedOut', reason: 'another login' }),
      out.room({ type: 'room.exit', roomID: 42 }),
    ]);
    expect(line.value()).toEqual({ online: 'busy' });
    line.send(rm.exited());
    expect(line.value()).toBe('kickedOut');
    expect(line.take()).toEqual([
      out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: 'kickedOut', callEnd: 0 }),
    ]);
  });

  it("Alice dials Bob; her automatic busy reply to Carol's inv-9 fails to send -> Alice's call to Bob goes on, no ERROR", () => {
    const line = aliceDialsBob();
    line.send(im.invited('carol', { inviteID: 'inv-9', invitees: ['alice'] }));
    expect(line.take()).toEqual([
      out.im({
        type: 'im.send',
        to: { users: ['carol'] },
        signal: { kind: 'reject', inviteID: 'inv-9', inviter: 'carol', groupID: '', callType: 2, invitee: 'alice', busy: true },
        onlineUserOnly: false,
      }),
    ]);
    line.send(sendFailed('inv-9', 'reject'));
    expect(line.call()?.getSnapshot().value).toBe('dialing');
    expect(line.take()).toEqual([]);
  });

  it('Alice dials Bob, logs out, is kicked out before the room confirms -> KICKED_OUT; room exited -> CALL_END, the logout settled, kickedOut', () => {
    const line = aliceDialsBob();
    line.send(cmd.logout(3));
    line.take();
    line.send({ type: 'im.kickedOut', at: 0, reason: 'another login' });
    expect(line.take()).toEqual([out.notice({ type: 'line.kickedOut', reason: 'another login' })]);
    expect(line.value()).toEqual({ online: 'busy' });
    line.send(rm.exited());
    expect(line.value()).toBe('kickedOut');
    expect(line.take()).toEqual([
      out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: 'cancelled', callEnd: 0 }),
      out.settled(3),
    ]);
  });

  it('Bob invites Alice; kicked out while it rings -> KICKED_OUT, no REJECT (the IM session is gone), kickedOut at once', () => {
    const line = startLine();
    line.send(cmd.login(1));
    line.send({ type: 'im.loggedIn', at: 0 });
    line.send(im.invited('bob', { invitees: ['alice'] }));
    expect(line.call()?.getSnapshot().value).toBe('ringing');
    line.take();
    line.send({ type: 'im.kickedOut', at: 0, reason: 'another login' });
    expect(line.value()).toBe('kickedOut');
    // The room may drop what it kept for the invitation (nothing to say to Bob: the session is gone).
    expect(line.take()).toEqual([out.notice({ type: 'line.kickedOut', reason: 'another login' }), out.room({ type: 'room.forget', roomID: 42 })]);
    expect(line.context()).toMatchObject({ self: null, current: null, recent: ['inv-5'] });
  });

  it('Alice dials Bob, logs out -> CANCEL to bob; the room never confirms -> after exitTimeout, loggedOut and settled', () => {
    const line = aliceDialsBob();
    line.send(cmd.logout(3));
    expect(line.take()).toEqual([
      out.im({
        type: 'im.send',
        to: { users: ['bob'] },
        signal: { kind: 'cancel', inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'] },
        onlineUserOnly: false,
      }),
      out.room({ type: 'room.exit', roomID: 42 }),
    ]);
    line.clock.increment(4_999);
    expect(line.value()).toEqual({ online: 'busy' });
    line.clock.increment(1);
    expect(line.value()).toBe('loggedOut');
    expect(line.take()).toEqual([
      out.notice({ type: 'call.ended', inviteID: 'inv-5', sponsor: 'alice', reason: 'cancelled', callEnd: 0 }),
      out.im({ type: 'im.logout' }),
      out.settled(3),
    ]);
  });
});
