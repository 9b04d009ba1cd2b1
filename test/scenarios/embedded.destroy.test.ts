/**
 * `destroy()` over the embedded server (real sockets, virtual time): the peer hears at once,
 * the socket is closed, commands after it reject at once. And as on page unload: `destroy()`
 * not awaited and the socket closed right after it, in the same turn: what the others must
 * hear was written before the close.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../src/index';
import { ev } from '../support/ev';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID } from '../support/embeddedWorld';
import { noReconnect, type EmbeddedBackend } from '../../src/embedded';

const S = 1000;

describe('destroy() over the embedded server', () => {
  let world: EmbeddedWorld;
  let alice: Party & { backend: EmbeddedBackend };
  let bob: Party;

  beforeEach(async () => {
    world = makeEmbeddedWorld();
    // A page that is gone does not come back: no reconnecting after its socket closes.
    const backend = world.backend({ reconnect: noReconnect });
    alice = { ...party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend })), backend };
    await alice.calling.login({ userID: 'alice', userSig: world.userSig('alice') });
    bob = await world.user('bob');
    await world.settle();
    alice.take();
  });
  afterEach(() => world.dispose());

  async function talking() {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  }

  it('Alice and Bob talking, Alice destroy() -> Bob USER_LEAVE, CALL_END within 2 s; her socket closed; commands after it reject at once', async () => {
    await talking();
    const done = alice.calling.destroy();
    await world.advance(2 * S);
    await done;
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 1)]);
    expect(alice.take()).toEqual([]);
    expect(alice.backend.connection.ready).toBe(false);
    expect((await world.server()).metrics()).toMatchObject({ connections: 1, loggedInUsers: 1, detachedSessions: 0, rooms: 0 });
    // Logged out once (the bridge's logout and the backend's dispose join), and no receipt after it: nothing refused.
    expect((await world.server()).metrics().refused).toEqual({});
    await expect(alice.calling.call({ userID: 'bob', type: 2 })).rejects.toThrow(new InvalidStateError('call', 'destroyed'));
  });

  it('Alice dialling Bob, Alice destroy() -> Bob CALLING_CANCEL within 2 s, her socket closed', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    void alice.calling.destroy();
    await world.advance(2 * S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.cancelled('alice')]);
    expect((await world.server()).metrics()).toMatchObject({ connections: 1, loggedInUsers: 1, rooms: 0 });
  });

  it('page unload: destroy() not awaited, the socket closed in the same turn -> the room exit was written first: Bob USER_LEAVE, CALL_END within 2 s', async () => {
    await talking();
    const socket = world.net.clientSockets[0];
    void alice.calling.destroy();
    socket?.close(1001, 'page unload');
    await world.advance(2 * S);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 1)]);
    // No logout made it (the page was gone first): the server lets the session go after its grace.
    expect((await world.server()).metrics()).toMatchObject({ connections: 1, rooms: 0 });
  });

  it('page unload right after hangup() while entering the room (its REJECT waits for the room exit) -> Bob CALL_END within 2 s, not at his timeout', async () => {
    await bob.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await world.advance(S);
    void alice.calling.accept().catch(() => undefined);
    for (let i = 0; i < 50 && alice.calling.getSnapshot().call?.state !== 'accepting'; i++) await Promise.resolve();
    expect(alice.calling.getSnapshot().call?.state).toBe('accepting');
    await alice.calling.hangup();
    void alice.calling.destroy();
    world.net.clientSockets[0]?.close(1001, 'page unload');
    await world.advance(2 * S);
    // The exit went right behind the enter, before the socket closed: Bob sees her come and go
    // (her REJECT, held until she is out, never went: the room's news ends the call instead).
    expect(bob.take()).toEqual([ev.accepted('alice'), ...ev.arrives('alice'), ev.leave('alice'), ev.end('bob', 'hangup', 0)]);
    expect((await world.server()).metrics()).toMatchObject({ rooms: 0 });
  });

  it('page unload while dialling -> the cancel was written first: Bob CALLING_CANCEL', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    void alice.calling.destroy();
    world.net.clientSockets[0]?.close(1001, 'page unload');
    await world.advance(2 * S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.cancelled('alice')]);
  });
});
