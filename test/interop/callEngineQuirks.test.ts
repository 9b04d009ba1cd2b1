/**
 * call-engine-js 3.3.4's quirks as ours meets them, pinned: what it does that its own 3.1.7
 * (TUICallEngine) or trtc-calling-js 1.0.6 do not, or that leaves its user in a state for good.
 * Ours keeps to the wire it speaks with the others; each test names the quirk and shows its cost.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import type { Ev } from './support/interopWorld';
import { oe, useInterop } from './support/suite';
import { te } from './support/tuiEvents';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
const sends = () => wire.sends(({ env }) => [env.inviteeList]);
const g1 = { type: 1, group: 'g1' } as const;
const audio = { type: 1 } as const;

describe('3.3.4 ignores a CANCEL once another invitee has accepted an IM-group call (its Chat SDK drops the invitation and its timer): ours tells it timeout instead', () => {
  /** Our Alice group-calls Bob (3.3.4) and Carol of `kind` through g1; Bob accepts; Carol rings. */
  async function ringing(kind: 'callEngine' | 'tui' | 'official' | 'ours', carolRang: (all: string[]) => Ev[]) {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = kind === 'callEngine' ? await t.world.callEngine('carol') : kind === 'tui' ? await t.world.tui('carol') : await t.world.party(kind, 'carol');
    const dave = await t.world.party('ours', 'dave');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    await t.world.act(bob.engine.accept(), 2 * S);
    alice.take();
    bob.take();
    expect(carol.take()).toEqual(carolRang(['bob', 'carol']));
    return { alice, bob, carol, dave };
  }

  /** Alice hangs up while Carol rings: our caller's timer notice naming her, through the group (Bob hears it too). */
  async function withdrawn(kind: 'callEngine' | 'tui' | 'official' | 'ours', carolRang: (all: string[]) => Ev[]) {
    const p = await ringing(kind, carolRang);
    await t.world.act(p.alice.hangup(), 2 * S);
    expect(p.alice.take()).toEqual([ev.end('alice', 'hangup', 2)]);
    // Bob, left alone, hears Carol will not come (the same notice), and ends.
    expect(p.bob.take()).toEqual([ce.noResponse(['carol']), ce.leave('alice'), ce.end(2, 2, g1)]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']],
      ['bob', 'g1', 3, 'id1', '', 0, ['bob']],
      ['alice', 'g1', 5, 'id1', 'audioCall', null, ['carol']],
    ]);
    return p;
  }

  /** A later call from Dave rings Carol, and she can answer it: she was not left busy. */
  async function ringsAgain(carol: { take(): Ev[] }, dave: Awaited<ReturnType<typeof ringing>>['dave'], rings: readonly Ev[]) {
    await t.world.advance(120 * S);
    await t.world.act(dave.call('carol', 1), 2 * S);
    expect([carol.take(), dave.take()]).toEqual([rings, []]);
  }

  it.each([
    { kind: 'callEngine', rang: (all: string[]) => [...ce.invited('alice', all, g1), ce.accepted('bob')], stops: ce.notConnected('carol', 2, g1), rings: ce.invited('dave', ['carol'], audio) },
    { kind: 'tui', rang: (all: string[]) => [...te.invited('alice', all, { type: 1, groupID: 'g1' }), te.accepted('bob')], stops: te.cancelled('carol', 'invitee', 1, 'timeout'), rings: te.invited('dave', ['carol'], { type: 1 }) },
    { kind: 'official', rang: (all: string[]) => [oe.invited('alice', all, { isFromGroup: true, callType: 1 }), oe.accepted('carol')], stops: [oe.timedOut('alice', ['carol']), oe.end('alice', 0)], rings: [oe.invited('dave', ['carol'], { callType: 1 })] },
    { kind: 'ours', rang: (all: string[]) => [ev.invited('alice', all, { isFromGroup: true, callType: 1 })], stops: [ev.timedOut('alice', ['carol'])], rings: [ev.invited('dave', ['carol'], { callType: 1 })] },
  ] as const)('where Carol is $kind, she stops ringing at once as she would ringing out, and a later call rings her', async ({ kind, rang, stops, rings }) => {
    const { carol, dave } = await withdrawn(kind, rang);
    expect(carol.take()).toEqual(stops);
    await ringsAgain(carol, dave, rings);
  });

  it.each([false, true])('the quirk, pinned: a CANCEL (through the group: %s) changes nothing 3.3.4\'s Carol shows, she never times out, answers every later call busy, and her accept() fails', async (viaGroup) => {
    {
      const { carol, dave } = await ringing('callEngine', (all) => [...ce.invited('alice', all, g1), ce.accepted('bob')]);
      const invite = JSON.parse(t.world.im.log.find((m) => m.from === 'alice')?.payload.data ?? '{}') as { inviteID: string; data: string };
      // The CANCEL trtc-calling-js's or TSignaling's caller would send, from Alice's IM account.
      const cancel = { businessID: 1, inviteID: invite.inviteID, inviter: 'alice', actionType: 2, inviteeList: ['carol'], data: invite.data, timeout: 0, groupID: viaGroup ? 'g1' : '' };
      const im = t.world.im.create();
      const message = im.createCustomMessage({ to: viaGroup ? 'g1' : 'carol', conversationType: viaGroup ? 'GROUP' : 'C2C', payload: { data: JSON.stringify(cancel) } } as Parameters<typeof im.createCustomMessage>[0]);
      t.world.im.route('alice', message, { onlineUserOnly: false, messageControlInfo: { excludedFromContentModeration: true, excludedFromUnreadCount: false, excludedFromLastMessage: false } });
      await t.world.advance(120 * S);
      expect(carol.take()).toEqual([]);
      await t.world.act(dave.call('carol', 1), 2 * S);
      expect(dave.take()).toEqual([ev.busy('carol', 'dave'), ev.end('dave', 'busy', 0)]);
      if (carol.kind !== 'callEngine') throw new Error('Carol is 3.3.4 here');
      const error = await t.world.actFails(carol.engine.accept(), 3 * S);
      expect(error).toMatchObject({ message: 'invalid response_data' });
      expect(carol.take()).toEqual([]);
    }
  });
});

describe('two invitees still ring as our IM-group caller hangs up, a third having accepted', () => {
  it.each(['official', 'tui', 'callEngine'] as const)('Bob and Carol on %s, our Dave accepts; Alice hangup() -> one notice through the group names both: both stop ringing for good, and a later call rings each', async (kind) => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol', 'dave']);
    const alice = await t.world.party('ours', 'alice');
    const party = (id: string) => (kind === 'official' ? t.world.party('official', id) : kind === 'tui' ? t.world.tui(id) : t.world.callEngine(id));
    const bob = await party('bob');
    const carol = await party('carol');
    const dave = await t.world.party('ours', 'dave');
    const erin = await t.world.party('ours', 'erin');
    await t.world.act(alice.groupCall(['bob', 'carol', 'dave'], 1, 'g1'), 2 * S);
    await t.world.act(dave.accept(), 2 * S);
    for (const p of [alice, bob, carol, dave]) p.take();
    wire.reset();
    t.world.wire.take();
    await t.world.act(alice.hangup(), 2 * S);
    expect(t.world.wire.take().filter((m) => m.from === 'alice').map((m) => [m.to, m.envelope.actionType, m.envelope.inviteeList])).toEqual([['g1', 5, ['bob', 'carol']]]);
    // trtc-calling-js's invitee strikes off whom a notice names, and ends once nobody it knows of still rings.
    if (bob.kind === 'official' && carol.kind === 'official') expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'idle']);
    await t.world.advance(120 * S);
    for (const who of ['bob', 'carol']) {
      await t.world.act(erin.call(who, 1), 2 * S);
      expect(erin.take()).not.toContainEqual(ev.busy(who, 'erin'));
      await t.world.act(erin.hangup(), 2 * S);
    }
  });
});

/** Alice of `kind`, group-calling Bob and Carol through g1 (audio). */
async function groupCaller(kind: 'ours' | 'tui' | 'callEngine'): Promise<{ groupCall(): Promise<unknown>; hangup(): Promise<unknown> }> {
  if (kind === 'ours') {
    const ours = await t.world.party('ours', 'alice');
    return { groupCall: () => ours.groupCall(['bob', 'carol'], 1, 'g1'), hangup: () => ours.hangup() };
  }
  const { engine } = kind === 'tui' ? await t.world.tui('alice') : await t.world.callEngine('alice');
  return { groupCall: () => engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }), hangup: () => engine.hangup() };
}

describe('3.3.4 ignores a CANCEL that crosses another invitee\'s accept, with Tencent\'s own callers as with ours', () => {
  it.each(['ours', 'callEngine', 'tui'] as const)('%s Alice group-calls 3.3.4 Bob and Carol through g1 and hangs up while Bob\'s ACCEPT is on its way: her CANCEL reaches Carol after it, and Carol is busy for good', async (kind) => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await groupCaller(kind);
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.callEngine('carol');
    const dave = await t.world.party('ours', 'dave');
    await t.world.act(alice.groupCall(), 2 * S);
    const accepted = () => t.world.im.log.some((m) => m.from === 'bob' && (JSON.parse(m.payload.data) as { actionType?: number }).actionType === 3);
    const accepting = bob.engine.accept();
    for (let i = 0; i < 1000 && !accepted(); i++) await t.world.advance(1);
    expect(accepted()).toBe(true);
    // Bob's ACCEPT has just left: Alice hangs up before it reaches her, as nobody had answered.
    await t.world.act(Promise.all([accepting, alice.hangup()]), 2 * S);
    const cancels = t.world.im.log.filter((m) => m.from === 'alice' && (JSON.parse(m.payload.data) as { actionType?: number }).actionType === 2);
    // One CANCEL through the group, naming both (Bob's accept had not reached her), as Tencent's callers send it.
    expect(cancels.map((m) => m.to)).toEqual(['g1']);
    expect(carol.take().map((e) => e.name)).toEqual(['onCallReceived', 'onInvited', 'onUserAccept']);
    await t.world.advance(120 * S);
    await t.world.act(dave.call('carol', 1), 2 * S);
    expect(dave.take()).toEqual([ev.busy('carol', 'dave'), ev.end('dave', 'busy', 0)]);
    expect(carol.take()).toEqual([]);
  });
});

describe('3.3.4 takes a group call\'s C2C invitation (a call without an IM group) as a 1v1 call, as 3.1.7 does', () => {
  it('our Alice groupCall(bob, carol: 3.3.4) without a group; both accept; Alice hangup() -> both end, though together in the room, each sending its hangup', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.callEngine('carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1));
    // Each sees itself alone invited (our data.userIDs names both; 3.3.4 reads the envelope's list).
    expect([bob.take(), carol.take()]).toEqual([ce.invited('alice', ['bob'], audio), ce.invited('alice', ['carol'], audio)]);
    await t.world.act(bob.engine.accept(), 2 * S);
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([
      ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true),
    ]);
    expect(bob.take()).toEqual([ce.begin(2, audio), ce.join('alice'), ce.audio('alice', true), ce.join('carol'), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.begin(2, audio), ce.join('alice'), ce.audio('alice', true), ce.join('bob'), ce.audio('bob', true)]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 4)]);
    expect(bob.take()).toEqual([ce.leave('alice'), ce.end(2, 4, audio)]);
    expect(carol.take()).toEqual([ce.leave('alice'), ce.end(2, 2, audio)]);
    expect(sends()).toEqual([
      ['alice', 'bob', 1, 'id1', 'audioCall', null, ['bob']],
      ['alice', 'carol', 1, 'id2', 'audioCall', null, ['carol']],
      ['bob', 'alice', 3, 'id1', '', 0, ['bob']],
      ['carol', 'alice', 3, 'id2', '', 0, ['carol']],
      ['bob', 'alice', 1, 'id3', 'hangup', 4, ['alice']],
      ['carol', 'alice', 1, 'id4', 'hangup', 2, ['alice']],
    ]);
  });

  it('3.1.7 alike: our Alice groupCall(bob, carol: 3.1.7) without a group; both accept; Alice hangup() -> both end', async () => {
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.tui('carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1));
    expect([bob.take(), carol.take()]).toEqual([te.invited('alice', ['bob'], { type: 1 }), te.invited('alice', ['carol'], { type: 1 })]);
    await t.world.act(bob.engine.accept(), 2 * S);
    await t.world.act(carol.engine.accept(), 2 * S);
    alice.take();
    bob.take();
    carol.take();
    await t.world.act(alice.hangup(), 2 * S);
    expect(bob.take()).toEqual([te.leave('alice'), te.end('bob', 'invitee', 1, 4)]);
    expect(carol.take()).toEqual([te.leave('alice'), te.end('carol', 'invitee', 1, 2), te.audio('bob', false)]);
  });

  it('our Alice groupCall(bob 3.3.4, carol ours) without a group; both accept; Bob hangup() sends nothing (a callee leaving a 1v1 call); Alice and Carol talk on; Alice hangup() -> Carol, the last, ends', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1));
    await t.world.act(bob.engine.accept(), 2 * S);
    await t.world.act(carol.accept(), 2 * S);
    expect(alice.take()).toEqual([
      ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true),
    ]);
    expect(bob.take()).toEqual([...ce.invited('alice', ['bob'], audio), ce.begin(2, audio), ce.join('alice'), ce.audio('alice', true), ce.join('carol'), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([
      ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 }), ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true),
    ]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(bob.take()).toEqual([ce.end(2, 3, audio)]);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.roster(['carol'])]);
    expect(carol.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.roster(['alice'])]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 6)]);
    expect(carol.take()).toEqual([ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 4)]);
    expect(sends()).toEqual([
      ['alice', 'bob', 1, 'id1', 'audioCall', null, ['bob']],
      ['alice', 'carol', 1, 'id2', 'audioCall', null, ['carol']],
      ['bob', 'alice', 3, 'id1', '', 0, ['bob']],
      ['carol', 'alice', 3, 'id2', 'audioCall', null, ['carol']],
      ['carol', 'alice', 1, 'id2-hangup', 'hangup', 4, ['alice']],
    ]);
  });
});

describe('3.3.4 kicked out by a second login of its user', () => {
  it.each(['ours', 'callEngine'] as const)('mid-call, by a login on %s: its KICKED_OUT handler throws (its event table lacks the engine\'s "onKickedOffline"), so it shows nothing and stays in the call and its TRTC room; the call goes on with our Bob until he hangs up', async (second) => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }));
    await t.world.act(bob.accept(), 2 * S);
    alice.take();
    bob.take();
    const roomID = t.world.rtc.rooms()[0]?.roomId;
    const again = second === 'ours' ? await t.world.party('ours', 'alice') : await t.world.callEngine('alice');
    // The page's uncaught error, thrown from the bundle's own code (the fake IM keeps it in that page).
    const [thrown, ...more] = t.world.unhandled.splice(0) as Error[];
    expect([thrown?.name, thrown?.message, more]).toEqual(['TypeError', "Cannot read properties of undefined (reading 'forEach')", []]);
    expect(thrown?.stack?.split('\n')[1]).toMatch(/node_modules\/@tencentcloud\/call-engine-js\/index\.cjs\.js/);
    await t.world.advance(120 * S);
    expect([alice.take(), bob.take(), again.take(), sends()]).toEqual([[], [], [], [['alice', 'bob', 1, 'id1', 'audioCall', 0, ['bob']], ['bob', 'alice', 3, 'id1', 'audioCall', null, ['bob']]]]);
    expect(t.world.rtc.members(roomID ?? 0)).toEqual(['alice', 'bob']);
    await t.world.act(bob.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.leave('bob'), ce.end(1, 122, audio)]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 122)]);
    expect(t.world.rtc.rooms()).toEqual([]);
  });
});

describe('3.3.4\'s switchCallMediaType() never completes on its side (in this tier)', () => {
  it.each(['callEngine', 'tui'] as const)('its peer on %s accepts the switch request, and 3.3.4 neither reports the change nor settles', async (kind) => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = kind === 'callEngine' ? await t.world.callEngine('bob') : await t.world.tui('bob');
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2 }));
    await t.world.act(bob.engine.accept(), 2 * S);
    alice.take();
    bob.take();
    sends();
    let settled = false;
    alice.engine.switchCallMediaType(1).then(() => (settled = true), () => (settled = true));
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual(kind === 'tui' ? [{ name: 'onCallTypeChanged', payload: { oldCallType: 2, newCallType: 1 } }] : []);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id2', 'switchToAudio', 0, ['bob']], ['bob', 'alice', 3, 'id2', 'switchToAudio', kind === 'tui' ? null : 0, ['bob']]]);
    expect(settled).toBe(false);
  });
});

describe('3.3.4 switches from video to audio only ("only support switch from video to audio", its engine\'s log)', () => {
  it('our Alice switchToVideoCall() in an audio call with it -> its answer is a busy REJECT (3.1.7 accepts); ours\' switch is refused, the call goes on as audio; its own switchCallMediaType(2) sends nothing and never settles', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    if (alice.kind !== 'ours') throw new Error('unreachable');
    await t.world.act(alice.call('bob', 1));
    await t.world.act(bob.engine.accept(), 2 * S);
    alice.take();
    bob.take();
    sends();
    const refused = await t.world.actFails(alice.calling.switchToVideoCall(), 40 * S);
    expect(refused).toMatchObject({ message: 'switchToVideoCall: the peer refused the switch' });
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect(alice.calling.getSnapshot().call).toMatchObject({ state: 'inCall', callType: 1, local: { camera: false } });
    expect(sends()).toEqual([['alice', 'bob', 1, 'id2', 'switchToVideo', null, ['bob']], ['bob', 'alice', 4, 'id2', '', 0, ['bob']]]);
    expect(JSON.parse(wire.datas.at(-1) ?? '{}')).toMatchObject({ line_busy: 'line_busy', data: { message: 'lineBusy' } });
    let settled = false;
    bob.engine.switchCallMediaType(2).then(() => (settled = true), () => (settled = true));
    await t.world.advance(40 * S);
    expect([settled, alice.take(), bob.take(), sends()]).toEqual([false, [], [], []]);
  });
});

describe('3.3.4\'s API', () => {
  it.each([
    { groupID: '', message: 'group_id cannot be null', code: -1202 },
    { groupID: undefined, message: 'group_id is invalid' },
  ])('groupCall() without an IM group (groupID $groupID) is refused ("$message"); nothing is sent', async ({ groupID, message, code }) => {
    const alice = await t.world.callEngine('alice');
    await t.world.party('ours', 'bob');
    const error = await t.world.actFails(alice.engine.groupCall({ userIDList: ['bob'], type: 1, groupID: groupID as string }));
    expect(error).toMatchObject({ message, ...(code === undefined ? {} : { code }) });
    expect([alice.take(), t.world.im.log]).toEqual([[], []]);
  });

  it.each(['hangup', 'accept', 'reject'] as const)('%s() with no call returns a promise that never settles (in this tier)', async (verb) => {
    const alice = await t.world.callEngine('alice');
    let settled = false;
    alice.engine[verb]().then(() => (settled = true), () => (settled = true));
    await t.world.advance(60 * S);
    expect([settled, alice.take(), t.world.im.log]).toEqual([false, [], []]);
  });
});
