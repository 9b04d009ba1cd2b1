/**
 * The call machine's pure decisions (machines/callPlans.ts) and predicates (machines/callModel.ts):
 * (context, event) -> effects, with no actor at all.
 */
import { describe, expect, it } from 'vitest';
import type { AnyActorRef, AnyEventObject } from 'xstate';
import {
  type CallContext,
  type CallEvent,
  busyReject,
  declineReason,
  durationAt,
  everyoneDeclined,
  hangupRequests,
  initialContext,
  nobodyLeft,
} from '../../machines/callModel';
import {
  type ActionScope,
  applyEffects,
  inviteeChanged,
  mediaResult,
  memberEntered,
  memberFact,
  memberLeft,
  memberMedia,
  NONE,
  onHangup,
  roomReconnected,
  setMedia,
  syncPublished,
} from '../../machines/callPlans';
import { sendInvite, toInvitee } from '../../machines/callSignals';
import { MissingActorError } from '../../machines/events';
import type { InviteeStatus } from '../../machines/inviteeMachine';
import { NO_LATE_ACCEPTS } from '../../machines/lineModel';
import { callerInput, calleeInput, cmd, im, inviteSignal, rm } from '../support/machineHarness';

const ctx = (over: Partial<CallContext> = {}): CallContext => ({ ...initialContext(callerInput()), ...over });
const group = (roster: Record<string, InviteeStatus>, over: Partial<CallContext> = {}): CallContext =>
  ctx({ invitees: Object.keys(roster), isGroup: true, groupID: 'g1', roster, ...over });
const peer = (userID: string, audio = false, video = false) => ({ userID, audio, video });
const changed = (userID: string, status: InviteeStatus, via: 'timer' | 'peer' = 'peer', at = 0): CallEvent => ({
  type: 'invitee.changed',
  userID,
  status,
  via,
  at,
});
const base = { inviteID: 'inv-5', inviter: 'alice', groupID: '', callType: 2 } as const;

describe('initialContext', () => {
  it('caller: every invitee pending, answered (it dialled), camera on for video', () => {
    const c = initialContext(callerInput({ invitees: ['bob', 'carol'] }));
    expect(c).toMatchObject({ roster: { bob: 'pending', carol: 'pending' }, answered: true, camera: true, room: 'out' });
  });

  it('callee: no roster, not answered yet; audio call -> camera off', () => {
    const c = initialContext(calleeInput({ callType: 1 }));
    expect(c).toMatchObject({ roster: {}, answered: false, camera: false, published: { video: false, audioMuted: false } });
  });
});

/** What a member actor reports. */
const entered = (userID: string, at = 0, audio = false, video = false): CallEvent => ({ type: 'member.entered', userID, audio, video, at });
const left = (userID: string, at = 0, cause: 'left' | 'lost' = 'left', wasEntered = true): CallEvent => ({
  type: 'member.left',
  userID,
  cause,
  entered: wasEntered,
  at,
});

describe('memberFact', () => {
  it('each fact about another member goes to its member actor; arrival and leaving may start one', () => {
    expect(memberFact(ctx(), rm.joined('bob', 5))).toEqual({ members: [{ userID: 'bob', event: { type: 'joined', at: 5 }, spawn: 'ifNotActive' }] });
    expect(memberFact(ctx(), rm.arrived('bob', 6))).toEqual({ members: [{ userID: 'bob', event: { type: 'mediaArrived', at: 6 }, spawn: 'ifNotActive' }] });
    expect(memberFact(ctx(), rm.lost('bob', 7))).toEqual({ members: [{ userID: 'bob', event: { type: 'connectionLost', at: 7 }, spawn: 'never' }] });
    expect(memberFact(ctx(), rm.back('bob', 8))).toEqual({ members: [{ userID: 'bob', event: { type: 'connectionBack', at: 8 }, spawn: 'never' }] });
    expect(memberFact(ctx(), rm.left('bob', 9))).toEqual({ members: [{ userID: 'bob', event: { type: 'left', at: 9 }, spawn: 'ifAbsent' }] });
    expect(memberFact(ctx(), rm.publishes('bob', 'video', true, 10))).toEqual({
      members: [{ userID: 'bob', event: { type: 'video', available: true, at: 10 }, spawn: 'ifAbsent' }],
    });
  });

  it('a fact about ourselves, or another event -> nothing', () => {
    expect(memberFact(ctx(), rm.arrived('alice'))).toBe(NONE);
    expect(memberFact(ctx(), rm.entered())).toBe(NONE);
  });
});

describe('roomReconnected', () => {
  it('resumed: whoever the room no longer lists left; entered anew: they are missing', () => {
    expect(roomReconnected(ctx(), rm.reconnected(['carol'], true, 3))).toEqual({ membersBut: { keep: ['carol'], event: { type: 'left', at: 3 } } });
    expect(roomReconnected(ctx(), rm.reconnected([], false, 4))).toEqual({ membersBut: { keep: [], event: { type: 'missing', at: 4 } } });
  });
});

describe('memberEntered', () => {
  it('a pending invitee arrives at 20 -> present, connected at 20, roster accepted; tells its invitee actor (stamped 20); ACCEPT then USER_ENTER', () => {
    expect(memberEntered(ctx(), entered('bob', 20))).toEqual({
      patch: { present: [peer('bob')], connectedAt: 20, roster: { bob: 'accepted' } },
      invitees: [{ userID: 'bob', type: 'entered', at: 20 }],
      notices: [
        { type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' },
        { type: 'call.userEntered', inviteID: 'inv-5', userID: 'bob' },
      ],
    });
  });

  it('what it publishes comes after USER_ENTER, only what is on', () => {
    const fx = memberEntered(ctx({ roster: { bob: 'accepted' } }), entered('bob', 20, true, false));
    expect(fx.patch?.present).toEqual([peer('bob', true, false)]);
    expect(fx.notices).toEqual([
      { type: 'call.userEntered', inviteID: 'inv-5', userID: 'bob' },
      { type: 'call.remoteAudio', inviteID: 'inv-5', userID: 'bob', available: true },
    ]);
  });

  it('an invitee that already accepted over IM arrives -> no second ACCEPT; connectedAt kept', () => {
    const fx = memberEntered(ctx({ roster: { bob: 'accepted' }, connectedAt: 5 }), entered('bob', 20));
    expect(fx.patch).toMatchObject({ connectedAt: 5 });
    expect(fx.notices).toEqual([{ type: 'call.userEntered', inviteID: 'inv-5', userID: 'bob' }]);
  });

  it('group: the roster notice lists who is present now', () => {
    const fx = memberEntered(group({ bob: 'joined', carol: 'pending' }, { present: [peer('bob')] }), entered('carol'));
    expect(fx.notices?.at(-1)).toEqual({ type: 'call.roster', inviteID: 'inv-5', userIDList: ['bob', 'carol'] });
  });

  it('ourselves, someone already present, or another event -> nothing', () => {
    expect(memberEntered(ctx(), entered('alice'))).toBe(NONE);
    expect(memberEntered(ctx({ present: [peer('bob')] }), entered('bob'))).toBe(NONE);
    expect(memberEntered(ctx(), left('bob'))).toBe(NONE);
  });
});

describe('memberLeft', () => {
  it('a joined member is out at 9 s -> gone, roster left, its actor told (stamped 9000), USER_LEAVE', () => {
    expect(memberLeft(ctx({ roster: { bob: 'joined' }, present: [peer('bob')] }), left('bob', 9_000, 'lost'))).toEqual({
      patch: { roster: { bob: 'left' }, present: [] },
      invitees: [{ userID: 'bob', type: 'left', at: 9_000 }],
      notices: [{ type: 'call.userLeft', inviteID: 'inv-5', userID: 'bob' }],
    });
  });

  it('an invitee that accepted and left before its media came -> roster left, no USER_LEAVE', () => {
    expect(memberLeft(ctx({ roster: { bob: 'accepted' } }), left('bob', 3, 'left', false))).toEqual({
      patch: { roster: { bob: 'left' } },
      invitees: [{ userID: 'bob', type: 'left', at: 3 }],
    });
  });

  it('another event -> nothing', () => {
    expect(memberLeft(ctx(), entered('bob'))).toBe(NONE);
  });
});

describe('memberMedia', () => {
  const c = ctx({ present: [peer('bob')] });
  const video = (userID: string, available: boolean): CallEvent => ({ type: 'member.media', userID, media: 'video', available, at: 0 });

  it('a present member starts video -> marked, REMOTE_VIDEO true', () => {
    expect(memberMedia(c, video('bob', true))).toEqual({
      patch: { present: [peer('bob', false, true)] },
      notices: [{ type: 'call.remoteVideo', inviteID: 'inv-5', userID: 'bob', available: true }],
    });
  });

  it('no change, or someone not present -> nothing', () => {
    expect(memberMedia(c, video('bob', false))).toBe(NONE);
    expect(memberMedia(c, video('zed', true))).toBe(NONE);
  });
});

describe('inviteeChanged', () => {
  it('bob accepted -> roster mirrors it, one notice', () => {
    expect(inviteeChanged(ctx(), changed('bob', 'accepted'))).toEqual({ patch: { roster: { bob: 'accepted' } }, notices: [{ type: 'call.accepted', inviteID: 'inv-5', userID: 'bob' }] });
  });

  // His own answer: an accept of his other device that lands once the call is over is told (LateAccepts.declined).
  it.each([
    ['rejected', { type: 'call.rejected', inviteID: 'inv-5', userID: 'bob' }],
    ['busy', { type: 'call.busy', inviteID: 'inv-5', userID: 'bob', sponsor: 'alice' }],
  ] as const)('bob %s -> roster mirrors it, one notice, and he is noted as having declined inv-5', (status, notice) => {
    expect(inviteeChanged(ctx(), changed('bob', status))).toEqual({ patch: { roster: { bob: status }, late: { ...NO_LATE_ACCEPTS, declined: ['bob inv-5'] } }, notices: [notice] });
  });

  it('noResponse: his own TIMEOUT notes him as having declined (with his own inviteID in a C2C group call); our timer\'s, or an invite never sent, does not', () => {
    const c = group({ bob: 'pending', carol: 'pending' }, { groupID: '', inviteIDs: { bob: 'inv-5', carol: 'inv-6' } });
    expect(inviteeChanged(c, changed('carol', 'noResponse', 'peer')).patch?.late).toEqual({ ...NO_LATE_ACCEPTS, declined: ['carol inv-6'] });
    expect(inviteeChanged(c, changed('carol', 'noResponse', 'timer')).patch?.late).toBeUndefined();
    expect(inviteeChanged(group({ bob: 'pending', carol: 'unreached' }, { groupID: '' }), changed('carol', 'noResponse', 'peer')).patch?.late).toBeUndefined();
  });

  it('carol noResponse by our timer after bob -> TIMEOUT sent to carol, NO_RESP lists both', () => {
    const c = group({ bob: 'noResponse', carol: 'pending' }, { groupID: '', noResponse: ['bob'] });
    expect(inviteeChanged(c, changed('carol', 'noResponse', 'timer'))).toEqual({
      patch: { roster: { bob: 'noResponse', carol: 'noResponse' }, noResponse: ['bob', 'carol'] },
      // Our own invite, whose data the notice repeats (the codec encodes it as it encoded the invite).
      im: [{ type: 'im.send', to: { users: ['carol'] }, signal: { kind: 'timeout', ...base, invitees: ['carol'], roomID: 42, invite: inviteSignal({ invitees: ['bob', 'carol'], isGroup: true }) }, onlineUserOnly: false }],
      notices: [{ type: 'call.noResponse', inviteID: 'inv-5', userID: 'carol', sponsor: 'alice', userIDList: ['bob', 'carol'] }],
    });
  });

  it('noResponse told by the peer itself -> no TIMEOUT sent back', () => {
    expect(inviteeChanged(ctx(), changed('bob', 'noResponse', 'peer')).im).toEqual([]);
  });

  it('joined -> roster only; an unknown user or an unchanged status -> nothing', () => {
    expect(inviteeChanged(ctx(), changed('bob', 'joined'))).toEqual({ patch: { roster: { bob: 'joined' } } });
    expect(inviteeChanged(ctx(), changed('zed', 'accepted'))).toBe(NONE);
    expect(inviteeChanged(ctx(), changed('bob', 'pending'))).toBe(NONE);
  });
});

describe('setMedia, syncPublished, mediaResult', () => {
  const camera = (on: boolean): CallEvent => ({ type: 'media.camera', id: 7, at: 0, on });

  it('openCamera in an audio call -> refused with -1203', () => {
    expect(setMedia(ctx({ callType: 1 }), camera(true))).toEqual({
      notices: [{ type: 'command.settled', commandId: 7, error: { code: -1203, reason: 'an audio call has no camera', kind: 'state' } }],
    });
  });

  it('closeCamera while the room is entered -> remembered, settled at once, and the room told at once (room.preset)', () => {
    expect(setMedia(ctx({ room: 'entering' }), camera(false))).toEqual({
      patch: { camera: false },
      notices: [{ type: 'command.settled', commandId: 7 }],
      room: [{ type: 'room.preset', roomID: 42, video: false, audioMuted: false }],
    });
  });

  it('closeCamera before the room is entered -> remembered and settled at once', () => {
    expect(setMedia(ctx({ room: 'out' }), camera(false))).toEqual({
      patch: { camera: false },
      notices: [{ type: 'command.settled', commandId: 7 }],
    });
  });

  it('closeCamera in the room -> room.setCamera with the command id; settled only by the room', () => {
    expect(setMedia(ctx({ room: 'in' }), camera(false))).toEqual({
      patch: { camera: false, published: { video: false, audioMuted: false } },
      room: [{ type: 'room.setCamera', roomID: 42, commandId: 7, on: false }],
    });
    expect(mediaResult(ctx({ cameraAsks: 1 }), { type: 'room.mediaDone', roomID: 42, commandId: 7, media: 'camera', at: 0 })).toEqual({
      patch: { cameraAsks: 0 },
      notices: [{ type: 'command.settled', commandId: 7 }],
    });
  });

  it('entering the room after closeCamera and setMicMute -> publishes both (commandId -1)', () => {
    expect(syncPublished(ctx({ camera: false, micMuted: true }))).toEqual({
      patch: { room: 'in', published: { video: false, audioMuted: true } },
      room: [
        { type: 'room.setCamera', roomID: 42, commandId: -1, on: false },
        { type: 'room.setMic', roomID: 42, commandId: -1, muted: true },
      ],
    });
  });

  it('the room fails the camera -> camera off, ERROR, the command settled with a port error', () => {
    const failed: CallEvent = { type: 'room.mediaFailed', roomID: 42, commandId: 7, media: 'camera', at: 0, error: { code: -1301, message: 'denied' } };
    const notices = [
      { type: 'error', code: -1301, message: 'denied' },
      { type: 'command.settled', commandId: 7, error: { code: -1301, reason: 'denied', kind: 'port' } },
    ];
    expect(mediaResult(ctx({ cameraAsks: 1 }), failed)).toEqual({
      patch: { cameraAsks: 0, camera: false, published: { video: false, audioMuted: false } },
      notices,
    });
    // Another camera change waits behind it: its answer says what the camera is.
    expect(mediaResult(ctx({ cameraAsks: 2 }), failed)).toEqual({ patch: { cameraAsks: 1 }, notices });
    expect(mediaResult(ctx(), { type: 'room.mediaDone', roomID: 42, commandId: -1, media: 'mic', at: 0 })).toBe(NONE);
  });
});

describe('predicates', () => {
  it('nobodyLeft: false while someone is present or an invitee may still come', () => {
    expect(nobodyLeft(ctx({ roster: { bob: 'left' } }))).toBe(true);
    expect(nobodyLeft(ctx({ roster: { bob: 'left' }, present: [peer('zed')] }))).toBe(false);
    expect(nobodyLeft(ctx({ roster: { bob: 'pending' } }))).toBe(false);
    expect(nobodyLeft(ctx({ roster: { bob: 'accepted' } }))).toBe(false);
    expect(nobodyLeft(ctx({ roster: { bob: 'joined' }, present: [peer('bob')] }), 'bob')).toBe(true);
  });

  it('everyoneDeclined: only when no invitee is open, joined or left', () => {
    expect(everyoneDeclined(group({ bob: 'rejected', carol: 'noResponse' }))).toBe(true);
    expect(everyoneDeclined(group({ bob: 'rejected', carol: 'pending' }))).toBe(false);
    expect(everyoneDeclined(group({ bob: 'rejected', carol: 'left' }))).toBe(false);
  });

  it.each([
    [{ bob: 'busy', carol: 'busy' }, 'busy'],
    [{ bob: 'busy', carol: 'rejected' }, 'rejected'],
    [{ bob: 'busy', carol: 'noResponse' }, 'busy'],
    [{ bob: 'noResponse', carol: 'cancelled' }, 'noResponse'],
  ] as const)('declineReason %o -> %s', (roster, reason) => {
    expect(declineReason(group(roster))).toBe(reason);
  });

  it('durationAt: whole seconds since the first arrival, 0 if nobody came', () => {
    expect(durationAt(ctx({ connectedAt: 1_000 }), 13_600)).toBe(13);
    expect(durationAt(ctx({ connectedAt: 1_000 }), 13_500)).toBe(13);
    expect(durationAt(ctx(), 13_600)).toBe(0);
    expect(durationAt(ctx({ connectedAt: 1_000 }), undefined)).toBe(0);
  });
});

describe('requests', () => {
  it('hangup while carol rings and dave accepted but never came -> CANCEL carol, HANGUP dave (call_end 0), C2C', () => {
    const c = group({ bob: 'joined', carol: 'pending', dave: 'accepted' }, { groupID: '' });
    expect(hangupRequests(c)).toEqual([
      { type: 'im.send', to: { users: ['carol'] }, signal: { kind: 'cancel', ...base, invitees: ['carol'] }, onlineUserOnly: false },
      { type: 'im.send', to: { users: ['dave'] }, signal: { kind: 'hangup', ...base, invitees: ['dave'], callEnd: 0 }, onlineUserOnly: false },
    ]);
  });

  it('hangup() or logout() from inside the room -> the cancels only: the room tells who answered that we left (a group member may be talking with the others; Tencent\'s client would end its call twice)', () => {
    const c = group({ bob: 'joined', carol: 'pending', dave: 'accepted' }, { groupID: '', room: 'in' });
    const cancels = hangupRequests(c).slice(0, 1);
    expect(onHangup(c, cmd.hangup(3, 9_000)).im).toEqual(cancels);
    expect(onHangup(c, { type: 'call.terminate', reason: 'hangup', at: 9_000 }).im).toEqual(cancels);
    const oneToOne = ctx({ roster: { bob: 'accepted' }, room: 'in' });
    expect(onHangup(oneToOne, cmd.hangup(3, 9_000)).im).toEqual([]);
    // Still entering, or alone for 30 s: they are told (the room cannot tell them).
    expect(onHangup({ ...oneToOne, room: 'entering' }, cmd.hangup(3, 9_000)).im).toEqual(hangupRequests(oneToOne));
    expect(onHangup(oneToOne, { type: 'xstate.after.aloneTimeout.call.inCall.alone', at: 9_000 } as unknown as CallEvent).im).toHaveLength(1);
  });

  it('onHangup at 9 s while carol rings and dave accepted -> the requests above, and carol\'s actor told to cancel, stamped 9000', () => {
    const c = group({ bob: 'joined', carol: 'pending', dave: 'accepted' }, { groupID: '' });
    expect(onHangup(c, cmd.hangup(3, 9_000))).toEqual({
      im: hangupRequests(c),
      invitees: [{ userID: 'carol', type: 'cancel', at: 9_000 }],
    });
  });

  it('a C2C group call with an inviteID per invitee: one invite each, to that invitee alone, with its own inviteID', () => {
    const c = group({ bob: 'pending', carol: 'pending' }, { groupID: '', inviteIDs: { bob: 'inv-5', carol: 'inv-6' } });
    const sent = sendInvite(c).im ?? [];
    expect(sent.map((r) => (r.type === 'im.send' ? [r.to, r.signal.inviteID, r.signal.kind === 'invite' ? r.signal.invitees : []] : []))).toEqual([
      [{ users: ['bob'] }, 'inv-5', ['bob', 'carol']],
      [{ users: ['carol'] }, 'inv-6', ['bob', 'carol']],
    ]);
  });

  it('each answer goes to the invitee whose invite it answers; one naming another invitee\'s inviteID changes nothing', () => {
    const c = group({ bob: 'pending', carol: 'pending' }, { groupID: '', inviteIDs: { bob: 'inv-5', carol: 'inv-6' } });
    expect(toInvitee(c, im.accepted('carol', { inviteID: 'inv-6', invitee: 'carol' }, 7))).toEqual({ invitees: [{ userID: 'carol', type: 'accept', at: 7 }] });
    expect(toInvitee(c, im.accepted('carol', { inviteID: 'inv-5', invitee: 'carol' }, 7))).toEqual({});
    expect(toInvitee(c, im.timedOut('bob', ['bob'], { inviteID: 'inv-5' }))).toMatchObject({ invitees: [{ userID: 'bob', type: 'timeout' }] });
    expect(toInvitee(c, im.timedOut('carol', ['carol'], { inviteID: 'inv-5' }))).toEqual({ invitees: [] });
  });

  it('a C2C group call with an inviteID per invitee: each cancel, hangup and timeout notice carries that invitee\'s own inviteID', () => {
    const c = group({ bob: 'joined', carol: 'pending', dave: 'accepted' }, { groupID: '', inviteIDs: { bob: 'inv-5', carol: 'inv-6', dave: 'inv-7' } });
    expect(hangupRequests(c).map((r) => (r.type === 'im.send' ? [r.signal.kind, r.signal.inviteID, r.to] : []))).toEqual([
      ['cancel', 'inv-6', { users: ['carol'] }],
      ['hangup', 'inv-7', { users: ['dave'] }],
    ]);
    const notice = inviteeChanged(c, changed('carol', 'noResponse', 'timer')).im?.[0];
    expect(notice).toMatchObject({ to: { users: ['carol'] }, signal: { kind: 'timeout', inviteID: 'inv-6', invitees: ['carol'] } });
  });

  it('busyReject answers the inviter (or its group) with busy, as us', () => {
    expect(busyReject('bob', inviteSignal({ inviteID: 'inv-9', inviter: 'carol', groupID: 'g2' }))).toEqual({
      type: 'im.send',
      to: { groupID: 'g2' },
      signal: { kind: 'reject', inviteID: 'inv-9', inviter: 'carol', groupID: 'g2', callType: 2, invitee: 'bob', busy: true },
      onlineUserOnly: false,
    });
  });
});

describe('applyEffects', () => {
  function scope(children: Record<string, 'active' | 'done'>, system: string[]) {
    const did: unknown[] = [];
    const ref = (id: string, status = 'active') => ({ id, getSnapshot: () => ({ status }) }) as unknown as AnyActorRef;
    const s: ActionScope = {
      context: { inviteID: 'inv-5', leaveGraceMs: 5_000, missingMemberMs: 10_000, cameraAsks: 0 },
      self: { getSnapshot: () => ({ children: Object.fromEntries(Object.entries(children).map(([id, st]) => [id, ref(id, st)])) }) },
      system: { get: (id) => (system.includes(id) ? ref(id) : undefined) },
      enqueue: {
        assign: (patch) => void did.push(['assign', patch]),
        // Invitee and member events are recorded whole (their `at` matters); the rest by type, faults with their text.
        sendTo: (target, event: AnyEventObject) => {
          const id = typeof target === 'string' ? target : String(target.id);
          const notice = (event as { notice?: { type: string; message?: string } }).notice;
          did.push(['sendTo', id, /^(invitee|member):/.test(id) ? event : notice?.type === 'error' ? notice.message : event.type]);
        },
        spawnChild: (src, options) => void did.push(['spawn', options.id, options.input]),
        stopChild: (id) => void did.push(['stop', id]),
      },
    };
    return { s, did };
  }

  const everything = {
    notices: [{ type: 'line.ready' }],
    parent: [{ type: 'call.merged' }],
    room: [{ type: 'room.exit', roomID: 42 }],
    im: [busyReject('alice', inviteSignal())],
    invitees: [
      { userID: 'bob', type: 'left', at: 9_000 },
      { userID: 'carol', type: 'left', at: 9_000 },
    ],
    patch: { room: 'out' },
  } as const;

  it('orders patch, invitees ({ type, at }), members, im, room, then the line (parent events, notices); skips finished invitees', () => {
    const { s, did } = scope({ 'invitee:bob': 'active', 'invitee:carol': 'done' }, ['im', 'room', 'line']);
    applyEffects(s, everything);
    expect(did).toEqual([
      ['assign', { room: 'out' }],
      ['sendTo', 'invitee:bob', { type: 'left', at: 9_000 }],
      ['sendTo', 'im', 'im.send'],
      ['sendTo', 'room', 'room.exit'],
      ['sendTo', 'line', 'call.merged'],
      ['sendTo', 'line', 'notice'],
    ]);
  });

  it('member facts: to a live member actor; one is started (a finished one replaced) when the fact may start one', () => {
    const { s, did } = scope({ 'member:bob': 'active', 'member:carol': 'done' }, ['im', 'room', 'line']);
    const input = (userID: string) => ({ userID, leaveGraceMs: 5_000, missingMemberMs: 10_000 });
    applyEffects(s, {
      members: [
        { userID: 'bob', event: { type: 'connectionLost', at: 1 }, spawn: 'never' },
        { userID: 'carol', event: { type: 'left', at: 2 }, spawn: 'ifAbsent' },
        { userID: 'carol', event: { type: 'mediaArrived', at: 3 }, spawn: 'ifNotActive' },
        { userID: 'dave', event: { type: 'connectionBack', at: 4 }, spawn: 'never' },
        { userID: 'dave', event: { type: 'left', at: 5 }, spawn: 'ifAbsent' },
      ],
      membersBut: { keep: ['carol'], event: { type: 'missing', at: 6 } },
    });
    expect(did).toEqual([
      ['sendTo', 'member:bob', { type: 'connectionLost', at: 1 }],
      ['stop', 'member:carol'],
      ['spawn', 'member:carol', input('carol')],
      ['sendTo', 'member:carol', { type: 'mediaArrived', at: 3 }],
      ['spawn', 'member:dave', input('dave')],
      ['sendTo', 'member:dave', { type: 'left', at: 5 }],
      ['sendTo', 'member:bob', { type: 'missing', at: 6 }],
    ]);
  });

  it('a request, or an event for an invitee never spawned, with nobody to take it -> a core fault notice to the line, never silence', () => {
    const { s, did } = scope({}, ['line']);
    applyEffects(s, { ...everything, invitees: [{ userID: 'zed', type: 'left', at: 1 }] });
    expect(did).toEqual([
      ['assign', { room: 'out' }],
      ['sendTo', 'line', 'call.merged'],
      ['sendTo', 'line', 'notice'],
      ['sendTo', 'line', 'core fault: call inv-5: left for invitee zed, who has no actor'],
      ['sendTo', 'line', 'core fault: call inv-5: im.send (reject) with no im actor'],
      ['sendTo', 'line', 'core fault: call inv-5: room.exit with no room actor'],
    ]);
  });

  it('camera changes asked of the room are counted (their answers come in order); none asked with no room actor', () => {
    const cameras = { room: [42, 42].map((roomID, i) => ({ type: 'room.setCamera' as const, roomID, commandId: i, on: i === 1 })) };
    const withRoom = scope({}, ['room', 'line']);
    applyEffects(withRoom.s, { ...cameras, room: [...cameras.room, { type: 'room.setMic', roomID: 42, commandId: 2, muted: true }] });
    expect(withRoom.did).toEqual([
      ['sendTo', 'room', 'room.setCamera'],
      ['sendTo', 'room', 'room.setCamera'],
      ['sendTo', 'room', 'room.setMic'],
      ['assign', { cameraAsks: 2 }],
    ]);
    const noRoom = scope({}, ['line']);
    applyEffects(noRoom.s, cameras);
    expect(noRoom.did.filter((d) => (d as unknown[])[0] === 'assign')).toEqual([]);
  });

  it('no line either (a call run on its own) -> MissingActorError; nothing to deliver -> fine', () => {
    const { s } = scope({ 'invitee:bob': 'active', 'invitee:carol': 'done' }, ['im', 'room']);
    expect(() => applyEffects(s, everything)).toThrow(new MissingActorError('call inv-5: 2 event(s) for the line, which is not there'));
    expect(() => applyEffects(s, { im: everything.im, patch: { room: 'out' } })).not.toThrow();
  });
});
