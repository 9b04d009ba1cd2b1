/**
 * `TimImPort` beyond the shared ImPort contract: TIM's login handshake, its events, the TIM
 * messages it reads and skips, the dating of messages, TSignaling's offline replay, the shared
 * credentials and the lazy loading of tim-js-sdk.
 */
import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import { encodeSignal } from '../../../adapters/signalingCodec';
import { TIM_EVENT, TIM_TYPES, TimImPort, type TimModule } from '../../../adapters/tencent';
import { ServerTime } from '../../../adapters/tencent/timMessages';
import type { WireSignal } from '../../../machines/types';
import { recordIm } from '../../contracts/imPortContract';
import { FakeTimCloud, type FakeTim } from '../../tencent/fakes/fakeTim';
import { TimError } from '../../tencent/fakes/fakeTimInstance';

const SDK_APP_ID = 1400000001;
const stored = { onlineUserOnly: false };

function setup(start = 0) {
  const clock = new SimulatedClock(start);
  const cloud = new FakeTimCloud(clock);
  const port = (tim: FakeTim = cloud.create()) => new TimImPort({ SDKAppID: SDK_APP_ID, tim, clock });
  const online = async (userID: string, tim: FakeTim = cloud.create()) => {
    const p = port(tim);
    const rec = recordIm(p);
    const login = p.login(userID, `sig-${userID}`);
    await clock.advance(100);
    await login;
    return { port: p, rec, tim };
  };
  return { clock, cloud, port, online };
}

const base = { inviter: 'alice', groupID: '', callType: 2 } as const;
const invite = (inviteID: string): string =>
  encodeSignal({ ...base, kind: 'invite', inviteID, invitees: ['bob'], roomID: 7, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });
const cancel = (inviteID: string): string => encodeSignal({ ...base, kind: 'cancel', inviteID, invitees: ['bob'] });
const accept = (inviteID: string): string => encodeSignal({ ...base, kind: 'accept', inviteID, invitee: 'bob' } satisfies WireSignal);

describe('login', () => {
  it('resolves on SDK_READY, not when tim.login resolves; then records the credentials for TRTC', async () => {
    const { clock, port } = setup();
    const p = port();
    let done = false;
    const login = p.login('alice', 'sig-a').then(() => (done = true));
    await clock.advance(20); // tim.login has resolved
    expect([done, p.credentials.current]).toEqual([false, null]);
    await clock.advance(20); // SDK_READY
    await login;
    expect(p.credentials.current).toEqual({ sdkAppId: SDK_APP_ID, userID: 'alice', userSig: 'sig-a' });
  });

  it('an app\'s TIM instance already logged in as the user (repeatLogin): resolves without SDK_READY', async () => {
    const { clock, cloud, port } = setup();
    const tim = cloud.create();
    const appLogin = tim.login({ userID: 'alice', userSig: 's' });
    await clock.advance(100);
    await appLogin;
    await expect(port(tim).login('alice', 's')).resolves.toBeUndefined();
  });

  it('TIM refusing the login rejects with TIM\'s code, TIM\'s own error its cause; SDK_NOT_READY during a login rejects it', async () => {
    const { cloud, port } = setup();
    const refused = await port().login('alice', '').catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'ImPortError', code: 70001, cause: expect.any(TimError) });
    expect((refused as Error).cause).toMatchObject({ code: 70001, message: 'userSig is invalid' });
    const tim = cloud.create();
    vi.spyOn(tim, 'login').mockImplementation(async () => {
      queueMicrotask(() => tim.fire(TIM_EVENT.SDK_NOT_READY));
      return { code: 0, data: { repeatLogin: false } };
    });
    await expect(port(tim).login('alice', 's')).rejects.toMatchObject({ code: 2024 });
  });

  // tim-js-sdk refuses a login while another's request is on its way (REPEAT_LOGIN, 2025) and a
  // logout before a login was answered (USER_NOT_LOGGED_IN, 2024): the fake TIM does too.
  it('a second login of the user while the first is under way joins it: TIM is asked once', async () => {
    const { clock, cloud, port } = setup();
    const tim = cloud.create();
    const timLogin = vi.spyOn(tim, 'login');
    const p = port(tim);
    const first = p.login('alice', 's');
    const second = p.login('alice', 's');
    await clock.advance(100);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect([timLogin.mock.calls.length, tim.userID, p.credentials.current?.userID]).toEqual([1, 'alice', 'alice']);
  });

  it('a login of another user while one is under way waits for TIM\'s answer to it, then logs in', async () => {
    const { clock, cloud, port } = setup();
    const tim = cloud.create();
    const p = port(tim);
    const alice = p.login('alice', 's').catch((error: unknown) => error);
    await clock.advance(1);
    const bob = p.login('bob', 's');
    await clock.advance(200);
    await expect(bob).resolves.toBeUndefined();
    expect(await alice).toMatchObject({ code: 2024, message: 'superseded by another login' });
    expect([tim.userID, tim.ready, p.credentials.current?.userID]).toEqual(['bob', true, 'bob']);
  });

  it('a login of another user on a port logged in logs TIM out first (TIM would answer repeatLogin and stay signed in as the first)', async () => {
    const { clock, cloud, online } = setup();
    const tim = cloud.create();
    const { port } = await online('alice', tim);
    const timLogout = vi.spyOn(tim, 'logout');
    const bob = port.login('bob', 's');
    await clock.advance(100);
    await expect(bob).resolves.toBeUndefined();
    expect([timLogout.mock.calls.length, tim.userID, tim.ready, port.credentials.current?.userID]).toEqual([1, 'bob', true, 'bob']);
  });

  it('a logout while the login is under way logs TIM out once TIM has answered the login', async () => {
    const { clock, cloud, port } = setup();
    const tim = cloud.create();
    const p = port(tim);
    const login = p.login('alice', 's').catch((error: unknown) => error);
    await clock.advance(1);
    const logout = p.logout();
    await clock.advance(200);
    await expect(logout).resolves.toBeUndefined();
    expect(await login).toMatchObject({ code: 2024 });
    expect([tim.userID, tim.ready, p.credentials.current]).toEqual([null, false, null]);
  });

  it('listens from before the first login; dispose() stops listening (the instance may be the app\'s)', async () => {
    const { cloud, online } = setup();
    const tim = cloud.create();
    const { port } = await online('alice', tim);
    for (const name of Object.values(TIM_EVENT)) expect(tim.listenerCount(name)).toBe(1);
    port.dispose();
    for (const name of Object.values(TIM_EVENT)) expect(tim.listenerCount(name)).toBe(0);
  });

  it('logout() logs TIM out and forgets the credentials; nothing is delivered after', async () => {
    const { clock, online } = setup();
    const alice = await online('alice');
    const bob = await online('bob');
    await bob.port.logout();
    expect([bob.tim.userID, bob.port.credentials.current]).toEqual([null, null]);
    await alice.port.sendToUser('bob', 'x', stored);
    await clock.advance(100);
    expect(bob.rec.messages).toEqual([]);
  });
});

describe('TIM events', () => {
  it('KICKED_OUT -> onKickedOut with TIM\'s type; credentials cleared; sends refused 2024', async () => {
    const { online } = setup();
    const first = await online('alice');
    await online('alice');
    expect(first.rec.kicked).toEqual(['multipleAccount']);
    expect(first.port.credentials.current).toBeNull();
    await expect(first.port.sendToUser('bob', 'x', stored)).rejects.toMatchObject({ code: 2024 });
  });

  it('NET_STATE_CHANGE -> onConnectionChange; unknown states are ignored', async () => {
    const { online } = setup();
    const { rec, tim } = await online('alice');
    for (const state of ['disconnected', 'connecting', 'bogus', 'connected']) tim.fire(TIM_EVENT.NET_STATE_CHANGE, { state });
    expect(rec.connection).toEqual(['connected', 'disconnected', 'connecting', 'connected']);
  });

  it('MESSAGE_RECEIVED: custom messages only, in order, each once, group ones with their groupID', async () => {
    const { clock, cloud, online } = setup(5_000);
    cloud.createGroup('g', ['alice', 'bob']);
    const alice = await online('alice');
    const bob = await online('bob');
    await alice.port.sendToUser('bob', 'one', stored);
    await alice.port.sendToGroup('g', 'two', stored);
    await clock.advance(100);
    const [first] = bob.rec.messages;
    bob.tim.fire(TIM_EVENT.MESSAGE_RECEIVED, [
      { ID: 'text-1', type: 'TIMTextElem', from: 'alice', to: 'bob', conversationType: 'C2C', time: 5, payload: { text: 'hi' } },
      { ID: 'tip-1', type: 'TIMGroupTipElem', from: 'alice', to: 'g', conversationType: 'GROUP', time: 5, payload: {} },
      'junk',
    ]);
    expect(bob.rec.messages.map((m) => [m.from, m.payload, m.groupID])).toEqual([
      ['alice', 'one', undefined],
      ['alice', 'two', 'g'],
    ]);
    expect(first?.sentAt).toBe(clock.now() - 80); // live: as just sent (see ServerTime)
  });
});

describe('sending', () => {
  it('one custom message per signal: payload.data = the envelope, priority High, C2C to a user, GROUP to a group', async () => {
    const { cloud, online } = setup();
    cloud.createGroup('g', ['alice', 'bob']);
    const alice = await online('alice');
    await alice.port.sendToUser('bob', invite('i1'), stored);
    await alice.port.sendToGroup('g', cancel('i1'), stored);
    expect(cloud.log.map((m) => [m.to, String(m.conversationType), String(m.priority), m.payload.data])).toEqual([
      ['bob', TIM_TYPES.CONV_C2C, 'High', invite('i1')],
      ['g', TIM_TYPES.CONV_GROUP, 'High', cancel('i1')],
    ]);
  });

  it('a TIM failure rejects with TIM\'s code', async () => {
    const { online } = setup();
    const alice = await online('alice');
    await expect(alice.port.sendToGroup('nope', 'x', stored)).rejects.toMatchObject({ name: 'ImPortError', code: 10010 });
  });
});

describe('dating messages: ServerTime', () => {
  it('a live push reads as just sent, whatever the skew between our clock and the server\'s', () => {
    const t = new ServerTime();
    expect(t.live(100, 100_000 + 40_000 + 350)).toBe(140_350); // our clock 40 s ahead
    expect(t.live(101, 141_020)).toBe(141_020); // a later push, a different phase in its second
  });

  it('a push held back reads as old as it was held, less under a second (never older than it is)', () => {
    const t = new ServerTime();
    t.live(100, 100_030);
    expect(100_000 + 10_000 + 30 - t.live(100, 110_030)).toBeGreaterThan(9_000);
    expect(110_030 - t.sentAt(100, 110_030)).toBeLessThanOrEqual(10_000);
  });

  it('before any live push, server time is taken as it is, at the end of its second', () => {
    expect(new ServerTime().sentAt(100, 200_000)).toBe(100_999);
  });
});

describe('offline replay after login (TSignaling 1.7)', () => {
  it('delivers what arrived while offline, in order, dated by server time; each once', async () => {
    const { clock, online } = setup(1_000_000);
    const alice = await online('alice');
    await alice.port.sendToUser('bob', 'm1', stored);
    await clock.advance(3_000);
    await alice.port.sendToUser('bob', invite('i1'), stored);
    await clock.advance(3_000);
    const bob = await online('bob');
    await clock.advance(100);
    expect(bob.rec.messages.map((m) => [m.payload, m.sentAt])).toEqual([
      ['m1', 1_000_999],
      [invite('i1'), 1_003_999],
    ]);
  });

  it('leaves out invitations already cancelled or answered, answers of calls it never had, and anything older than 30 s', async () => {
    const { clock, online } = setup(1_000_000);
    const alice = await online('alice');
    await alice.port.sendToUser('bob', invite('old'), stored);
    await clock.advance(31_000);
    for (const payload of [invite('cancelled'), cancel('cancelled'), accept('elsewhere'), invite('live'), 'app data']) {
      await alice.port.sendToUser('bob', payload, stored);
    }
    const bob = await online('bob');
    await clock.advance(100);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual([invite('live'), 'app data']);
  });
  it('an invitation rings for its own timeout: with 60 s (TUICallEngine lets its caller set it), one 40 s old is replayed, one 61 s old is not; other messages keep the 30 s window', async () => {
    const { clock, online } = setup(1_000_000);
    const alice = await online('alice');
    const long = (inviteID: string): string =>
      encodeSignal({ ...base, kind: 'invite', inviteID, invitees: ['bob'], roomID: 7, timeout: 60, onlineUserOnly: false, isGroup: false, consumed: false });
    await alice.port.sendToUser('bob', long('expired'), stored);
    await alice.port.sendToUser('bob', 'old app data', stored);
    await clock.advance(21_000);
    await alice.port.sendToUser('bob', long('ringing'), stored);
    await clock.advance(40_000);
    const bob = await online('bob');
    await clock.advance(100);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual([long('ringing')]);
  });

  it('a conversation whose page TIM refuses is left out; the others are still replayed (one refusal dropped them all)', async () => {
    const { clock, cloud, online } = setup(1_000_000);
    const carol = await online('carol');
    const alice = await online('alice');
    await carol.port.sendToUser('bob', 'from carol', stored);
    await alice.port.sendToUser('bob', invite('i1'), stored);
    const tim = cloud.create();
    const page = tim.getMessageList.bind(tim);
    // A conversation TIM will not page (a dismissed group, a system conversation): TIM rejects.
    vi.spyOn(tim, 'getMessageList').mockImplementation(async (options) => {
      if (options.conversationID === 'C2Ccarol') throw new TimError(10007, 'no permission');
      return page(options);
    });
    const bob = await online('bob', tim);
    await clock.advance(100);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual([invite('i1')]);
  });

  it('the pages are asked for at once, not one round trip after another (20 conversations: 20 round trips)', async () => {
    const { clock, cloud, online } = setup(1_000_000);
    const alice = await online('alice');
    for (const u of ['c1', 'c2', 'c3', 'c4']) await (await online(u)).port.sendToUser('bob', `from ${u}`, stored);
    await alice.port.sendToUser('bob', invite('i1'), stored);
    const tim = cloud.create();
    const page = tim.getMessageList.bind(tim);
    // Each page is TIM's answer to one request to its server: 500 ms on the simulated clock.
    vi.spyOn(tim, 'getMessageList').mockImplementation(async (options) => {
      const answer = await page(options);
      await new Promise((resolve) => clock.setTimeout(resolve, 500));
      return answer;
    });
    const bob = await online('bob', tim);
    await clock.advance(600);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual(['from c1', 'from c2', 'from c3', 'from c4', invite('i1')]);
  });

  it('a replay still waiting for its pages when another user logs in on the same port delivers nothing to her', async () => {
    const { clock, cloud, online } = setup(1_000_000);
    const alice = await online('alice');
    await alice.port.sendToUser('bob', invite('i1'), stored);
    const tim = cloud.create();
    const page = tim.getMessageList.bind(tim);
    vi.spyOn(tim, 'getMessageList').mockImplementation(async (options) => {
      const answer = await page(options);
      await new Promise((resolve) => clock.setTimeout(resolve, 500));
      return answer;
    });
    const bob = await online('bob', tim);
    const carol = bob.port.login('carol', 'sig-carol');
    await clock.advance(100);
    await carol;
    await clock.advance(1_000);
    expect(bob.rec.messages).toEqual([]);
  });

  it('an invitation cancelled while the replay waits for its pages (the cancel pushed live) does not ring', async () => {
    const { clock, cloud, online } = setup(1_000_000);
    const alice = await online('alice');
    await alice.port.sendToUser('bob', invite('i1'), stored);
    await clock.advance(3_000);
    const tim = cloud.create();
    const page = tim.getMessageList.bind(tim);
    // The page is read as the request reaches TIM's server; its answer comes 500 ms later.
    vi.spyOn(tim, 'getMessageList').mockImplementation(async (options) => {
      const answer = await page(options);
      await new Promise((resolve) => clock.setTimeout(resolve, 500));
      return answer;
    });
    const bob = await online('bob', tim);
    await alice.port.sendToUser('bob', cancel('i1'), stored);
    await clock.advance(1_000);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual([cancel('i1')]);
  });
});

describe('tim-js-sdk is loaded only when no instance is given', () => {
  it('no instance: loaded on the first login, TIM.create({ SDKAppID }) once', async () => {
    const { clock, cloud } = setup();
    const create = vi.fn(() => cloud.create());
    const loadTim = vi.fn(async (): Promise<TimModule> => ({ create }));
    const port = new TimImPort({ SDKAppID: SDK_APP_ID, loadTim, clock });
    expect(loadTim).not.toHaveBeenCalled();
    const login = port.login('alice', 's');
    await clock.advance(100);
    await login;
    await port.logout();
    const again = port.login('alice', 's');
    await clock.advance(100);
    await again;
    expect(loadTim).toHaveBeenCalledTimes(1);
    expect(create).toHaveBeenCalledWith({ SDKAppID: SDK_APP_ID });
  });

  it('an instance given: never loaded', async () => {
    const { clock, cloud } = setup();
    const loadTim = vi.fn(async (): Promise<TimModule> => ({ create: () => cloud.create() }));
    const port = new TimImPort({ SDKAppID: SDK_APP_ID, tim: cloud.create(), loadTim, clock });
    const login = port.login('alice', 's');
    await clock.advance(100);
    await login;
    expect(loadTim).not.toHaveBeenCalled();
  });
});
