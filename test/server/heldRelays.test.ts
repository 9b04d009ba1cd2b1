/**
 * Relays held for an invited user who has not entered the room yet (call setup, issue 14): the
 * caller's offer and candidates, numbered for their user (`held`), reach the callee's connected
 * sessions at once, marked `early`, and come again, numbered, the moment it enters (the client
 * drops what it applied). Held only for a user the room's grant names, only from a member in the
 * room, bounded per room (and what goes early, per invitee for the room's life), and dropped when
 * the room empties. Rooms here are granted by the administrator (`grantRoom`), as in rooms.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELD_RELAYS, SPENT_KEPT_MS } from '../../server/heldRelays';
import { RawClient, testServer, type TestServer } from './support';

const enter = (c: RawClient, roomID: number) => c.request({ type: 'roomEnter', roomID, audio: true, video: true });
const relayed = (c: RawClient) => c.frames.filter((f) => f.type === 'relayed').map(({ type, ...rest }) => ({ type, ...rest }));

describe('held relays', () => {
  let server: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let carol: RawClient;

  beforeEach(async () => {
    server = await testServer();
    server.handle.grantRoom(7, ['alice', 'bob']);
    alice = await RawClient.login(server.handle.url, 'alice');
    bob = await RawClient.login(server.handle.url, 'bob');
    carol = await RawClient.login(server.handle.url, 'carol');
  });
  afterEach(async () => {
    for (const c of [alice, bob, carol]) c.terminate();
    await server.dispose();
  });

  it('loggedIn says the server holds relays', async () => {
    expect(alice.frames.find((f) => f.type === 'loggedIn')).toMatchObject({ heldRelays: true });
  });

  it('Alice relays to Bob before he enters: handed to him at once, numbered and marked early, and again, numbered, when he enters; Carol (not granted) gets nothing', async () => {
    await enter(alice, 7);
    expect(await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'offer' })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'candidate' })).toMatchObject({ type: 'ack' });
    expect((await alice.request({ type: 'relay', roomID: 7, to: 'carol', data: 'x' })).code).toBe('notInRoom');
    // Not from outside the room: Carol is not in it, and Bob is not in it yet either.
    expect((await carol.request({ type: 'relay', roomID: 7, to: 'bob', data: 'x' })).code).toBe('notInRoom');
    expect((await bob.request({ type: 'relay', roomID: 7, to: 'alice', data: 'x' })).code).toBe('notInRoom');
    expect((await carol.request({ type: 'roomEnter', roomID: 7, audio: true, video: true })).code).toBe('notInvited');
    expect(server.handle.metrics()).toMatchObject({ heldRelays: 2 });
    await bob.sync();
    expect(relayed(bob)).toEqual([
      { type: 'relayed', roomID: 7, from: 'alice', data: 'offer', held: 1, early: true },
      { type: 'relayed', roomID: 7, from: 'alice', data: 'candidate', held: 2, early: true },
    ]);
    await enter(bob, 7);
    await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'after' });
    await bob.sync();
    await carol.sync();
    expect(relayed(bob).slice(2)).toEqual([
      { type: 'relayed', roomID: 7, from: 'alice', data: 'offer', held: 1 },
      { type: 'relayed', roomID: 7, from: 'alice', data: 'candidate', held: 2 },
      { type: 'relayed', roomID: 7, from: 'alice', data: 'after' },
    ]);
    expect(relayed(carol)).toEqual([]);
    expect(server.handle.metrics()).toMatchObject({ heldRelays: 0 });
  });

  it(`bounded: a room holds at most ${HELD_RELAYS.frames} relays and ${HELD_RELAYS.bytes} characters; more are refused`, async () => {
    await enter(alice, 7);
    for (let i = 0; i < HELD_RELAYS.frames; i++) {
      expect(await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: `c${i}` })).toMatchObject({ type: 'ack' });
    }
    expect((await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'one more' })).code).toBe('notInRoom');
    expect(server.handle.metrics()).toMatchObject({ heldRelays: HELD_RELAYS.frames });
    await enter(bob, 7);
    await bob.sync();
    const numbered = Array.from({ length: HELD_RELAYS.frames }, (_, i) => `c${i}`);
    expect(relayed(bob).map((f) => (f as { data?: string }).data)).toEqual([...numbered, ...numbered]); // early, then with the enter
    // In characters: as many 16 KiB relays as fit (for Carol, invited now: Bob has been in).
    server.handle.grantRoom(7, ['carol']);
    const big = 'x'.repeat(16 * 1024);
    const fit = Math.floor(HELD_RELAYS.bytes / big.length);
    for (let i = 0; i < fit; i++) expect(await alice.request({ type: 'relay', roomID: 7, to: 'carol', data: big })).toMatchObject({ type: 'ack' });
    expect((await alice.request({ type: 'relay', roomID: 7, to: 'carol', data: big })).code).toBe('notInRoom');
  });

  it(`shared fairly: Carol holding the room's whole budget, Alice's relay to Bob takes the place of Carol's newest; Carol, holding the larger share, is refused more`, async () => {
    server.handle.grantRoom(9, ['alice', 'bob', 'carol', 'dave']);
    await enter(alice, 9);
    await enter(carol, 9);
    for (let i = 0; i < HELD_RELAYS.frames; i++) expect(await carol.request({ type: 'relay', roomID: 9, to: 'dave', data: `c${i}` })).toMatchObject({ type: 'ack' });
    for (let i = 0; i < 3; i++) expect(await alice.request({ type: 'relay', roomID: 9, to: 'bob', data: `a${i}` })).toMatchObject({ type: 'ack' });
    expect((await carol.request({ type: 'relay', roomID: 9, to: 'dave', data: 'more' })).code).toBe('notInRoom');
    expect(server.handle.metrics()).toMatchObject({ heldRelays: HELD_RELAYS.frames });
    await enter(bob, 9);
    await bob.sync();
    expect(relayed(bob).filter((f) => !(f as { early?: boolean }).early).map((f) => (f as { data?: string }).data)).toEqual(['a0', 'a1', 'a2']);
    // Dave gets what Carol held for him but her three newest.
    const dave = await RawClient.login(server.handle.url, 'dave');
    await enter(dave, 9);
    await dave.sync();
    expect(relayed(dave).map((f) => (f as { data?: string }).data)).toEqual(Array.from({ length: HELD_RELAYS.frames - 3 }, (_, i) => `c${i}`));
    dave.terminate();
  });

  it(`shared fairly, in characters too: Carol's 16 KiB relays fill the room's ${HELD_RELAYS.bytes}; Alice's offer takes the place of one; Carol's next is refused`, async () => {
    server.handle.grantRoom(9, ['alice', 'bob', 'carol', 'dave']);
    await enter(alice, 9);
    await enter(carol, 9);
    const big = 'x'.repeat(16 * 1024);
    for (let i = 0; i < HELD_RELAYS.bytes / big.length; i++) expect(await carol.request({ type: 'relay', roomID: 9, to: 'dave', data: big })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'relay', roomID: 9, to: 'bob', data: 'offer' })).toMatchObject({ type: 'ack' });
    expect(server.handle.metrics()).toMatchObject({ heldRelays: HELD_RELAYS.bytes / big.length });
    expect((await carol.request({ type: 'relay', roomID: 9, to: 'dave', data: big })).code).toBe('notInRoom');
    expect(server.handle.metrics()).toMatchObject({ heldRelays: HELD_RELAYS.bytes / big.length });
  });

  it('a session that logs in after the relays gets them when it enters, not early', async () => {
    bob.terminate();
    await enter(alice, 7);
    await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'offer' });
    bob = await RawClient.login(server.handle.url, 'bob');
    await bob.sync();
    expect(relayed(bob)).toEqual([]);
    await enter(bob, 7);
    await bob.sync();
    expect(relayed(bob)).toEqual([{ type: 'relayed', roomID: 7, from: 'alice', data: 'offer', held: 1 }]);
  });

  it(`what goes early to an invitee is bounded for the room's life (${HELD_RELAYS.frames} relays): a member that leaves and comes back is held for, not streamed early`, async () => {
    server.handle.grantRoom(9, ['alice', 'bob', 'carol']);
    await enter(carol, 9); // keeps the room occupied
    for (const round of [1, 2]) {
      await enter(alice, 9);
      for (let i = 0; i < HELD_RELAYS.frames / 2; i++) await alice.request({ type: 'relay', roomID: 9, to: 'bob', data: `r${round}.${i}` });
      await alice.request({ type: 'roomExit', roomID: 9 }); // what she sent is no longer held
    }
    await enter(alice, 9);
    expect(await alice.request({ type: 'relay', roomID: 9, to: 'bob', data: 'held, not early' })).toMatchObject({ type: 'ack' });
    await bob.sync();
    expect(relayed(bob).length).toBe(HELD_RELAYS.frames);
    expect(relayed(bob).every((f) => (f as { early?: boolean }).early)).toBe(true);
    await enter(bob, 9);
    await bob.sync();
    expect(relayed(bob).slice(HELD_RELAYS.frames)).toEqual([{ type: 'relayed', roomID: 9, from: 'alice', data: 'held, not early', held: HELD_RELAYS.frames + 1 }]);
  });

  it(`what went early is not counted again when the room empties and Alice enters again (${HELD_RELAYS.frames} relays in all), until it is long forgotten`, async () => {
    // An invitation keeps the room for 5 s after each exit (the administrator's grant would end at once).
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call: { inviteID: 'i-1', roomID: 7, invitees: ['bob'], timeout: 30 } });
    for (const round of [1, 2, 3]) {
      await enter(alice, 7); // alone: her exit empties the room
      for (let i = 0; i < HELD_RELAYS.frames / 2; i++) await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: `r${round}.${i}` });
      await alice.request({ type: 'roomExit', roomID: 7 });
      await enter(alice, 7); // a stay that holds nothing keeps the count too
      await alice.request({ type: 'roomExit', roomID: 7 });
      await server.clock.advance(1_000);
    }
    await bob.sync();
    expect(relayed(bob).length).toBe(HELD_RELAYS.frames);
    await server.clock.advance(SPENT_KEPT_MS);
    for (const c of [alice, bob, carol]) c.terminate(); // silent for 10 minutes: dropped anyway
    [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((u) => RawClient.login(server.handle.url, u)))) as [RawClient, RawClient, RawClient];
    server.handle.grantRoom(8, ['carol']); // another room empties: the long-forgotten counts go
    await enter(carol, 8);
    await carol.request({ type: 'roomExit', roomID: 8 });
    server.handle.grantRoom(7, ['alice', 'bob']);
    await enter(alice, 7);
    expect(await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'a new call' })).toMatchObject({ type: 'ack' });
    await bob.sync();
    expect(relayed(bob)).toMatchObject([{ data: 'a new call', early: true, held: 1 }]);
  });

  it('dropped when the room empties: Alice leaves before Bob enters, his enter brings nothing', async () => {
    await enter(alice, 7);
    bob.terminate();
    await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'offer' });
    await alice.request({ type: 'roomExit', roomID: 7 });
    expect(server.handle.metrics()).toMatchObject({ heldRelays: 0 });
    bob = await RawClient.login(server.handle.url, 'bob');
    await enter(bob, 7);
    await bob.sync();
    expect(relayed(bob)).toEqual([]);
  });

  it('dropped when their sender leaves: Alice hangs up while Bob, not online yet, is invited; Carol stays; Bob gets only what Carol sent', async () => {
    server.handle.grantRoom(8, ['alice', 'bob', 'carol']);
    bob.terminate();
    await enter(alice, 8);
    await enter(carol, 8);
    await alice.request({ type: 'relay', roomID: 8, to: 'bob', data: 'offer from alice' });
    await carol.request({ type: 'relay', roomID: 8, to: 'bob', data: 'offer from carol' });
    await alice.request({ type: 'roomExit', roomID: 8 });
    expect(server.handle.metrics()).toMatchObject({ heldRelays: 1 });
    bob = await RawClient.login(server.handle.url, 'bob');
    await enter(bob, 8);
    await bob.sync();
    expect(relayed(bob)).toEqual([{ type: 'relayed', roomID: 8, from: 'carol', data: 'offer from carol', held: 2 }]);
  });

  it('not for a user who has been in the room: Bob leaves, Alice relays to him -> refused, as before held relays (what was for his old connection is stale)', async () => {
    await enter(alice, 7);
    await enter(bob, 7);
    await bob.request({ type: 'roomExit', roomID: 7 });
    expect((await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'candidate' })).code).toBe('notInRoom');
    expect(server.handle.metrics()).toMatchObject({ heldRelays: 0 });
    await enter(bob, 7);
    await bob.sync();
    expect(relayed(bob)).toEqual([]);
  });
});
