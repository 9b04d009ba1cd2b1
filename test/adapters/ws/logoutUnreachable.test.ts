/**
 * A logout the server cannot be reached for: its socket closed (the server went down) or taken for
 * dead (half-open), and no reconnection gets in. The connection kept the logout's request for its
 * reconnections until its timeout (30 s), and a `login()` after it, the same account or another,
 * waited behind it all that time (found by an audit). Now a logout whose socket is lost has 5 s
 * (`LOGOUT_WAIT_MS`, what it waits for its answer on a live socket) to be delivered by the reconnections
 * the policy makes, with what its socket held (a hang-up's CANCEL); past that it is done here, and the
 * server ends the session by its own grace (10 s), as for any connection that does not come back.
 * A server back within those 5 s still gets the logout, then the login: `logoutThenLogin.test.ts`. A
 * logout asked while the connection is down already is done here at once (it was; pinned here too).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../../src/index';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { party } from '../../support/world';

describe('login() after a logout() the server cannot be reached for', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  /** `login()` as an outcome to watch: `pending`, `in`, or `refused <code>`. */
  const attempt = (calling: TRTCCalling, userID: string) => {
    const seen = { outcome: 'pending' };
    const done = calling.login({ userID, userSig: world.userSig(userID) }).then(
      () => void (seen.outcome = 'in'),
      (error: { code?: number }) => void (seen.outcome = `refused ${error.code}`),
    );
    return { seen, done };
  };

  for (const next of ['alice', 'carol'])
    it(`the server goes down under Alice's logout() and stays down; login() as ${next} -> refused (2805) 5 s after the socket closed, not after the logout's 30 s; in once the server is back`, async () => {
      const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
      await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
      await world.settle();
      alice.take();

      // Her logout frame is written as the server goes down (never read); it stays down.
      await alice.calling.logout();
      await world.stopServer();
      const first = attempt(alice.calling, next);
      await world.advance(4_900);
      expect(first.seen.outcome).toBe('pending');
      await world.advance(200);
      expect(first.seen.outcome).toBe('refused 2805');
      await first.done;
      // Nothing went out after the socket closed: every reconnection, then the login, was refused at the dial.
      expect(world.net.trace.filter((step) => / < (login|logout)$/.test(step))).toEqual(['1 < login']);

      // The server is back: the app's next login() is in, and Bob's call rings there.
      await world.restartServer();
      const second = attempt(alice.calling, next);
      await world.advance(1_000);
      await second.done;
      expect(second.seen.outcome).toBe('in');
      const bob = await world.user('bob');
      await bob.calling.call({ userID: next, type: 1, timeout: 30 });
      await world.advance(1_000);
      expect(alice.take()).toEqual([ev.ready(), ev.invited('bob', [next], { callType: 1 })]);
    });

  it("the server down before Alice's logout() (her socket closed, the connection retrying): login() after it is refused at once, nothing waited for", async () => {
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    await world.settle();
    await world.stopServer();
    await world.advance(100);
    expect(alice.calling.getSnapshot().connection).toBe('reconnecting');
    const logout = alice.calling.logout();
    const login = attempt(alice.calling, 'alice');
    await world.settle();
    expect(login.seen.outcome).toBe('refused 2805');
    await Promise.all([logout, login.done]);
  });

  it("Alice's socket gone half-open and the server down: login() after logout() is refused 5 s after the socket is taken for dead (5 s), not after 30 s", async () => {
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend() }));
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    await world.settle();
    world.net.silence(-1);
    await world.stopServer();
    const logout = alice.calling.logout();
    const login = attempt(alice.calling, 'alice');
    await world.advance(9_900);
    expect(login.seen.outcome).toBe('pending');
    await world.advance(200);
    expect(login.seen.outcome).toBe('refused 2805');
    await Promise.all([logout, login.done]);
    expect(alice.calling.getSnapshot().connection).toBe('disconnected');
  });
});
