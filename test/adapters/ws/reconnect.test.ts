/**
 * The WebSocket client when the network fails: a dropped socket is reopened per the reconnect
 * policy and re-authenticated (resuming the server's session), what was asked to be sent is
 * sent once or fails with an error, rooms are kept or re-entered, and a second login kicks.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../../adapters/ImPort';
import type { ReconnectContext, ReconnectPolicy } from '../../../adapters/ws/socket';
import { embeddedBackend, type EmbeddedBackendOptions } from '../../../src/embedded';
import { TRTCCalling } from '../../../src/index';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { party, type Party } from '../../support/world';

const S = 1000;
const stored = { onlineUserOnly: false };

/** A policy that records what it was asked and answers from a list of delays. */
function scripted(delays: (number | null)[]): ReconnectPolicy & { asked: ReconnectContext[] } {
  const asked: ReconnectContext[] = [];
  return {
    asked,
    nextRetryDelayInMs(context) {
      asked.push(context);
      return delays[Math.min(context.retryCount, delays.length - 1)] ?? null;
    },
  };
}

describe('reconnecting', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  /** A TRTCCalling user on its own backend options, logged in, its log and connection states recorded. */
  async function join(userID: string, options: Partial<EmbeddedBackendOptions> = {}) {
    const backend = world.backend(options);
    const states: ConnectionState[] = [];
    backend.im.onConnectionChange((s) => states.push(s));
    const p: Party = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await p.calling.login({ userID, userSig: world.userSig(userID) });
    await world.settle();
    p.take();
    return { ...p, backend, states };
  }

  /** Alice video-calls Bob and Bob accepts. */
  async function inCall(alice: Party, bob: Party) {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  }

  it('the server drops Alice mid-call -> she reconnects per policy, resumes her session; she sees SDK_NOT_READY, SDK_READY; the call goes on', async () => {
    const policy = scripted([500, 1000]);
    const alice = await join('alice', { reconnect: policy });
    const bob = await join('bob');
    await inCall(alice, bob);
    expect(alice.calling.getSnapshot().connection).toBe('connected');
    expect((await world.server()).dropConnections('alice')).toBe(1);
    await world.advance(499);
    expect(alice.states).toEqual(['connected', 'connecting']);
    expect(policy.asked).toEqual([{ retryCount: 0, elapsedMs: 0, reason: 'closed 1006' }]);
    expect(alice.take()).toEqual([ev.notReady()]);
    expect(alice.calling.getSnapshot()).toMatchObject({ connection: 'reconnecting', line: 'busy', call: { state: 'inCall' } });
    await world.advance(1);
    expect(alice.states).toEqual(['connected', 'connecting', 'connected']);
    expect(alice.take()).toEqual([ev.ready()]);
    expect(alice.calling.getSnapshot().connection).toBe('connected');
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 2, detachedSessions: 0, rooms: 1 });
    await world.advance(30 * S);
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual([]);
    await bob.calling.hangup();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup', 32)]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 32)]);
  });

  it('a list of URLs (the nodes of a cluster): each loss dials the next one, round the list; the call goes on', async () => {
    const dialled: string[] = [];
    const Recording = class extends world.net.WebSocket {
      constructor(url: string) {
        dialled.push(url);
        super(url);
      }
    };
    const nodes = ['ws://node-a.invalid/ws', 'ws://node-b.invalid/ws', 'ws://node-c.invalid/ws'];
    const alice = await join('alice', { url: nodes, WebSocket: Recording, reconnect: scripted([0]) });
    const bob = await join('bob');
    await inCall(alice, bob);
    for (let i = 0; i < 3; i++) {
      expect((await world.server()).dropConnections('alice')).toBe(1);
      await world.advance(S);
    }
    expect(dialled).toEqual([nodes[0], nodes[1], nodes[2], nodes[0]]);
    expect(alice.backend.connection.url).toBe(nodes[0]);
    // Each loss is told as the connection going and coming back, nothing of the call.
    expect(alice.take()).toEqual([ev.notReady(), ev.ready(), ev.notReady(), ev.ready(), ev.notReady(), ev.ready()]);
    expect(bob.take()).toEqual([]);
  });

  it('a URL that is not ws:// or wss://, or an empty list, is refused with a TypeError', () => {
    expect(() => world.backend({ url: [] })).toThrow(TypeError);
    expect(() => world.backend({ url: 'http://example.com/ws' })).toThrow(TypeError);
    expect(() => world.backend({ url: ['ws://a/ws', 42 as unknown as string] })).toThrow(TypeError);
  });

  it('without a WebSocket (Node 20 given none), a bad URL or deviceID is still the TypeError that names it', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(() => embeddedBackend({ url: 'http://example.com/ws' })).toThrow(new TypeError('url must be a ws:// or wss:// URL, or a non-empty list of them'));
      expect(() => embeddedBackend({ url: 'ws://a/ws', multiDevice: true, deviceID: 'a b' })).toThrow(TypeError);
      // A good URL: what is missing is the WebSocket.
      expect(() => embeddedBackend({ url: 'ws://a/ws' })).toThrow(/no WebSocket implementation/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('the server drops Alice mid-call, Bob hangs up while she is away; she resumes her session -> USER_LEAVE bob, CALL_END hangup', async () => {
    const alice = await join('alice', { reconnect: scripted([2000]) });
    const bob = await join('bob');
    await inCall(alice, bob);
    (await world.server()).dropConnections('alice');
    await world.settle();
    await bob.calling.hangup();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 1)]);
    expect(alice.take()).toEqual([ev.notReady()]);
    await world.advance(S); // back 2 s after the drop: her place was kept, and Bob is no longer in the room
    expect(alice.states).toEqual(['connected', 'connecting', 'connected']);
    expect(alice.take()).toEqual([ev.ready(), ev.leave('bob'), ev.end('alice', 'hangup', 3)]);
  });

  it('a message sent while reconnecting is delivered once, when the connection is back', async () => {
    const alice = world.backend({ reconnect: scripted([2000]) });
    const bob = world.backend();
    const heard: string[] = [];
    bob.im.onMessage((m) => heard.push(`${m.from}: ${m.payload}`));
    await alice.im.login('alice', world.userSig('alice'));
    await bob.im.login('bob', world.userSig('bob'));
    (await world.server()).dropConnections('alice');
    await world.settle();
    let sent = false;
    const sending = alice.im.sendToUser('bob', 'sent while away', stored).then(() => (sent = true));
    await world.advance(1999);
    expect([sent, heard]).toEqual([false, []]);
    await world.advance(1);
    await sending;
    expect(heard).toEqual(['alice: sent while away']);
  });

  it('the answer to a send is lost with the connection -> the resent request is answered, not redone', async () => {
    const alice = world.backend({ reconnect: scripted([0]) });
    const bob = world.backend();
    const heard: string[] = [];
    bob.im.onMessage((m) => heard.push(m.payload));
    await alice.im.login('alice', world.userSig('alice'));
    await bob.im.login('bob', world.userSig('bob'));
    const server = await world.server();
    world.net.intercept = (data) => {
      if (!/"type":"ack".*"id":/.test(data)) return 'deliver';
      world.net.intercept = null;
      server.dropConnections('alice');
      return 'drop';
    };
    const sending = alice.im.sendToUser('bob', 'exactly once', stored);
    await world.settle();
    expect(heard).toEqual(['exactly once']);
    await world.advance(S);
    await sending;
    expect(heard).toEqual(['exactly once']);
    expect(server.metrics().relayed).toBe(1);
  });

  it('the server stays down -> pending sends fail with 2805 when their time is up, and when the policy gives up', async () => {
    const alice = world.backend({ reconnect: scripted([1000, 1000, 1000, null]), requestTimeoutMs: 2500 });
    const states: ConnectionState[] = [];
    alice.im.onConnectionChange((s) => states.push(s));
    await alice.im.login('alice', world.userSig('alice'));
    await world.stopServer();
    const first = alice.im.sendToUser('bob', 'one', stored).catch((e: unknown) => e);
    await world.advance(2000);
    const second = alice.im.sendToUser('bob', 'two', stored).catch((e: unknown) => e);
    await world.advance(600);
    expect(await first).toMatchObject({ code: 2805, message: 'no answer from the server in time' });
    await world.advance(S);
    expect(await second).toMatchObject({ code: 2805, message: expect.stringMatching(/^connection lost/) });
    expect(states).toEqual(['connected', 'connecting', 'disconnected']);
    await expect(alice.im.sendToUser('bob', 'three', stored)).rejects.toMatchObject({ code: 2024 });
  });

  it('Alice is away longer than the grace period -> Bob sees her leave; back, she gets his stored hangup and her call ends', async () => {
    const alice = await join('alice', { reconnect: scripted([15_000]) });
    const bob = await join('bob');
    await inCall(alice, bob);
    (await world.server()).dropConnections('alice');
    await world.advance(10 * S);
    // At 12 s the server gives up on Alice: Bob is alone, his call ends and he tells her so (stored).
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 11)]);
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 1, detachedSessions: 0, storedNow: 1 });
    await world.advance(5 * S);
    // Back at 17 s: a new session, the stored hangup ends her call. (The core reports no USER_LEAVE
    // for Bob here: a hangup notice naming her ends the call as it stands.)
    expect(alice.take()).toEqual([ev.notReady(), ev.ready(), ev.end('alice', 'hangup', 16)]);
    await world.advance(30 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect((await world.server()).metrics()).toMatchObject({ rooms: 0, storedNow: 0 });
  });

  /** Alice and Bob in room 5 at the RoomPort level; Alice's room events recorded. */
  async function inRoom(aliceOptions: Partial<EmbeddedBackendOptions>, bobOptions: Partial<EmbeddedBackendOptions> = {}) {
    const alice = world.backend(aliceOptions);
    const bob = world.backend(bobOptions);
    await alice.im.login('alice', world.userSig('alice'));
    await bob.im.login('bob', world.userSig('bob'));
    const events: string[] = [];
    alice.room.onEvent((e) => events.push(e.type === 'reconnected' ? `reconnected [${e.members.join(',')}]${e.resumed ? ' resumed' : ''}` : `${e.type} ${'userID' in e ? e.userID : ''}`.trim()));
    (await world.server()).grantRoom(5, ['alice', 'bob']); // no call here: the administrator admits them
    await Promise.all([alice.room.enter(5, { userID: 'alice', video: true, audioMuted: false }), world.settle()]);
    await Promise.all([bob.room.enter(5, { userID: 'bob', video: false, audioMuted: false }), world.settle()]);
    await world.settle();
    expect(events).toEqual(['memberJoined bob', 'audioAvailable bob', 'mediaArrived bob']);
    return { alice, bob, events };
  }

  it('Alice is away longer than the grace period while Bob stays -> she enters again; her room reports him there (facts), then his news', async () => {
    const { alice, bob, events } = await inRoom({ reconnect: scripted([15_000]) });
    (await world.server()).dropConnections('alice');
    await world.advance(15 * S); // the server ended her session at 10 s; she is back at 15 s
    expect(alice.room.room).toBe(5);
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 2, rooms: 1 });
    await bob.room.setCamera(true);
    await world.settle();
    expect(events.slice(3)).toEqual(['memberJoined bob', 'mediaArrived bob', 'reconnected [bob]', 'videoAvailable bob']);
  });

  it('Alice is away longer than the grace period while Bob stays -> in the call, nobody sees a leave or an enter', async () => {
    const alice = await join('alice', { reconnect: scripted([15_000]) });
    const bob = await join('bob');
    // Bob's hangup notice to her would end her call: what matters here is her own room.
    await inCall(alice, bob);
    world.net.intercept = (data) => (/"type":"userLeft"/.test(data) ? 'drop' : 'deliver');
    (await world.server()).dropConnections('alice');
    await world.advance(15 * S);
    world.net.intercept = null;
    expect(alice.take()).toEqual([ev.notReady(), ev.ready()]);
    await bob.calling.closeCamera();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.video('bob', false)]);
  });

  it('the server restarts and Bob never comes back -> Alice, in the room again, waits missingMemberMs (10 s) for him, then USER_LEAVE and CALL_END error', async () => {
    const alice = await join('alice', { reconnect: scripted([0]) });
    const bob = await join('bob', { reconnect: scripted([null]) });
    await inCall(alice, bob);
    await world.restartServer();
    await world.advance(9_900);
    expect(alice.backend.room.room).toBe(1001);
    expect(alice.take()).toEqual([ev.notReady(), ev.ready()]);
    // Bob's backend gave up: not ready, and it stays so (disconnected). ERROR's cause is the room's
    // error, and below it the connection's 2805 and the socket's close (none before the review).
    const closed = expect.objectContaining({ code: 2805, message: 'connection lost: closed 1001 server shutting down', cause: expect.objectContaining({ code: 1001 }) });
    const roomLost = expect.objectContaining({ code: 65535, message: expect.stringMatching(/^connection ended: gave up/), cause: closed });
    expect(bob.take()).toEqual([ev.notReady(), ev.error(65535, roomLost), ev.end('alice', 'error')]);
    expect(bob.calling.getSnapshot().connection).toBe('disconnected');
    await world.advance(200);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'error', 11)]);
  });

  it('the server restarts mid-call -> both reconnect and re-enter the room; the call goes on', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await inCall(alice, bob);
    await world.restartServer();
    await world.advance(5 * S);
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 2, rooms: 1 });
    await world.advance(30 * S);
    expect([alice.take(), bob.take()]).toEqual([[ev.notReady(), ev.ready()], [ev.notReady(), ev.ready()]]);
    await bob.calling.closeCamera();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.video('bob', false)]);
    await alice.calling.hangup();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 37)]);
  });

  it('Alice logs in on a second client -> the first gets KICKED_OUT and its call ends; Bob sees her leave', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await inCall(alice, bob);
    await join('alice');
    await world.advance(S);
    expect(alice.take()).toEqual([ev.kicked('multipleAccount'), ev.end('alice', 'kickedOut')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    expect(alice.states).toEqual(['connected', 'disconnected']);
    await expect(alice.backend.im.sendToUser('bob', 'x', stored)).rejects.toMatchObject({ code: 2024 });
  });
});
