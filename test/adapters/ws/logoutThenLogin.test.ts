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
});
