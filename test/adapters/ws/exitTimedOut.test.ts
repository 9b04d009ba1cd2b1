/**
 * A hangup whose `roomExit` ran out of time before the connection came back: Alice's socket goes
 * half-open, she hangs up, her exit's request times out (the call is over for her: the room port
 * takes itself for out) before her keepalive replaces the socket. The server resumed her session
 * with her still in the room, and nothing left it: a ghost, Bob in a call with nobody, for as long
 * as her session lived. Found by the property runs over the embedded server (seeds 720084609 and
 * 699829824, where the exit's 30 s timeout and the keepalive's close fell on the same instant).
 * On the reconnection, a room the server kept her in that she is neither in, entering nor leaving is left.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../support/ev';
import { answeredCall } from '../../support/world';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

describe('a hangup whose roomExit timed out before the reconnection', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    // Requests give up after 5 s, before the keepalive (a ping every 20 s, 10 s to answer) finds the socket dead.
    world = makeEmbeddedWorld({ client: { requestTimeoutMs: 5_000 } });
  });
  afterEach(() => world.dispose());

  it('Alice (half-open) hangs up, her exit times out, the keepalive reconnects her -> she leaves the room then, and Bob\'s call ends', async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(1_000);
    await bob.calling.accept();
    await world.advance(1_000);
    alice.take();
    bob.take();

    world.net.silent.add(world.net.clientSockets[0]!);
    const hangup = alice.calling.hangup();
    await world.advance(5_000);
    await hangup;
    expect(alice.take()).toContainEqual(ev.end('alice', 'hangup'));
    expect(bob.take()).toEqual([]);

    await world.advance(30_000);
    expect(world.net.trace).toContain('1 closed 4008');
    expect(alice.take()).toEqual([ev.notReady(), ev.ready()]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    // And her next call connects (the server had her in the room: refused alreadyInRoom).
    await answeredCall(world, alice, bob, 1, 30);
    expect(alice.take()).toContainEqual(ev.enter('bob'));
    expect(bob.take()).toContainEqual(ev.enter('alice'));
  });
});

describe('a hangup whose roomExit timed out, then a dial hung up while its enter is out, before the reconnection', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld({ client: { requestTimeoutMs: 5_000 } });
  });
  afterEach(() => world.dispose());

  it('Alice (half-open) hangs up on Bob, her exit times out; she calls Carol and hangs up at once; the connection comes back -> she leaves Bob\'s room then, and Bob\'s call ends', async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    await world.user('carol');
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(1_000);
    await bob.calling.accept();
    await world.advance(1_000);
    alice.take();
    bob.take();

    const socket = world.net.clientSockets[0]!;
    world.net.silent.add(socket);
    const hangup = alice.calling.hangup();
    await world.advance(5_000);
    await hangup;
    expect(alice.take()).toContainEqual(ev.end('alice', 'hangup'));

    // A new call, hung up while its enter is out: the room port is leaving that room, not Bob's.
    void alice.calling.call({ userID: 'carol', type: 1, timeout: 30 }).catch(() => undefined);
    await world.settle();
    await alice.calling.hangup();
    await world.settle();
    // The network comes back and the server drops the old socket: the session is resumed, still in Bob's room.
    world.net.silent.delete(socket);
    (await world.server()).dropConnections('alice');
    await world.advance(10_000);
    expect(world.net.trace).toContain('4 > loggedIn');
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    // And her next call connects (the server had her in Bob's room: refused alreadyInRoom).
    alice.take();
    await answeredCall(world, alice, bob, 1, 30);
    expect(alice.take()).toContainEqual(ev.enter('bob'));
    expect(bob.take()).toContainEqual(ev.enter('alice'));
  });
});
