/**
 * `backend.presence` of the embedded backend: what a listener sees of who is online, through
 * logins, logouts, a dropped connection (asked for again after the reconnection), and a server
 * that offers no feed. Virtual time over real sockets (the embedded world).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import { WsConnection } from '../../../adapters/ws/WsConnection';
import { type PresenceView, WsPresence } from '../../../adapters/ws/WsPresence';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';
import { SyncSocket } from './syncSocket';

describe('backend.presence', () => {
  let world: EmbeddedWorld;
  afterEach(() => world.dispose());

  async function online(userID: string) {
    const backend = world.backend();
    await backend.im.login(userID, world.userSig(userID));
    await world.settle();
    return backend;
  }

  it('a listener sees the feed start at login, users come and go, and it is asked for again after a reconnection', async () => {
    world = makeEmbeddedWorld({ server: { presence: true } });
    const alice = world.backend();
    const views: PresenceView[] = [];
    const stop = alice.presence.subscribe((view) => views.push(view));
    await alice.im.login('alice', world.userSig('alice'));
    await world.settle();
    const bob = await online('bob');
    await online('carol');
    await bob.im.logout();
    await world.advance(1000); // bob's logout came within a second of his login: told at the end of that window
    expect(alice.presence.isOnline('carol')).toBe(true);
    expect(alice.presence.isOnline('bob')).toBe(false);

    expect((await world.server()).dropConnections('alice')).toBe(1);
    await world.settle();
    await online('dave');
    stop();
    await online('erin');
    await world.settle();

    expect(views).toEqual([
      { state: 'idle', online: [] },
      { state: 'connecting', online: [] },
      { state: 'live', online: [] },
      { state: 'live', online: ['bob'] },
      { state: 'live', online: ['bob', 'carol'] },
      { state: 'live', online: ['carol'] },
      { state: 'connecting', online: ['carol'] }, // the socket dropped: what was known stays shown
      { state: 'live', online: ['carol'] }, // a fresh snapshot after the reconnection
      { state: 'live', online: ['carol', 'dave'] },
    ]); // and nothing after stop(): erin's login reached no one
    expect(alice.presence.view).toEqual({ state: 'idle', online: [] }); // the last listener left: the feed stopped
  });

  it('a server without --presence: the feed is unavailable, and says so', async () => {
    world = makeEmbeddedWorld();
    const alice = await online('alice');
    const views: PresenceView[] = [];
    alice.presence.subscribe((view) => views.push(view));
    await world.settle();
    await online('bob');
    expect(views).toEqual([
      { state: 'idle', online: [] },
      { state: 'connecting', online: [] },
      { state: 'unavailable', online: [] },
    ]);
  });
});

// A change frame batches every change that waited for its window (server/presence.ts): many users at once, one who
// left and came back, and (from a server we do not control) a name twice or our own. Scripted, as a server sends it.
describe('backend.presence: merging a change frame', () => {
  it('the online list keeps its order, drops who went, adds who came in the frame\'s order, once each, never us', async () => {
    const conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock: new SimulatedClock(0) });
    const presence = new WsPresence(conn);
    const login = conn.login('alice', 'sig');
    await Promise.resolve();
    const sock = SyncSocket.last;
    const ridOf = (type: string) => (JSON.parse(sock.sent.find((s) => s.includes(`"type":"${type}"`)) ?? '{}') as { rid: number }).rid;
    sock.deliver({ type: 'loggedIn', rid: ridOf('login'), userID: 'alice', session: 's1', resumed: false, room: null, serverTime: 0 });
    await login;
    const views: PresenceView[] = [];
    presence.subscribe((view) => views.push(view));
    sock.deliver({ type: 'presence', snapshot: true, online: ['bob', 'alice', 'carol', 'dave'], offline: [] });
    sock.deliver({ type: 'ack', rid: ridOf('presenceSubscribe') });
    sock.deliver({ type: 'presence', snapshot: false, online: ['erin', 'carol', 'bob', 'frank', 'erin', 'alice', 'gina'], offline: ['carol', 'dave'] });
    sock.deliver({ type: 'presence', snapshot: false, online: ['bob', 'erin'], offline: [] }); // nothing new: no view
    expect(views).toEqual([
      { state: 'idle', online: [] },
      { state: 'connecting', online: [] },
      { state: 'live', online: ['bob', 'carol', 'dave'] },
      { state: 'live', online: ['bob', 'erin', 'carol', 'frank', 'gina'] },
    ]);
    expect(['bob', 'carol', 'dave', 'alice'].map((u) => presence.isOnline(u))).toEqual([true, true, false, false]);
  });
});
