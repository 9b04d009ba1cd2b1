/**
 * Rooms and sessions: membership notices, published state, the relay channel, the grace period
 * of a dropped connection, resuming a session, and the kick of a duplicate login. Rooms belong to
 * calls: these tests have no call, so the administrator admits each user to its room
 * (`grantRoom`); who may enter without that is in test/security/rooms.security.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, serverSees, tencentUserSig, testServer, type Frame, type TestServer } from './support';

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
    server.handle.grantRoom(7, ['alice', 'bob']);
    server.handle.grantRoom(8, ['carol']);
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
    expect((await carol.request({ type: 'roomMembers', roomID: 7 })).code).toBe('notInvited');
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
    // Its grace starts when the server sees the socket go (alice's round trip does not say it did).
    await serverSees('bob detached', () => server.handle.metrics().detachedSessions === 1);
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

  it('a kicked session cannot come back with its old userSig while the newer login lives; a fresh userSig can', async () => {
    const oldSig = tencentUserSig('carol', 3600);
    const first = await RawClient.open(server.handle.url);
    expect((await first.request({ type: 'login', userID: 'carol', userSig: oldSig })).type).toBe('loggedIn');
    await server.clock.advance(1000); // the newer device's userSig is made later: a different one
    const newSig = tencentUserSig('carol', 3599);
    expect(newSig).not.toBe(oldSig);
    const second = await RawClient.open(server.handle.url);
    const secondLogin = await second.request({ type: 'login', userID: 'carol', userSig: newSig });
    expect(secondLogin.type).toBe('loggedIn');
    expect(await first.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
    // The kicked tab reconnecting on its own, without its token, is refused and kicks nobody.
    const comeback = await RawClient.open(server.handle.url);
    expect(await comeback.request({ type: 'login', userID: 'carol', userSig: oldSig })).toMatchObject({ type: 'error', code: 'sessionSuperseded' });
    await second.sync();
    expect(second.ofType('kicked')).toEqual([]);
    // The newer session drops and comes back with its token, or reloads with its own userSig: both work.
    second.terminate();
    await second.closed;
    const resumed = await RawClient.open(server.handle.url);
    expect(await resumed.request({ type: 'login', userID: 'carol', userSig: newSig, resume: secondLogin.session })).toMatchObject({ resumed: true });
    resumed.terminate();
    await resumed.closed;
    const reloaded = await RawClient.open(server.handle.url);
    expect((await reloaded.request({ type: 'login', userID: 'carol', userSig: newSig })).type).toBe('loggedIn');
    // Once no session of carol is left, the old userSig is an ordinary one again.
    await reloaded.request({ type: 'logout' });
    expect((await comeback.request({ type: 'login', userID: 'carol', userSig: oldSig })).type).toBe('loggedIn');
    for (const c of [comeback, reloaded]) c.terminate();
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

describe('room notices are paid for by the member that causes them (fanout)', () => {
  // Ten members; the sender's fan-out budget is 200 copies at once, refilled at 20 a second (the
  // clock stands still until the test moves it). Group members are capped below the burst, as required.
  const limits = { fanout: { perSecond: 20, burst: 200 }, maxGroupMembers: 50 };
  let server: TestServer;
  let members: RawClient[];

  beforeEach(async () => {
    server = await testServer({ limits });
    const users = Array.from({ length: 10 }, (_, i) => `member${i}`);
    server.handle.grantRoom(9, users);
    members = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u)));
    for (const m of members.slice(1)) expect(await enter(m, 9)).toMatchObject({ type: 'roomInfo' });
  });
  afterEach(async () => {
    for (const m of members) m.terminate();
    await server.dispose();
  });

  it('toggling what a member publishes costs a copy per other member: past the budget it is refused, unchanged, and nobody hears it', async () => {
    const [toggler, listener] = members as [RawClient, RawClient];
    // Entering pays for its userEntered now and its userLeft later: 2 x 9 of 200.
    expect(await enter(toggler, 9)).toMatchObject({ type: 'roomInfo' });
    const answers: Frame[] = [];
    let audio = true; // as it entered
    const toggle = () => toggler.request({ type: 'roomPublish', roomID: 9, audio: !audio, video: true });
    for (let i = 0; i < 30; i++) {
      const answer = await toggle();
      answers.push(answer);
      if (answer.type === 'ack') audio = !audio;
    }
    const acked = answers.filter((f) => f.type === 'ack').length;
    expect(acked).toBe(Math.floor((200 - 18) / 9)); // 20
    expect(answers.slice(acked).every((f) => f.type === 'error' && f.code === 'rateLimited')).toBe(true);
    // Publishing what it already publishes tells nobody, and costs nothing.
    expect(await toggler.request({ type: 'roomPublish', roomID: 9, audio, video: true })).toMatchObject({ type: 'ack' });
    await listener.sync();
    expect(listener.ofType('memberState')).toHaveLength(acked);
    expect((await listener.request({ type: 'roomMembers', roomID: 9 })).members).toContainEqual({ userID: 'member0', audio, video: true });
    expect(server.handle.metrics().limits.roomNotices).toBe(30 - acked);
    // The budget refills: one second later (20 copies), two more toggles go.
    await server.clock.advance(1000);
    for (const expected of ['ack', 'ack', 'error']) {
      const answer = await toggle();
      expect(answer.type).toBe(expected);
      if (answer.type === 'ack') audio = !audio;
    }
  });

  it('a member not in the room is refused notInRoom before any charge (which would tell how many are in it)', async () => {
    const [outsider] = members as [RawClient];
    for (let i = 0; i < 12; i++) expect(await outsider.request({ type: 'roomPublish', roomID: 9, audio: i % 2 === 0, video: true })).toMatchObject({ code: 'notInRoom' });
    expect(server.handle.metrics().limits.roomNotices ?? 0).toBe(0);
    expect(await enter(outsider, 9)).toMatchObject({ type: 'roomInfo' }); // its budget is whole: 18 of 200
  });

  it('entering and leaving in a loop is paid at the entry: past the budget the entry is refused and the room hears nothing', async () => {
    const [cycler, listener] = members as [RawClient, RawClient];
    const answers: Frame[] = [];
    for (let i = 0; i < 15; i++) {
      const entered = await enter(cycler, 9);
      answers.push(entered);
      if (entered.type === 'roomInfo') expect(await cycler.request({ type: 'roomExit', roomID: 9 })).toMatchObject({ type: 'ack' });
    }
    const entries = answers.filter((f) => f.type === 'roomInfo').length;
    expect(entries).toBe(Math.floor(200 / 18)); // 11
    expect(answers.slice(entries).every((f) => f.type === 'error' && f.code === 'rateLimited')).toBe(true);
    await listener.sync();
    expect(listener.ofType('userEntered').filter((f) => f.userID === 'member0')).toHaveLength(entries);
    expect(listener.ofType('userLeft').filter((f) => f.userID === 'member0')).toHaveLength(entries);
    // Leaving is never refused, whatever is left of the budget: 2 + 20 refilled - 18 is not a toggle's 9.
    await server.clock.advance(1000);
    expect(await enter(cycler, 9)).toMatchObject({ type: 'roomInfo' });
    expect(await cycler.request({ type: 'roomPublish', roomID: 9, audio: false, video: true })).toMatchObject({ code: 'rateLimited' });
    expect(await cycler.request({ type: 'roomExit', roomID: 9 })).toMatchObject({ type: 'ack' });
  });
});

describe('quota: the owner coming back to a room it left on purpose', () => {
  it('counts against its rooms again, and is refused past the quota (quotaExceeded), as the README says', async () => {
    const server = await testServer({ limits: { maxRoomsPerUser: 2 } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'invite', onlineUserOnly: false, call: { inviteID: 'inv-1', roomID: 1, invitees: ['bob'], timeout: 30 } });
    await alice.request({ type: 'roomEnter', roomID: 1, audio: true, video: false });
    await alice.request({ type: 'roomExit', roomID: 1 }); // hung up: room 1 lingers 5 s for the invitation, off the count
    for (const room of [2, 3]) expect(await alice.request({ type: 'roomClaim', roomID: room })).toMatchObject({ type: 'ack' });
    expect(await alice.request({ type: 'roomEnter', roomID: 1, audio: true, video: false })).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    alice.terminate();
    await server.dispose();
  });
});
