/**
 * Authentication over the wire: refused userSigs get clear codes, nothing from a connection
 * that has not logged in reaches anyone, and the sender of a message is whoever logged in,
 * whatever the frame (or the payload inside it) claims.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import { RawClient, SDKAPPID, tencentUserSig, testServer, type TestServer } from './support';

describe('auth', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  it('forged, expired, wrong-app, other-user, malformed and missing userSigs are refused with their codes', async () => {
    const client = await RawClient.open(server.handle.url);
    const attempt = async (userID: string, userSig: string) => {
      const reply = await client.request({ type: 'login', userID, userSig });
      return reply.type === 'error' ? reply.code : reply.type;
    };
    const expiring = tencentUserSig('alice', 60);
    const codes = [
      await attempt('alice', ''),
      await attempt('alice', 'garbage'),
      await attempt('alice', tencentUserSig('alice', 60, SDKAPPID, 'not-the-app-secret')),
      await attempt('alice', tencentUserSig('alice', 60, 1400000999)),
      await attempt('alice', tencentUserSig('mallory', 60)),
    ];
    // Still connected, still not logged in: a valid userSig works on the same connection.
    codes.push(await attempt('alice', tencentUserSig('alice')));
    client.terminate();
    await server.clock.advance(61_000);
    const later = await RawClient.open(server.handle.url);
    const reply = await later.request({ type: 'login', userID: 'alice', userSig: expiring });
    codes.push(reply.type === 'error' ? reply.code : reply.type);
    expect(codes).toEqual(['userSigMissing', 'userSigMalformed', 'userSigForged', 'userSigWrongApp', 'userSigWrongUser', 'loggedIn', 'userSigExpired']);
    later.terminate();
  });

  it('a login frame without a userSig field is refused as a bad frame', async () => {
    const client = await RawClient.open(server.handle.url);
    const reply = await client.request({ type: 'login', userID: 'alice' });
    expect(reply).toMatchObject({ type: 'error', code: 'badFrame', message: expect.stringContaining('userSig') });
    client.terminate();
  });

  it('frames from a connection that has not logged in reach nobody', async () => {
    const bob = await RawClient.login(server.handle.url, 'bob');
    server.handle.grantRoom(7, ['bob']);
    await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: true });
    const stranger = await RawClient.open(server.handle.url);
    const refused = [];
    for (const frame of [
      { type: 'sendC2C', to: 'bob', payload: 'hi', onlineUserOnly: false },
      { type: 'sendC2C', to: 'carol', payload: 'hi', onlineUserOnly: false },
      { type: 'groupCreate', groupID: 'g', members: ['bob'] },
      { type: 'roomEnter', roomID: 7, audio: true, video: true },
      { type: 'relay', roomID: 7, data: 'x' },
    ]) {
      refused.push((await stranger.request(frame)).code);
    }
    expect(refused).toEqual(['notLoggedIn', 'notLoggedIn', 'notLoggedIn', 'notLoggedIn', 'notLoggedIn']);
    await bob.sync();
    expect(bob.frames.map((f) => f.type)).toEqual(['loggedIn', 'roomInfo', 'pong']);
    expect(server.handle.metrics()).toMatchObject({ relayed: 0, stored: 0, relayFrames: 0, refused: { notLoggedIn: 5 } });
    bob.terminate();
    stranger.terminate();
  });

  it('a frame that claims another sender is stamped with the real one', async () => {
    const bob = await RawClient.login(server.handle.url, 'bob');
    const mallory = await RawClient.login(server.handle.url, 'mallory');
    const ack = await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'hello', onlineUserOnly: false, from: 'alice', sentAt: 0 });
    const message = await bob.next((f) => f.type === 'message');
    expect(message).toMatchObject({ from: 'mallory', payload: 'hello', sentAt: server.clock.now(), id: ack.id });
    expect(message.sentAt).toBe(ack.sentAt);
    bob.terminate();
    mallory.terminate();
  });
});

describe('auth, end to end', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  it("Mallory sends Bob a cancel that claims to be Alice's -> dropped by Bob's codec, Bob keeps ringing", async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    const mallory = world.backend();
    await mallory.im.login('mallory', world.userSig('mallory'));
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(1000);
    const [invite] = bob.take();
    expect(invite).toEqual(ev.invited('alice', ['bob']));
    const { inviteID } = invite?.payload as { inviteID: string };
    const forged = encodeSignal({ kind: 'cancel', inviteID, inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'] });
    // Bob is online: the ack waits for his receipt or the write-behind window, on the world's clock.
    const sent = mallory.im.sendToUser('bob', forged, { onlineUserOnly: false });
    await world.advance(1000);
    await sent;
    expect(bob.take()).toEqual([]);
    await alice.calling.hangup();
    await world.advance(1000);
    expect(bob.take()).toEqual([ev.cancelled('alice')]);
  });
});
