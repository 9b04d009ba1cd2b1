/**
 * A socket that goes half-open as it opens: its `login` frame never reaches the server (or the
 * answer never comes back). Nothing watched a connection between the dial and `loggedIn` (the
 * keepalive starts once logged in), so a reconnection waited there for ever (SDK_NOT_READY, no
 * SDK_READY after 5 minutes) and an app's `login()` never settled; in a browser, until the OS's
 * TCP timeouts. Now the socket is given up after `loginTimeoutMs` (default 15 s).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallingError, TRTCCalling } from '../../../src/index';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { answeredCall, party } from '../../support/world';

describe('a login frame lost on a socket gone half-open as it opened', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  /** The next socket that sends a login goes silent right behind it. */
  const loseNextLogin = () => {
    world.net.sent = (sock, data) => {
      if (!data.includes('"type":"login"')) return;
      world.net.silent.add(sock);
      world.net.sent = null;
    };
  };

  it('a reconnection: given up after 15 s, the next socket logs in (SDK_READY), and a call connects', async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    loseNextLogin();
    (await world.server()).dropConnections('alice');
    await world.advance(14_000);
    expect(alice.take()).toEqual([ev.notReady()]);
    expect(world.net.trace.at(-1)).toBe('3 < login');
    await world.advance(2_000);
    expect(world.net.trace).toContain('3 closed 4008');
    expect(alice.take()).toEqual([ev.ready()]);
    expect(alice.calling.getSnapshot().connection).toBe('connected');

    await answeredCall(world, alice, bob, 1, 30);
    expect(alice.take()).toContainEqual(ev.enter('bob'));
  });

  it("the app's login(): rejects with 2805 after 15 s (it never settled)", async () => {
    loseNextLogin();
    const alice = world.client('alice');
    let outcome: unknown = 'pending';
    alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') }).then(
      () => (outcome = 'logged in'),
      (error: unknown) => (outcome = error),
    );
    await world.advance(14_000);
    expect(outcome).toBe('pending');
    await world.advance(2_000);
    expect(outcome).toBeInstanceOf(CallingError);
    expect(outcome).toMatchObject({ code: 2805, message: expect.stringContaining('no answer to the login in time') });
    // The app tries again, on a socket that works.
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    expect(alice.calling.getSnapshot().connection).toBe('connected');
  });

  it('loginTimeoutMs sets the wait: 5 s', async () => {
    loseNextLogin();
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ loginTimeoutMs: 5_000 }) }));
    let outcome: unknown = 'pending';
    alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') }).then(
      () => (outcome = 'logged in'),
      (error: unknown) => (outcome = error),
    );
    await world.advance(4_000);
    expect(outcome).toBe('pending');
    await world.advance(1_000);
    expect(outcome).toMatchObject({ code: 2805 });
  });
});
