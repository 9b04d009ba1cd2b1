/**
 * Regression tests, against Tencent's own client, for the defects of issue 9 that the scenario
 * files do not already pin (group hang-up while ringing: group.test.ts; TIMEOUT data echoed:
 * oneToOne.test.ts and offline.test.ts; one inviteID per C2C invitee: group.test.ts). The switch
 * requests we used to REJECT (issue 9 #8) are now taken: switch.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { TIM_TYPES } from '../../adapters/tencent/sdk';
import { MAX_ROOM_ID, randomRoomID } from '../../src/createCalling';
import { EVENT, InvalidStateError, TRTCCalling, callStatusOf } from '../../src/index';
import { ev } from '../support/ev';
import type { OfficialParty, OursParty, Party } from './support/interopWorld';
import { DIRECTIONS, expectEvents, oe, useInterop, videoCall, videoCallWire } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();

describe('room IDs we create stay in 1..2^31-1 (Tencent\'s client joins ~~roomID)', () => {
  it('the default generator, crypto.getRandomValues at its extremes: 0 is drawn again, then 1; 2^32-1 is 2^31-1; never Math.random', () => {
    const queue = [0, 1, 0xffffffff, 0x80000000, 0x40000000];
    const words = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array)[0] = queue.shift() ?? 0;
      return array;
    });
    const random = vi.spyOn(Math, 'random');
    random.mockClear();
    expect([randomRoomID(), randomRoomID(), randomRoomID()]).toEqual([1, 2 ** 31 - 1, 2 ** 30]); // 2^31 is 0 in 31 bits: drawn again
    expect([words.mock.calls.length, random.mock.calls.length]).toEqual([5, 0]);
    expect(MAX_ROOM_ID).toBe(2 ** 31 - 1);
    words.mockRestore();
    const real = Array.from({ length: 1000 }, randomRoomID);
    expect(real.every((id) => Number.isInteger(id) && id >= 1 && id <= MAX_ROOM_ID && ~~id === id)).toBe(true);
    expect(new Set(real).size).toBe(1000);
  });

  it('Tencent\'s Bob accepts a call into room 2^31-1 (the top of the range, from our default generator): the call connects', async () => {
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party('official', 'bob');
    vi.mocked(globalThis.crypto.getRandomValues).mockImplementationOnce(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array)[0] = 0xffffffff;
      return array;
    });
    await t.world.act(alice.call('bob', 2));
    await t.world.act(bob.accept());
    expect(t.world.rtc.members(2 ** 31 - 1)).toEqual(['alice', 'bob']);
    expectWire(t.world.wire.take(), videoCallWire());
    expectEvents(alice, { ours: [ev.accepted('bob'), ...ev.arrives('bob')], official: [] });
    expectEvents(bob, { ours: [], official: [oe.invited('alice', ['bob']), ...oe.arrives('alice')] });
  });

  it('why: a room of 2^31 (our old range reached 2^32-2) turns negative in Tencent\'s join, so Bob\'s accept() fails; he never answers and Alice gets NO_RESP', async () => {
    const alice = await t.world.party('ours', 'alice', { roomIdGen: () => 2 ** 31 });
    const bob = await t.world.party('official', 'bob');
    await t.world.act(alice.call('bob', 2));
    expect(String(await t.world.actFails(bob.accept()))).toMatch(/join room failed/);
    expect(t.world.rtc.members(2 ** 31)).toEqual(['alice']);
    await t.world.advance(35 * S);
    expectEvents(alice, { ours: [ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)], official: [] });
    expectEvents(bob, { ours: [], official: [oe.invited('alice', ['bob']), oe.timedOut('alice', ['bob']), oe.end('alice', 0)] });
    // (The wire is not read here: its recorder refuses a room ID out of 1..2^31-1, as it should.)
  });
});

describe('a TIMEOUT notice echoes its invite\'s data byte for byte (TSignaling does, spec 1.6)', () => {
  it('an invite from a TUICallEngine client (userData, str_room_id, data.inviter, as the real engine sends them: tuiQuirks.test.ts) that our Bob lets ring out: his notice carries that very string', async () => {
    const bob = await t.world.party('ours', 'bob');
    const carol = t.world.im.create();
    const login = carol.login({ userID: 'carol', userSig: 'sig-carol' });
    await t.world.advance(100);
    await login;
    const data = JSON.stringify({
      userData: 'from TUICallKit', version: 4, call_type: 1, room_id: 424242, businessID: 'av_call', platform: 'Web',
      data: { cmd: 'audioCall', room_id: 424242, str_room_id: '', inviter: 'carol', message: '', userIDs: ['bob'], excludeFromHistoryMessage: true },
    });
    const envelope = { businessID: 1, inviteID: '3f1c2b7d-0000-4000-8000-000000000001', inviter: 'carol', actionType: 1, inviteeList: ['bob'], data, timeout: 5, groupID: '', onlineUserOnly: false };
    const message = carol.createCustomMessage({ to: 'bob', conversationType: TIM_TYPES.CONV_C2C, priority: TIM_TYPES.MSG_PRIORITY_HIGH, payload: { data: JSON.stringify(envelope) } });
    const control = { excludedFromContentModeration: true, excludedFromUnreadCount: false, excludedFromLastMessage: false };
    await t.world.act(carol.sendMessage(message, { onlineUserOnly: false, messageControlInfo: control }), 6 * S);
    expectEvents(bob, { ours: [ev.invited('carol', ['bob'], { callType: 1 }), ev.timedOut('carol', ['bob'])], official: [] });
    const [invite, notice] = t.world.wire.raw();
    expect([invite?.actionType, notice?.actionType]).toEqual([1, 5]);
    expect(notice?.data).toBe(data);
  });
});

describe('every event name of trtc-calling-js', () => {
  it('TRTCCalling.EVENT has every key and value of Tencent\'s (loaded from its bundle), and on/off take each name without throwing', async () => {
    const official = (await t.world.party('official', 'zed', { login: false })) as OfficialParty;
    expect(TRTCCalling.EVENT).toMatchObject(official.TRTCCalling.EVENT);
    expect(Object.keys(official.TRTCCalling.EVENT).sort()).toEqual(
      // Beyond 1.0.6's table: SDK_NOT_READY (its README lists it), CALL_TYPE_CHANGED, DEVICED_UPDATED
      // and NETWORK_QUALITY (beyond the seed's API).
      Object.keys(EVENT)
        .filter((k) => !['SDK_NOT_READY', 'CALL_TYPE_CHANGED', 'DEVICED_UPDATED', 'NETWORK_QUALITY'].includes(k))
        .sort(),
    );
    const ours = (await t.world.party('ours', 'amy', { login: false })) as OursParty;
    const listener = () => undefined;
    for (const name of Object.values(official.TRTCCalling.EVENT)) {
      expect(() => ours.calling.on(name as never, listener)).not.toThrow();
      expect(() => ours.calling.off(name as never, listener)).not.toThrow();
    }
    // The README of trtc-calling-js also lists SDK_NOT_READY (its 1.0.6 table has no such key).
    expect(() => ours.calling.on(TRTCCalling.EVENT.SDK_NOT_READY, listener)).not.toThrow();
    expect(TRTCCalling.EVENT.USER_VOICE_VOLUME).toBe('onUserVoiceVolume');
  });
});

describe('hangup() with no call to end resolves and does nothing, as Tencent\'s does (ours: even logged out)', () => {
  it.each(['ours', 'official'] as const)('%s: idle, twice after a call, and while ringing (refused by both: reject() declines)', async (kind) => {
    const alice = await t.world.party(kind === 'ours' ? 'official' : 'ours', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(bob.hangup());
    await t.world.act(alice.call('bob', 2));
    const refused = await t.world.actFails(bob.hangup());
    if (bob.kind === 'ours') expect(refused).toBeInstanceOf(InvalidStateError);
    else expect(String(refused)).toMatch(/call\/groupCall incomplete/);
    await t.world.act(bob.accept());
    await t.world.act(bob.hangup());
    await t.world.act(bob.hangup());
    await t.world.act(bob.hangup());
    expectEvents(bob, {
      ours: [ev.invited('alice', ['bob']), ...ev.arrives('alice'), ev.end('alice', 'hangup', 1)],
      official: [oe.invited('alice', ['bob']), ...oe.arrives('alice'), oe.end('alice', 1)],
    });
    expectEvents(alice, {
      ours: [ev.accepted('bob'), ...ev.arrives('bob'), ev.leave('bob'), ev.end('alice', 'hangup', 1)],
      official: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob'), oe.leave('bob'), oe.end('alice', 1)],
    });
    // Nothing on the wire for the refused and the empty hang-ups: only the call's own messages.
    expectWire(t.world.wire.take(), [...videoCallWire(), W.hangup('alice', 'bob', { id: alice.kind === 'official' ? 'id2' : `id1${HANGUP_SUFFIX}`, type: 2, callEnd: 1 })]);
  });

  it('ours, never logged in: resolves (Tencent\'s throws a TypeError there: it has no TRTC client yet)', async () => {
    const ours = await t.world.party('ours', 'amy', { login: false });
    const official = await t.world.party('official', 'zed', { login: false });
    await expect(t.world.act(ours.hangup())).resolves.toBeUndefined();
    expect(await t.world.actFails(official.hangup())).toBeInstanceOf(TypeError);
    expect([...ours.take(), ...official.take()]).toEqual([]);
  });
});

describe.each(DIRECTIONS)('getCallStatus(), $name', ({ caller, callee }) => {
  it('idle -> calling -> connected -> idle, as Tencent\'s (except its caller, "connected" once in its room, before any answer)', async () => {
    const alice = await t.world.party(caller, 'alice');
    const bob = await t.world.party(callee, 'bob');
    expect([status(alice), status(bob)]).toEqual(['idle', 'idle']);
    await t.world.act(alice.call('bob', 2));
    expect([status(alice), status(bob)]).toEqual([alice.kind === 'official' ? 'connected' : 'calling', 'calling']);
    await t.world.act(bob.accept());
    expect([status(alice), status(bob)]).toEqual(['connected', 'connected']);
    if (alice.kind === 'ours') {
      // As soon as hangup() resolves, while the call is still leaving its room.
      await alice.hangup();
      expect([alice.calling.getSnapshot().call?.state, status(alice)]).toEqual(['ending', 'idle']);
    } else await t.world.act(alice.hangup());
    await t.world.advance(S);
    expect([status(alice), status(bob)]).toEqual(['idle', 'idle']);
    expectEvents(alice, {
      ours: [ev.accepted('bob'), ...ev.arrives('bob'), ev.end('alice', 'hangup', 1)],
      official: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob'), oe.end('bob', 1)],
    });
    expectEvents(bob, {
      ours: [ev.invited('alice', ['bob']), ...ev.arrives('alice'), ev.leave('alice'), ev.end('alice', 'hangup', 1)],
      official: [oe.invited('alice', ['bob']), ...oe.arrives('alice'), oe.leave('alice'), oe.end('alice', 1)],
    });
    expectWire(t.world.wire.take(), [...videoCallWire(), W.hangup('bob', 'alice', { id: bob.kind === 'official' ? 'id2' : `id1${HANGUP_SUFFIX}`, type: 2, callEnd: 1 })]);
  });
});

/** `getCallStatus()`; ours also agrees with its snapshot. */
function status(p: Party): string {
  if (p.kind === 'ours') expect(p.getCallStatus()).toBe(callStatusOf(p.calling.getSnapshot()));
  return p.getCallStatus();
}

describe('our hang-up INVITE has an inviteID of its own (found 2026-12-03): TSignaling files every INVITE\'s inviteID, and the call\'s own filed again kept its ring timer going', () => {
  it('Tencent\'s Alice calls our Bob and hangs up 0.3 s after his accept; then she calls our Carol: that call lives on past the first call\'s 35 s', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.call('bob', 2));
    await t.world.act(bob.accept(), 50);
    await t.world.advance(250);
    await t.world.act(alice.hangup());
    await t.world.advance(5 * S);
    expect(bob.take().at(-1)).toMatchObject({ name: 'onCallEnd', payload: { reason: 'hangup' } });
    await t.world.act(alice.call('carol', 2));
    await t.world.act(carol.accept());
    await t.world.advance(2 * S);
    alice.take();
    carol.take();
    await t.world.advance(40 * S); // past the first call's 35 s
    expectEvents(alice, { ours: [], official: [] });
    expectEvents(carol, { ours: [], official: [] });
    expect(alice.getCallStatus()).toBe('connected');
    const ids = t.world.wire.take().map((w) => String(w.envelope['inviteID']));
    expect(ids).toContain(`id1${HANGUP_SUFFIX}`); // Bob's hang-up, after the call's id1
  });
});
