/**
 * A logout whose frame the connection's drop lost, then a login: `logout()` settles at once (the
 * IM's logout goes on behind it), so an app's next `login()` can come while the connection still
 * waits to reconnect and send that logout. Found by the property runs over the embedded server
 * (`test/property/embedded.property.test.ts`: a server restart while a ringing user logs out).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../../src/index';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { party } from '../../support/world';

describe('login() after a logout() the connection could not send yet', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  it('the old session is logged out first, and the new one stays in (it was logged out by the stale logout, sent after the login)', async () => {
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    const bob = await world.user('bob');
    await world.settle();
    alice.take();

    // Alice logs out as the server goes down: her logout frame is written but never read.
    await alice.calling.logout();
    await world.stopServer();
    await world.restartServer();
    // She logs in again while her connection waits to reconnect with that logout unsent.
    const login = alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    await world.advance(10_000);
    await login;
    expect(alice.calling.getSnapshot().connection).toBe('connected');

    // She is in: Bob's call rings her.
    await bob.calling.call({ userID: 'alice', type: 1, timeout: 30 });
    await world.advance(1_000);
    expect(alice.take()).toEqual([ev.ready(), ev.invited('bob', ['alice'], { callType: 1 })]);
    // The old session's logout went first, on a connection of its own, then the new login.
    const steps = world.net.trace.filter((step) => / < (login|logout)$/.test(step)).slice(2);
    expect(steps).toEqual(['3 < login', '3 < logout', '4 < login', '5 < login']);
  });

  // A login() waiting for that logout is abandoned by a logout() asked for meanwhile: destroy() (a page
  // closing, say) resolved, then the login went out and left a session nobody would end (its keepalive
  // held it, and one device's login kicks its others).
  for (const how of ['destroy', 'logout'] as const)
    it(`${how}() while a login() waits for that logout -> the login fails, nothing logs in after it (it logged in once the logout was done)`, async () => {
      const backend = world.backend();
      const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
      await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
      await world.settle();
      await alice.calling.logout();
      await world.stopServer();
      const login = alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') }).then(() => 'in', () => 'refused');
      await world.advance(1_000);
      const gone = how === 'destroy' ? alice.calling.destroy() : alice.calling.logout();
      await world.restartServer();
      await world.advance(60_000);
      await gone;
      expect(await login).toBe('refused');
      expect(backend.connection.ready).toBe(false);
      // The old session's logout went out on the first reconnect, and nothing after it.
      const steps = world.net.trace.filter((step) => / < (login|logout)$/.test(step)).map((step) => step.replace(/^\d+ /, ''));
      expect(steps).toEqual(['< login', '< login', '< logout']);
    });

  // A socket gone half-open: the logout's answer never comes. The login used to wait for it the whole request
  // timeout (30 s) before dialling.
  it('the socket gone half-open: a login() after logout() waits at most 5 s for the logout\'s answer, then dials anew and is in', async () => {
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    await world.settle();
    world.net.silence(-1);
    const logout = alice.calling.logout();
    let outcome = 'pending';
    const login = alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') }).then(
      () => (outcome = 'in'),
      (error: { code?: number }) => (outcome = `refused ${error.code}`),
    );
    await world.advance(4_900);
    expect(outcome).toBe('pending');
    await world.advance(1_000);
    expect(outcome).toBe('in');
    await Promise.all([logout, login]);
    expect(alice.calling.getSnapshot().connection).toBe('connected');
  });

  // What the socket held is not lost with it: the logout's own hang-up (a CANCEL to the ringing callee) is sent
  // again by the reconnection, before the logout, as a keepalive's reconnection would (about 30 s later).
  it('the socket gone half-open while Alice dials: her logout() cancels the dial, and Bob hears the CANCEL once the socket is taken for dead (10 s), not at his ring timeout (30 s)', async () => {
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    const bob = await world.user('bob');
    await world.settle();
    const dial = alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(1_000);
    await dial;
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    world.net.silence(0); // Alice's: she logged in first
    const logout = alice.calling.logout();
    // The hang-up's room exit waits for its answer (5 s), then the logout's 5 s: then the socket is let go.
    await world.advance(9_900);
    expect(bob.take()).toEqual([]);
    await world.advance(2_000);
    expect(bob.take()).toEqual([ev.cancelled('alice')]); // a ringing callee gets no CALL_END (the call never began)
    await logout;
  });

  // The review of that: the session resumed to send the logout got its unconfirmed messages again, and passed them
  // on to the line, which held them for the next login: Carol's, on the same page, rang for Bob's call to Alice.
  it('Alice\'s socket gone half-open, Bob calls her; she logs out and Carol logs in on the same page -> Carol rings for nothing of Alice\'s; Alice gets the call at her next login', async () => {
    const page = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await page.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    const bob = await world.user('bob');
    await world.settle();
    page.take();
    world.net.silence(0); // Alice's: she logged in first
    const dial = bob.calling.call({ userID: 'alice', type: 1, timeout: 30 });
    await world.advance(1_000);
    await dial;
    const logout = page.calling.logout();
    const carol = page.calling.login({ userID: 'carol', userSig: world.userSig('carol') });
    await world.advance(8_000);
    await Promise.all([logout, carol]);
    expect(page.take().filter((e) => e.name !== 'onError').map((e) => e.name)).toEqual(['sdkReady']);
    expect(page.calling.getCallStatus()).toBe('idle');
    // Alice, on another page within the ring: the invitation is hers.
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    const back = alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    await world.advance(1_000);
    await back;
    expect(alice.take().map((e) => e.name)).toEqual(['sdkReady', 'onInvited']);
  });
});
