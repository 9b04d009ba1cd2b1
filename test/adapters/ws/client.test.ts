/**
 * The WebSocket client's own checks: requests the server would refuse are refused locally (so a
 * client bug never costs it strikes), a listener's exception stays with the listener, and a frame
 * the server should not send is reported and ignored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECEIPT_DELAY_MS } from '../../../adapters/ws/inbox';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

const stored = { onlineUserOnly: false };
/** Entering a room with nothing published. */
const as = (userID: string) => ({ userID, video: false, audioMuted: false });

describe('the WebSocket client', () => {
  let world: EmbeddedWorld;
  let errors: unknown[];
  beforeEach(() => {
    world = makeEmbeddedWorld();
    errors = [];
  });
  afterEach(() => world.dispose());

  async function online(userID: string) {
    const backend = world.backend({ onListenerError: (e) => errors.push(e) });
    await backend.im.login(userID, world.userSig(userID));
    return backend;
  }

  /** Alice in room 3, and Bob, granted it, online but not in it (a callee who rings). */
  async function aliceInRoom() {
    const alice = await online('alice');
    const bob = await online('bob');
    (await world.server()).grantRoom(3, ['alice', 'bob']);
    await Promise.all([alice.room.enter(3, as('alice')), world.settle()]);
    return { alice, bob };
  }

  it('refuses locally what the server would refuse: a bad userID, an oversize payload', async () => {
    const alice = await online('alice');
    await expect(alice.im.sendToUser('not valid!', 'x', stored)).rejects.toMatchObject({ code: 65535, serverCode: 'badFrame' });
    await expect(alice.im.sendToUser('bob', 'x'.repeat(70_000), stored)).rejects.toMatchObject({ code: 65535, serverCode: 'tooLarge' });
    await expect(alice.im.sendToGroup('nope', 'x', stored)).rejects.toMatchObject({ code: 10010, serverCode: 'noSuchGroup' });
    expect((await world.server()).metrics().refused).toEqual({ noSuchGroup: 1 });
  });

  it('to a server that takes them, receipts and answered rids ride on requests: an answer sent from the message listener carries its receipt (no receipt frame of its own), and the server is told the answers it may forget', async () => {
    const sent: string[] = [];
    const Recording = class extends world.net.WebSocket {
      override send(data: string): void {
        sent.push(data);
        super.send(data);
      }
    };
    const alice = await online('alice');
    const bob = world.backend({ WebSocket: Recording, onListenerError: (e) => errors.push(e) });
    await bob.im.login('bob', world.userSig('bob'));
    // Bob answers each message from its listener, before the message is taken.
    const answers: Promise<void>[] = [];
    bob.im.onMessage((m) => answers.push(bob.im.sendToUser('alice', `r${m.payload.slice(1)}`, stored)));
    for (let i = 0; i < 20; i++) {
      await alice.im.sendToUser('bob', `m${i}`, stored);
      await world.settle();
      await answers[i];
    }
    const kinds = sent.map((text) => (JSON.parse(text) as { type: string }).type);
    expect(kinds.filter((k) => k === 'received')).toEqual([]);
    const folded = sent.filter((text) => text.startsWith('{"received":'));
    expect(folded.length).toBe(20);
    // Every ANSWERED_STEP answers, the server hears which it may forget (login is rid 1, the sends 2..21, each sent once the one before it was answered).
    const told = sent.map((text) => /^\{"received":\d+,"answered":(\d+),"type":"sendC2C"/.exec(text)?.[1]).filter((n) => n !== undefined).map(Number);
    expect(told).toEqual([4, 8, 12, 16, 20]);
    // Bob's 20 confirmed. Alice confirmed r0 alone at once; the rest came within the spacing that
    // started, and rode on her next message; r19's waits for the spacing to end (the clock stands).
    expect((await world.server()).metrics().delivered).toBe(39);
    await world.advance(RECEIPT_DELAY_MS);
    expect((await world.server()).metrics().delivered).toBe(40);
  });

  it('a listener that throws does not stop the others or the connection', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const heard: string[] = [];
    bob.im.onMessage(() => {
      throw new Error('listener bug');
    });
    bob.im.onMessage((m) => heard.push(m.payload));
    await alice.im.sendToUser('bob', 'one', stored);
    await alice.im.sendToUser('bob', 'two', stored);
    await world.settle();
    expect(heard).toEqual(['one', 'two']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener bug', 'listener bug']);
  });

  // Groups used to enrol whoever their creator named and let anyone join (the hole of issue 10):
  // now the creator invites, the invited join, and an invite-only group refuses everyone else.
  it('group management over the IM port: invite, join, refuse the uninvited, remove, delete', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    expect(await alice.im.createGroup('team', ['bob'])).toEqual(['alice']);
    await expect(alice.im.createGroup('team', [])).rejects.toMatchObject({ code: 10021 });
    expect(await alice.im.groupInfo('team')).toEqual({ members: ['alice'], owner: 'alice', joinRule: 'invite', invited: ['bob'] });
    await expect(carol.im.joinGroup('team')).rejects.toMatchObject({ code: 10007, serverCode: 'notInvited' });
    await expect(carol.im.groupMembers('team')).rejects.toMatchObject({ code: 10010, serverCode: 'notGroupMember' });
    expect(await bob.im.joinGroup('team')).toEqual(['alice', 'bob']);
    await expect(bob.im.inviteToGroup('team', ['carol'])).rejects.toMatchObject({ code: 10007, serverCode: 'notGroupOwner' });
    await alice.im.inviteToGroup('team', ['carol']);
    expect(await carol.im.joinGroup('team')).toEqual(['alice', 'bob', 'carol']);
    await bob.im.quitGroup('team');
    expect(await alice.im.groupMembers('team')).toEqual(['alice', 'carol']);
    await expect(bob.im.sendToGroup('team', 'x', stored)).rejects.toMatchObject({ code: 10010, serverCode: 'notGroupMember' });
    expect((await alice.im.removeFromGroup('team', ['carol'])).members).toEqual(['alice']);
    await alice.im.deleteGroup('team');
    await expect(alice.im.groupMembers('team')).rejects.toMatchObject({ serverCode: 'noSuchGroup' });
    expect((await carol.im.createGroup('lobby', [], { joinRule: 'open' })).length).toBe(1);
    expect(await bob.im.joinGroup('lobby')).toEqual(['carol', 'bob']);
  });

  it('relay between room members carries opaque data (for WebRTC signaling)', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const got: string[] = [];
    bob.room.onRelay((r) => got.push(`${r.from}@${r.roomID}: ${r.data}`));
    await expect(alice.room.relay(undefined, 'x')).rejects.toMatchObject({ code: 65535 });
    (await world.server()).grantRoom(3, ['alice', 'bob']); // no call here: the administrator admits them
    await Promise.all([alice.room.enter(3, { userID: 'alice', video: false, audioMuted: false }), world.settle()]);
    await Promise.all([bob.room.enter(3, { userID: 'bob', video: false, audioMuted: false }), world.settle()]);
    await alice.room.relay('bob', '{"sdp":"offer"}');
    await alice.room.relay(undefined, '{"candidate":"c1"}');
    await expect(alice.room.relay('carol', 'x')).rejects.toMatchObject({ code: 65535 });
    await world.settle();
    expect(got).toEqual(['alice@3: {"sdp":"offer"}', 'alice@3: {"candidate":"c1"}']);
  });

  it('a relay to an invitee not in the room yet is handed to it early and kept for its enter, and its copy with the enter is dropped; a relay written while the enter is out goes behind it', async () => {
    const { alice, bob } = await aliceInRoom();
    const got: Record<string, string[]> = { alice: [], bob: [] };
    alice.room.onRelay((r) => got.alice?.push(`${r.from}@${r.roomID}: ${r.data}`));
    bob.room.onRelay((r) => got.bob?.push(`${r.from}@${r.roomID}: ${r.data}`));
    await alice.room.relay('bob', 'offer');
    await alice.room.relay('bob', 'candidate');
    await world.settle();
    // Bob rings: not in the room, so not told to his listeners; kept for his enter.
    expect(got.bob).toEqual([]);
    const entering = bob.room.enter(3, as('bob'));
    // His answer goes out behind his roomEnter, without waiting for its reply.
    const answered = bob.room.relay('alice', 'answer');
    expect(bob.room.takeEarly(3)).toEqual([
      { roomID: 3, from: 'alice', data: 'offer', early: true },
      { roomID: 3, from: 'alice', data: 'candidate', early: true },
    ]);
    expect(bob.room.takeEarly(3)).toEqual([]);
    await world.settle();
    await Promise.all([entering, answered]);
    expect(got).toEqual({ alice: ['bob@3: answer'], bob: [] }); // the copies the enter brought were applied already
  });

  it('relays handed early that nobody takes are told once, with the enter, as from a server that hands none early', async () => {
    const { alice, bob } = await aliceInRoom();
    const got: string[] = [];
    bob.room.onRelay((r) => got.push(`${r.data}${r.early ? ' (early)' : ''}`));
    await alice.room.relay('bob', 'offer');
    await world.settle();
    await Promise.all([bob.room.enter(3, as('bob')), world.settle()]);
    expect(got).toEqual(['offer']);
  });

  it('a relay handed early while our enter is out goes to the relay listeners at once, before the room\'s reply', async () => {
    const { alice, bob } = await aliceInRoom();
    const got: Array<{ data: string; early?: true; inRoom: number | null }> = [];
    bob.room.onRelay((r) => got.push({ data: r.data, ...(r.early ? { early: r.early } : {}), inRoom: bob.room.room }));
    // Alice's offer reaches the server before Bob's roomEnter does: it is handed to him early,
    // after his enter took the room's early relays (none yet), as a WebRTC room port does.
    const offered = alice.room.relay('bob', 'offer');
    const entering = bob.room.enter(3, as('bob'));
    expect(bob.room.takeEarly(3)).toEqual([]);
    await world.settle();
    await Promise.all([offered, entering]);
    await alice.room.relay('bob', 'candidate');
    await world.settle();
    expect(got).toEqual([
      { data: 'offer', early: true, inRoom: null },
      { data: 'candidate', inRoom: 3 },
    ]);
    expect(bob.room.takeEarly(3)).toEqual([]);
  });

  it('an invitation forgotten before its caller\'s relays came (declined as she sent her offer): they are not kept; an enter of the room still brings them', async () => {
    const { alice, bob } = await aliceInRoom();
    const got: string[] = [];
    bob.room.onRelay((r) => got.push(`${r.data}${r.early ? ' (early)' : ''}`));
    bob.room.forgetInvitation(3);
    await alice.room.relay('bob', 'offer');
    await world.settle();
    expect(bob.room.takeEarly(3)).toEqual([]);
    await Promise.all([bob.room.enter(3, as('bob')), world.settle()]);
    expect(got).toEqual(['offer']);
  });

  it('an invitation forgotten while its enter is out (the enter took its early relays): the enter keeps them, and one handed early meanwhile is told at once', async () => {
    const { alice, bob } = await aliceInRoom();
    const got: string[] = [];
    bob.room.onRelay((r) => got.push(`${r.data}${r.early ? ' (early)' : ''} in ${bob.room.room}`));
    const offered = alice.room.relay('bob', 'offer');
    const entering = bob.room.enter(3, as('bob'));
    expect(bob.room.takeEarly(3)).toEqual([]);
    bob.room.forgetInvitation(3);
    await world.settle();
    await Promise.all([offered, entering]);
    expect(got).toEqual(['offer (early) in null']);
  });

  it('a refused room claim is told as the room failing with its error, the enter written right behind it fails with the same error, and a later enter with its own', async () => {
    const mallory = await online('mallory');
    const alice = await online('alice');
    await Promise.all([mallory.room.reserve?.(7), world.settle()]);
    const events: unknown[] = [];
    alice.room.onEvent((e) => events.push(e));
    // As call() does: the claim, and the enter behind it without waiting for the claim's answer.
    const claim = alice.room.reserve?.(7).catch((e: unknown) => e);
    const enter = alice.room.enter(7, as('alice')).catch((e: unknown) => e);
    await world.settle();
    expect(await claim).toMatchObject({ code: -1401, message: 'room 7 belongs to another call (roomInUse)', reason: 'roomInUse' });
    // The server's refusal as the client got it, kept as the cause (a call() refused so carries it as cause.cause).
    expect((await claim as Error).cause).toMatchObject({ name: 'ImPortError', code: -1401, serverCode: 'roomInUse' });
    expect(await enter).toBe(await claim);
    expect(events).toEqual([{ type: 'failed', roomID: 7, error: await claim }]);
    const again = alice.room.enter(7, as('alice')).catch((e: unknown) => e);
    await world.settle();
    expect(await again).toMatchObject({ message: expect.stringContaining('(notInvited)') });
    // The server's refusal under it: its code readable without the message.
    expect((await again as Error).cause).toMatchObject({ name: 'ImPortError', code: 10007, serverCode: 'notInvited' });
  });

  it('entering as another user than the one logged in is refused', async () => {
    const alice = await online('alice');
    await expect(alice.room.enter(3, { userID: 'bob', video: false, audioMuted: false })).rejects.toMatchObject({ code: 65535 });
    await expect(world.backend().room.enter(3, { userID: 'bob', video: false, audioMuted: false })).rejects.toThrow(/not logged in/);
  });
});
