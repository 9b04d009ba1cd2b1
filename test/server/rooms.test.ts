/**
 * Rooms and sessions: membership notices, published state, the relay channel, the grace period
 * of a dropped connection, resuming a session, and the kick of a duplicate login.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, tencentUserSig, testServer, type Frame, type TestServer } from './support';

const enter = (c: RawClient, roomID: number, audio = true, video = true) => c.request({ type: 'roomEnter', roomID, audio, video });
const notices = (c: RawClient) =>
  c.frames.filter((f) => ['userEntered', 'userLeft', 'memberState', 'relayed'].includes(f.type)).map(({ type, ...rest }) => ({ type, ...rest }));

describe('rooms', () => {
  let server: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let bobLogin: Frame;

  beforeEach(async () => {
    server = await testServer({ roomGraceMs: 10_000 });
    alice = await RawClient.login(server.handle.url, 'alice');
    bob = await RawClient.open(server.handle.url);
    bobLogin = await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
  });
  afterEach(async () => {
    alice.terminate();
    bob.terminate();
    await server.dispose();
  });

  it('enter, publish, relay, exit: each member hears the others, nobody else hears anything', async () => {
    const carol = await RawClient.login(server.handle.url, 'carol');
    await enter(carol, 8); // another room
    expect(await enter(alice, 7)).toMatchObject({ type: 'roomInfo', members: [{ userID: 'alice', audio: true, video: true }] });
    expect(await enter(bob, 7, true, false)).toMatchObject({
      members: [
        { userID: 'alice', audio: true, video: true },
        { userID: 'bob', audio: true, video: false },
      ],
    });
    await bob.request({ type: 'roomPublish', roomID: 7, audio: true, video: false }); // no change: no notice
    await bob.request({ type: 'roomPublish', roomID: 7, audio: false, video: true });
    await bob.request({ type: 'relay', roomID: 7, data: 'to everyone' });
    await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'just to bob' });
    expect((await alice.request({ type: 'relay', roomID: 7, to: 'carol', data: 'x' })).code).toBe('notInRoom');
    expect((await carol.request({ type: 'relay', roomID: 7, data: 'x' })).code).toBe('notInRoom');
    expect((await carol.request({ type: 'roomPublish', roomID: 7, audio: true, video: true })).code).toBe('notInRoom');
    expect((await bob.request({ type: 'roomEnter', roomID: 9, audio: true, video: true })).code).toBe('alreadyInRoom');
    await bob.request({ type: 'roomExit', roomID: 7 });
    expect((await bob.request({ type: 'roomExit', roomID: 7 })).code).toBe('notInRoom');
    for (const c of [alice, bob, carol]) await c.sync();
    expect(notices(alice)).toEqual([
      { type: 'userEntered', roomID: 7, userID: 'bob', audio: true, video: false },
      { type: 'memberState', roomID: 7, userID: 'bob', audio: false, video: true },
      { type: 'relayed', roomID: 7, from: 'bob', data: 'to everyone' },
      { type: 'userLeft', roomID: 7, userID: 'bob' },
    ]);
    expect(notices(bob)).toEqual([{ type: 'relayed', roomID: 7, from: 'alice', data: 'just to bob' }]);
    expect(notices(carol)).toEqual([]);
    carol.terminate();
  });

  it('a dropped connection leaves its room after the grace period (10 s)', async () => {
    await enter(alice, 7);
    await enter(bob, 7);
    bob.terminate();
    await bob.closed;
    await alice.sync();
    await server.clock.advance(9_900);
    await alice.sync();
    expect(notices(alice).map((n) => n.type)).toEqual(['userEntered']);
    await server.clock.advance(200);
    await alice.sync();
    expect(notices(alice).map((n) => n.type)).toEqual(['userEntered', 'userLeft']);
    expect(server.handle.metrics()).toMatchObject({ loggedInUsers: 1, detachedSessions: 0 });
  });

  it('reconnecting inside the grace period with the session token keeps the place', async () => {
    await enter(alice, 7);
    await enter(bob, 7, false, true);
    bob.terminate();
    await bob.closed;
    await server.clock.advance(5_000);
    await alice.request({ type: 'roomPublish', roomID: 7, audio: false, video: false });
    const back = await RawClient.open(server.handle.url);
    const resumed = await back.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), resume: bobLogin.session });
    expect(resumed).toMatchObject({
      type: 'loggedIn',
      session: bobLogin.session,
      resumed: true,
      room: { roomID: 7, members: [{ userID: 'alice', audio: false, video: false }, { userID: 'bob', audio: false, video: true }] },
    });
    await server.clock.advance(20_000);
    expect(await back.request({ type: 'relay', roomID: 7, data: 'still here' })).toMatchObject({ type: 'ack' });
    await alice.sync();
    expect(notices(alice).map((n) => n.type)).toEqual(['userEntered', 'relayed']);
    back.terminate();
  });

  it('a second login of the same user kicks the first connection (KICKED, close 4001) and takes over', async () => {
    await enter(alice, 7);
    await enter(bob, 7);
    const second = await RawClient.open(server.handle.url);
    const login = await second.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob') });
    expect(login).toMatchObject({ type: 'loggedIn', resumed: false, room: null });
    expect(await bob.next((f) => f.type === 'kicked')).toEqual({ type: 'kicked', reason: 'multipleAccount' });
    expect(await bob.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
    await alice.sync();
    expect(notices(alice).map((n) => n.type)).toEqual(['userEntered', 'userLeft']);
    // The kicked session cannot come back by resuming.
    const ghost = await RawClient.open(server.handle.url);
    const refused = await ghost.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), resume: bobLogin.session });
    expect(refused).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
    second.terminate();
    ghost.terminate();
  });

  it('a login without the token while the old connection is in its grace period ends the old session at once', async () => {
    await enter(alice, 7);
    await enter(bob, 7);
    bob.terminate();
    await bob.closed;
    const other = await RawClient.login(server.handle.url, 'bob');
    await alice.sync();
    expect(notices(alice).map((n) => n.type)).toEqual(['userEntered', 'userLeft']);
    other.terminate();
  });
});
