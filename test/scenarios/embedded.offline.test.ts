/**
 * Offline signaling over the embedded server: an invite to a user who is not logged in waits in
 * the server's SQLite store, rings when the user logs in within its timeout, never rings after
 * it, and survives a restart of the server in between.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';

const S = 1000;

describe('offline invites over the embedded server', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;

  beforeEach(async () => {
    world = makeEmbeddedWorld();
    alice = await world.user('alice');
    bob = world.client('bob'); // not logged in
  });
  afterEach(() => world.dispose());

  it('Bob offline, Alice call(timeout 30), Bob logs in 5 s later -> INVITED, and he can accept', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(5 * S);
    expect((await world.server()).metrics()).toMatchObject({ stored: 1, storedNow: 1 });
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.ready(), ev.invited('alice', ['bob'])]);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual(ev.arrives('alice'));
    await alice.calling.hangup();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 1)]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 1)]);
  });

  it('Bob offline, Alice call(timeout 30), Bob logs in 40 s later -> the stale invite never rings', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(40 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.advance(S);
    // The invite (and Alice's no-answer notice after it) arrive from the store, and ring nothing.
    expect(bob.take()).toEqual([ev.ready()]);
    expect(bob.calling.getSnapshot().call).toBeNull(); // nothing rings (accept() would resolve and do nothing)
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 0 });
  });

  it('the server restarts between the invite and Bob logging in -> nothing is lost: INVITED, accept, a call', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(2 * S);
    await world.restartServer();
    await world.advance(3 * S); // Alice reconnects to the new server and enters her room again
    expect(alice.take()).toEqual([ev.notReady(), ev.ready()]);
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 1, rooms: 1, storedNow: 1 });
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.ready(), ev.invited('alice', ['bob'])]);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual(ev.arrives('alice'));
  });
});
