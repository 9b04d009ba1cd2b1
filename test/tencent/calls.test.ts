/**
 * Calls through the public TRTCCalling API on the tencent backend, beyond the shared scenarios:
 * what only Tencent's SDKs bring (device and WebRTC failures with the spec's codes, TRTC
 * banning or failing a client, TIM kicking a session), camera and microphone through TRTC's
 * streams, where media plays, C2C group invites, and whether Tencent's own clients would process
 * every signal we send (TSignaling's receive filter, spec 1.5).
 */
import { describe, expect, it, vi } from 'vitest';
import { TIM_TYPES } from '../../adapters/tencent';
import { type CallingError, ImPortError, InvalidStateError } from '../../src/index';
import { ev } from '../support/ev';
import { type TencentParty, type TencentWorld, withAliceAndBob } from './tencentWorld';
import { TimError } from './fakes/fakeTimInstance';
import { tsignalingProcesses } from './tsignaling';

const S = 1000;
const HIDDEN = '_headless_calling_audio-';

let world: TencentWorld;
let alice: TencentParty;
let bob: TencentParty;

withAliceAndBob((t) => {
  ({ world, alice, bob } = t);
});

/** Alice video-calls Bob, Bob accepts; logs taken. */
async function connect(type: 1 | 2 = 2) {
  await alice.calling.call({ userID: 'bob', type, timeout: 30 });
  await world.advance(S);
  await bob.calling.accept();
  await world.advance(S);
  expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob', type === 2)]);
  expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: type }), ...ev.arrives('alice', type === 2)]);
}

/** Messages our clients sent that Tencent's TSignaling would drop, as `from -> to: action`. */
function droppedByTencent(): string[] {
  return world.im.log.flatMap((m) =>
    m.recipients
      .filter((r) => !tsignalingProcesses(m.payload.data, r.userID))
      .map((r) => `${m.from} -> ${r.userID}: actionType ${String((JSON.parse(m.payload.data) as { actionType: number }).actionType)}`),
  );
}

describe('media failures carry the spec codes', () => {
  it.each([
    ['has no camera', { camera: false }, 60004],
    ['has no microphone', { microphone: false }, 60003],
    ['denies the media permission', { permission: 'denied' as const }, 60005],
  ])('Alice video-calls, Bob %s: accept() -> Bob ERROR %i, CALL_END(error); Alice REJECT, CALL_END(rejected)', async (_, devices, code) => {
    world.rtc.setDevices('bob', devices);
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.error(code), ev.end('alice', 'error', 0)]);
    expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
  });

  it('Alice\'s browser has no WebRTC: call() -> ERROR 60006, CALL_END(error); Bob\'s invitation is withdrawn', async () => {
    world.rtc.setDevices('alice', { webrtc: false });
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    expect(alice.take()).toEqual([ev.error(60006), ev.end('alice', 'error', 0)]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ev.cancelled('alice')]);
  });
});

describe('TRTC and TIM end a session', () => {
  it('TRTC bans Bob mid-call -> Bob ERROR 16448 (CLIENT_BANNED), CALL_END(error); Alice USER_LEAVE, CALL_END', async () => {
    await connect();
    world.rtc.ban('bob');
    await world.advance(S);
    expect(bob.take()).toEqual([ev.error(0x4040), ev.end('alice', 'error')]);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
  });

  it('Bob\'s TRTC client fails for good -> Bob ERROR with TRTC\'s code (its error under the cause), CALL_END(error)', async () => {
    await connect();
    world.rtc.fail('bob', 0x4041, 'server timeout');
    await world.advance(S);
    const trtcError = expect.objectContaining({ code: 0x4041, message: 'server timeout' });
    expect(bob.take()).toEqual([ev.error(0x4041, expect.objectContaining({ name: 'RoomPortError', cause: trtcError })), ev.end('alice', 'error')]);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
  });

  it('Alice logs in elsewhere mid-call -> KICKED_OUT(multipleAccount), CALL_END(kickedOut); Bob USER_LEAVE, CALL_END; the new session rings nothing', async () => {
    await connect();
    const elsewhere = world.client('alice');
    const login = elsewhere.calling.login({ userID: 'alice', userSig: 'sig-alice-2' });
    await world.advance(S);
    await login;
    await world.advance(S);
    expect(alice.take()).toEqual([ev.kicked('multipleAccount'), ev.end('alice', 'kickedOut')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    // Bob's "last one out" hangup reaches the new session, which has no call: nothing happens.
    expect(elsewhere.take()).toEqual([ev.ready()]);
    await expect(alice.calling.call({ userID: 'bob', type: 1 })).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('TIM refuses the login -> login() rejects with TIM\'s code: the ImPortError its cause, TIM\'s own error under it', async () => {
    const carol = world.client('carol');
    const timError = new TimError(70001, 'userSig expired');
    vi.spyOn(carol.tim, 'login').mockRejectedValue(timError);
    const refused = await carol.calling.login({ userID: 'carol', userSig: 'sig-carol' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'CallingError', code: 70001, reason: 'backend', cause: expect.any(ImPortError) });
    expect(((refused as CallingError).cause as ImPortError).cause).toBe(timError);
  });

  it('kicked out while idle -> KICKED_OUT only; login() again works', async () => {
    const elsewhere = world.client('bob');
    const login = elsewhere.calling.login({ userID: 'bob', userSig: 'sig-bob-2' });
    await world.advance(S);
    await login;
    expect(bob.take()).toEqual([ev.kicked('multipleAccount')]);
    const again = bob.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await world.advance(S);
    await again;
    expect(bob.take()).toEqual([ev.ready()]);
    expect(elsewhere.take()).toEqual([ev.ready(), ev.kicked('multipleAccount')]);
  });
});

describe('camera, microphone and views over TRTC streams', () => {
  it('Bob turns his camera off while ringing, accepts, then on -> Alice sees him without video, then with (a camera track added)', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.closeCamera();
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob', false)]);
    await bob.calling.openCamera();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.video('bob', true)]);
    await bob.calling.closeCamera();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.video('bob', false)]);
  });

  it('an audio call publishes no camera, refuses openCamera(), and plays the other side\'s audio hidden', async () => {
    await connect(1);
    await expect(bob.calling.openCamera()).rejects.toBeInstanceOf(InvalidStateError);
    await bob.calling.setMicMute(true);
    await world.advance(S);
    expect(alice.take()).toEqual([ev.audio('bob', false)]);
    expect(world.rtc.views('alice').map((v) => v.domID)).toEqual([`${HIDDEN}bob`]);
  });

  it('startRemoteView / startLocalView play into the given elements; stopRemoteView goes back to hidden audio', async () => {
    await connect();
    await bob.calling.startLocalView({ userID: 'bob', videoViewDomID: 'me' });
    await bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'remote-alice' });
    const views = () => world.rtc.views('bob').map((v) => `${v.kind}:${v.userID}@${v.domID}`);
    expect(views()).toEqual(['local:bob@me', 'remote:alice@remote-alice']);
    await bob.calling.stopRemoteView({ userID: 'alice', videoViewDomID: 'remote-alice' });
    expect(views()).toEqual(['local:bob@me', `remote:alice@${HIDDEN}alice`]);
    await bob.calling.hangup();
    await world.advance(S);
    expect(views()).toEqual([]);
  });
});

describe('a remote view asked for before its user is in the call (the API-parity audit\'s leftovers, 2026-12-07)', () => {
  it('Alice startRemoteView(bob) while dialing -> resolves; once Bob\'s stream is subscribed his video plays there, before USER_ENTER', async () => {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' });
    const views = () => world.rtc.views('alice').map((v) => `${v.kind}:${v.userID}@${v.domID}`);
    const seen: string[][] = [];
    alice.calling.on('onUserEnter', () => seen.push(views()));
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(seen).toEqual([['remote:bob@remote-bob']]);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
  });
});

describe('group calls on Tencent IM', () => {
  it('groupCall() without a groupID: one C2C invite per invitee, naming its recipient alone, data.userIDs naming all', async () => {
    const carol = await world.user('carol');
    await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await world.advance(S);
    const invites = world.im.log.map((m) => ({ to: m.to, type: String(m.conversationType), env: JSON.parse(m.payload.data) as { inviteeList: string[]; data: string } }));
    expect(invites.map((i) => [i.to, i.type, i.env.inviteeList])).toEqual([
      ['bob', 'C2C', ['bob']],
      ['carol', 'C2C', ['carol']],
    ]);
    for (const i of invites) expect(JSON.parse(i.env.data)).toMatchObject({ data: { userIDs: ['bob', 'carol'] } });
    const invite = ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 });
    expect(bob.take()).toEqual([invite]);
    expect(carol.take()).toEqual([invite]);
  });
});

describe('what TUICallEngine sends is understood (spec 4.4)', () => {
  /** A TUICallEngine invite from a raw TIM client "carol": `str_room_id`, `data.inviter`, `userData`. */
  async function tuiInvite(inviteID: string, consumed: boolean, room: { room_id?: number } = {}) {
    const carol = world.im.create();
    const login = carol.login({ userID: 'carol', userSig: 's' });
    await world.advance(100);
    await login;
    const data = {
      userData: 'custom', version: 4, call_type: 1, ...room, businessID: 'av_call', platform: 'Web',
      data: { cmd: 'audioCall', ...room, str_room_id: '424242', message: '', inviter: 'carol', userIDs: ['bob'], ...(consumed ? { consumed: true } : {}) },
    };
    const envelope = { businessID: 1, inviteID, inviter: 'carol', actionType: 1, inviteeList: ['bob'], data: JSON.stringify(data), timeout: 30, groupID: '', onlineUserOnly: false };
    const message = carol.createCustomMessage({ to: 'bob', conversationType: TIM_TYPES.CONV_C2C, payload: { data: JSON.stringify(envelope) } });
    await carol.sendMessage(message, { onlineUserOnly: false, messageControlInfo: { excludedFromContentModeration: true, excludedFromUnreadCount: false, excludedFromLastMessage: false } });
    await world.advance(S);
  }

  it('an invite with a room_id rings, in that room (its str_room_id aside); one already consumed does not', async () => {
    await tuiInvite('3f1c2b7d-0000-4000-8000-000000000001', true, { room_id: 5150 });
    expect(bob.take()).toEqual([]);
    await tuiInvite('3f1c2b7d-0000-4000-8000-000000000002', false, { room_id: 5150 });
    expect(bob.take()).toEqual([ev.invited('carol', ['bob'], { callType: 1, inviteID: '3f1c2b7d-0000-4000-8000-000000000002' })]);
    await bob.calling.accept();
    await world.advance(S);
    expect(world.rtc.members(5150)).toEqual(['bob']);
  });

  it('an invite in a string room (str_room_id only, or room_id 0 beside it) does not ring: TRTC\'s room "424242" is not the room 424242, and no port here joins string rooms', async () => {
    await tuiInvite('3f1c2b7d-0000-4000-8000-000000000003', false);
    await tuiInvite('3f1c2b7d-0000-4000-8000-000000000004', false, { room_id: 0 });
    expect(bob.take()).toEqual([]);
    expect(world.rtc.members(424242)).toEqual([]);
  });
});

describe('Tencent\'s clients would process every signal we send (TSignaling\'s filter, spec 1.5)', () => {
  it('1v1: invite, accept, reject, busy, cancel, timeout notice, last-one-out hangup', async () => {
    const carol = await world.user('carol');
    await connect();
    await carol.calling.call({ userID: 'bob', type: 1 }); // busy
    await world.advance(S);
    await bob.calling.hangup(); // alice sends the hangup
    await world.advance(S);
    await carol.calling.call({ userID: 'alice', type: 1 });
    await world.advance(S);
    await alice.calling.reject();
    await world.advance(S);
    await carol.calling.call({ userID: 'bob', type: 1 });
    await world.advance(S);
    await carol.calling.hangup(); // cancel
    await world.advance(S);
    await alice.calling.call({ userID: 'carol', type: 1, timeout: 5 });
    await world.advance(10 * S); // carol's timeout notice
    const actions = world.im.log.map((m) => (JSON.parse(m.payload.data) as { actionType: number }).actionType);
    expect(new Set(actions)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(droppedByTencent()).toEqual([]);
  });

  it('group: a callee\'s timeout notice to the group carries the invite\'s room_id (else TSignaling drops it)', async () => {
    const carol = await world.user('carol');
    await world.createGroup('team', ['alice', 'bob', 'carol']);
    await alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2, groupID: 'team', timeout: 10 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(15 * S);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true }), ev.timedOut('alice', ['carol'])]);
    expect(droppedByTencent()).toEqual([]);
  });
});
