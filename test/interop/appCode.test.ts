/**
 * App code written for Tencent's trtc-calling-js 1.0.6 (the 'official' party, unmodified, in the
 * interop harness) runs unchanged on ours: each test runs against both and asserts what trtc-calling-js
 * does. Found by the API review of 2026-12-04, where the 'ours' runs failed: `off()` without a context
 * (or without a callback), a listener's `this`, what `login()`, `call()` and `groupCall()` resolve with,
 * and `accept()` / `reject()` with nothing ringing (a Decline tapped late, a double tap).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EventPayloads } from '../../src/index';
import type { Kind, Party } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const KINDS: Kind[] = ['official', 'ours'];

/** The party's client as an app holds it: trtc-calling-js's API. */
type AnyCalling = {
  on(name: string, cb: (...a: unknown[]) => void, ctx?: unknown): void;
  off(name: string, cb?: (...a: unknown[]) => void, ctx?: unknown): void;
  call(p: { userID: string; type: 1 | 2; timeout?: number }): Promise<unknown>;
  groupCall(p: { userIDList: string[]; type: 1 | 2; groupID?: string }): Promise<unknown>;
  accept(p?: unknown): Promise<unknown>;
  reject(p?: unknown): Promise<unknown>;
  startRemoteView(p: { userID: string; videoViewDomID: string }): Promise<unknown>;
};
const api = (p: Party) => p.calling as unknown as AnyCalling;

// Review of dc1c527 (2026-12-07): trtc-calling-js hands on `{ name, data }`, and TypeScript app code moved over that
// reads `payload.data` did not compile on ours (the type had `name` alone). Checked by the compiler (`npm run typecheck`).
describe('the SDK_READY payload\'s type', () => {
  it('has trtc-calling-js\'s `data` (undefined there): a listener that reads it compiles', () => {
    expectTypeOf<EventPayloads['sdkReady']['data']>().toEqualTypeOf<undefined>();
  });
});

describe.each(KINDS)('the same app code against %s', (kind) => {
  it('on(name, cb, this) then off(name, cb) (no context) removes the listener', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    let calls = 0;
    const component = { onInvited() { calls += 1; } };
    api(bob).on('onInvited', component.onInvited, component);
    api(bob).off('onInvited', component.onInvited);
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    expect(calls).toBe(0);
    await t.world.act(bob.reject());
  });

  it('off(name) with no callback removes every listener of the event', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    let calls = 0;
    api(bob).on('onInvited', () => { calls += 1; });
    api(bob).off('onInvited');
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    expect(calls).toBe(0);
    await t.world.act(bob.reject());
  });

  // The audit of 2026-12-07: logged out (before the first login, or after logout()), trtc-calling-js's accept() and
  // reject() find no invitation and resolve with nothing; ours refused both, 'not logged in'.
  it('accept() and reject() while logged out resolve with nothing (a Decline tapped once logged out)', async () => {
    const bob = await t.world.party(kind, 'bob', { login: false });
    expect(await t.world.act(Promise.all([api(bob).accept(), api(bob).reject()]))).toEqual([undefined, undefined]);
    await t.world.act(bob.login());
    await t.world.act(bob.logout());
    expect(await t.world.act(Promise.all([api(bob).accept(), api(bob).reject()]))).toEqual([undefined, undefined]);
  });

  // The audit of 2026-12-07: trtc-calling-js's emitter takes a null callback as none (`off(name, handler = null)`),
  // an app's handler field that was never set, say; ours refused it with InvalidParameterError.
  it('off(name, null) removes every listener of the event, as off(name) does', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    let calls = 0;
    api(bob).on('onInvited', () => { calls += 1; });
    api(bob).off('onInvited', null as never);
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    expect(calls).toBe(0);
    await t.world.act(bob.reject());
  });

  it('a listener added without context runs with the client as this', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    let self: unknown = 'not called';
    api(bob).on('onInvited', function (this: unknown) { self = this; });
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    expect(self).toBe(bob.calling);
    await t.world.act(bob.reject());
  });

  it('call() resolves with the invitation, its inviteID included', async () => {
    const alice = await t.world.party(kind, 'alice');
    await t.world.party('official', 'bob');
    const result = await t.world.act(api(alice).call({ userID: 'bob', type: 2 }));
    expect(result).toMatchObject({ code: 0, inviteID: expect.any(String) });
    await t.world.act(alice.hangup());
  });

  it('reject() after the caller cancelled (the app\'s Decline button pressed late) resolves', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.call('bob', 2));
    await t.world.act(alice.hangup());
    bob.take();
    await expect(t.world.act(api(bob).reject())).resolves.toBeUndefined();
  });

  it('accept() after the caller cancelled resolves (nothing to accept)', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.call('bob', 2));
    await t.world.act(alice.hangup());
    bob.take();
    await expect(t.world.act(api(bob).accept())).resolves.toBeUndefined();
  });

  it('accept() twice (a double tap): the second resolves', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.call('bob', 2));
    await t.world.act(api(bob).accept());
    await expect(t.world.act(api(bob).accept())).resolves.toBeUndefined();
    await t.world.act(alice.hangup());
  });

  it('login() and call() resolve with code 0, call() with its invitation', async () => {
    const alice = await t.world.party(kind, 'alice', { login: false });
    const bob = await t.world.party('official', 'bob');
    const login = await t.world.act(alice.login());
    const call = await t.world.act(alice.call('bob', 2));
    await t.world.act(bob.accept());
    await t.world.act(alice.hangup());
    expect(login).toMatchObject({ code: 0 });
    expect(call).toMatchObject({ code: 0, inviteID: expect.any(String), roomID: expect.any(Number), userID: 'bob' });
  });

  // The audit's leftovers (2026-12-07): trtc-calling-js hands on TSignaling's `{ name: 'ts_im_ready', data }` (data
  // undefined); ours told `{}`, so an app that logs or checks `payload.name` read nothing.
  it('the SDK_READY listener gets { name: \'ts_im_ready\' }', async () => {
    const alice = await t.world.party(kind, 'alice', { login: false });
    const payloads: unknown[] = [];
    api(alice).on('sdkReady', (payload) => payloads.push(payload));
    await t.world.act(alice.login());
    expect(payloads).toEqual([{ name: 'ts_im_ready' }]);
  });

  // The audit's leftovers (2026-12-07): ours rejected (InvalidStateError) a view of a user not in the call, or with no
  // call; trtc-calling-js resolves, playing only a stream it has (ours now plays it once the user enters).
  it('startRemoteView() with no call, and of the callee while dialing (not in the call yet), resolves', async () => {
    const alice = await t.world.party(kind, 'alice');
    await t.world.party('official', 'bob');
    expect(await t.world.act(api(alice).startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' }))).toBeUndefined();
    await t.world.act(alice.call('bob', 2));
    expect(await t.world.act(api(alice).startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' }))).toBeUndefined();
    await t.world.act(alice.hangup());
  });

  it('groupCall() without a group resolves with one result per invitee (their inviteIDs)', async () => {
    const alice = await t.world.party(kind, 'alice');
    await t.world.party('official', 'bob');
    await t.world.party('official', 'carol');
    const res = await t.world.act(alice.groupCall(['bob', 'carol'], 1));
    expect(res).toMatchObject({ code: 0, roomID: expect.any(Number), data: [{ inviteID: expect.any(String) }, { inviteID: expect.any(String) }] });
    await t.world.act(alice.hangup());
  });
});

// The review of 77b8960 (fixed since): a listener added with a falsy context is stored with the instance as its
// context; off() with that same context removed nothing (eventemitter3, trtc-calling-js's emitter, removes it).
describe.each(KINDS)('a listener added with a falsy context, against %s', (kind) => {
  for (const ctx of [0, '', false, null])
    it(`on(name, cb, ${JSON.stringify(ctx)}) then off(name, cb, ${JSON.stringify(ctx)}) removes it`, async () => {
      const alice = await t.world.party('official', 'alice');
      const bob = await t.world.party(kind, 'bob');
      let calls = 0;
      const cb = () => { calls += 1; };
      api(bob).on('onInvited', cb, ctx);
      api(bob).off('onInvited', cb, ctx);
      await t.world.act(alice.call('bob', 2));
      await t.world.advance(S);
      expect(calls).toBe(0);
      await t.world.act(bob.reject());
    });
});
