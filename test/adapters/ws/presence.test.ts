/**
 * `backend.presence` of the embedded backend: what a listener sees of who is online, through
 * logins, logouts, a dropped connection (asked for again after the reconnection), and a server
 * that offers no feed. Virtual time over real sockets (the embedded world).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceView } from '../../../adapters/ws/WsPresence';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

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
