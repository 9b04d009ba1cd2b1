/**
 * Frames that come in one read: the lock-step network's `batched` reads let client frames go
 * first and then hand each client every frame waiting for it in one macrotask (as one TCP read
 * of several frames does), deterministically. Two races live there: an offline invite delivered
 * with the login reply, and room pushes that come with (so before the client applied) the
 * `roomEnter` reply.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { briefRoom, recordRoom } from '../contracts/roomPortContract';
import { ev } from '../support/ev';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';

const S = 1000;

describe('frames that come in one read', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  it('Bob offline, Alice call(); Bob logs in and the stored invite comes in the same read as the login reply -> INVITED; it is confirmed only then', async () => {
    const alice = await world.user('alice');
    const bob = world.client('bob');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(2 * S);
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 1 });
    world.net.reads = 'batched';
    const from = world.net.trace.length;
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.advance(S);
    // The login reply and the invite reached Bob's client in one read (with the mark of its backlog's end, since 2026-12-07).
    expect(world.net.trace.slice(from).filter((t) => / (>|read) /.test(t))).toEqual(['2 read 3', '2 > loggedIn', '2 > message', '2 > backlog']);
    expect(bob.take()).toEqual([ev.ready(), ev.invited('alice', ['bob'])]);
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 0 });
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual(ev.arrives('alice'));
  });

  it('Alice and Bob enter room 5 in the same instant; each gets its reply and the other\'s arrival in one read -> both count', async () => {
    const alice = world.backend();
    const bob = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    await bob.im.login('bob', world.userSig('bob'));
    await world.settle(); // the mark of Bob's (empty) backlog, which follows his login reply
    const aliceEvents = recordRoom(alice.room);
    const bobEvents = recordRoom(bob.room);
    (await world.server()).grantRoom(5, ['alice', 'bob']); // no call here: the administrator admits them
    world.net.reads = 'batched';
    const audio = { video: false, audioMuted: false };
    await Promise.all([alice.room.enter(5, { userID: 'alice', ...audio }), bob.room.enter(5, { userID: 'bob', ...audio }), world.settle()]);
    await world.settle();
    // Alice's roomInfo (only her) and Bob's arrival came together; Bob's roomInfo already lists her.
    expect(world.net.trace.filter((t) => / > (roomInfo|userEntered)| read /.test(t))).toEqual(['1 read 2', '1 > roomInfo', '1 > userEntered', '2 > roomInfo']);
    expect(briefRoom(aliceEvents)).toEqual(['5 memberJoined bob', '5 audioAvailable bob true', '5 mediaArrived bob']);
    expect(briefRoom(bobEvents)).toEqual(['5 memberJoined alice', '5 audioAvailable alice true', '5 mediaArrived alice']);
  });

  it('Alice groupCall([bob, carol]); both accept in the same instant, replies and arrivals read together -> everyone sees everyone enter', async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    const carol = await world.user('carol');
    await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await world.advance(S);
    bob.take();
    carol.take();
    world.net.reads = 'batched';
    await Promise.all([bob.calling.accept(), carol.calling.accept()]);
    await world.advance(S);
    const entered = (p: typeof alice) =>
      p
        .take()
        .filter((e) => e.name === 'onUserEnter')
        .map((e) => (e.payload as { userID: string }).userID)
        .sort();
    expect([entered(alice), entered(bob), entered(carol)]).toEqual([['bob', 'carol'], ['alice', 'carol'], ['alice', 'bob']]);
  });
});
