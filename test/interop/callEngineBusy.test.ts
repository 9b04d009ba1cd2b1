/**
 * Busy between call-engine-js 3.3.4 and ours, both ways: a user in a call (with ours or with
 * another 3.3.4), or still ringing, or still dialing, gets a second call from the other kind. The
 * caller hears the line is busy (ours `LINE_BUSY` then `CALL_END(busy)`; 3.3.4 `onUserLineBusy`
 * then its not-connected triple), the busy user and its peer hear nothing, and the call in progress
 * goes on: it connects or ends later as any call does. Both parties' whole ordered event logs and
 * the wire (3.3.4's busy reject carries `cmd: ""`, `call_end: 0` and room 0; ours TRTCCalling's).
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import type { Ev } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
/** Plus `line_busy` and `data.message`. */
const sends = () => wire.sends(({ inner }) => [inner.line_busy ?? null, inner.data.message ?? null]);
const audio = { type: 1 } as const;

/** A 3.3.4 or ours user, as these tests drive it. */
type User = Awaited<ReturnType<typeof user>>;
async function user(kind: 'ours' | 'callEngine', id: string) {
  const p = kind === 'ours' ? await t.world.party('ours', id) : await t.world.callEngine(id);
  return {
    id,
    kind,
    take: (): Ev[] => p.take(),
    call: (to: string, type: 1 | 2) => (p.kind === 'callEngine' ? p.engine.call({ userID: to, type }) : p.call(to, type)),
    accept: () => (p.kind === 'callEngine' ? p.engine.accept() : p.accept()),
    hangup: () => (p.kind === 'callEngine' ? p.engine.hangup() : p.hangup()),
  };
}

/** Carol audio-calls Bob, Bob accepts: the events of each, asserted. */
async function inCall(bob: User, carol: User): Promise<void> {
  await t.world.act(carol.call('bob', 1));
  await t.world.act(bob.accept(), 2 * S);
  const bobHears = bob.kind === 'ours'
    ? [ev.invited('carol', ['bob'], { callType: 1 }), ev.enter('carol'), ev.audio('carol', true)]
    : [...ce.invited('carol', ['bob'], audio), ce.begin(2, audio), ce.join('carol'), ce.audio('carol', true)];
  const carolHears = carol.kind === 'ours'
    ? [ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]
    : bob.kind === 'ours'
      ? [ce.join('bob'), ce.audio('bob', true), ce.accepted('bob'), ce.begin(1, audio)]
      : [ce.join('bob'), ce.accepted('bob'), ce.begin(1, audio), ce.audio('bob', true)];
  expect(bob.take()).toEqual(bobHears);
  expect(carol.take()).toEqual(carolHears);
  expect(sends().map((s) => s.slice(0, 4))).toEqual([['carol', 'bob', 1, 'id1'], ['bob', 'carol', 3, 'id1']]);
}

/**
 * Carol, the caller of the call in progress, hangs up 43 s after Bob's accept: each ends it as
 * any call. 3.3.4's caller counts its `totalTime` a second short of its callee (as in
 * callEngine.test.ts); Bob, left alone, counts the whole time and sends the hangup. A 3.3.4
 * Carol mutes before she leaves.
 */
async function carolHangsUp(bob: User, carol: User): Promise<void> {
  await t.world.act(carol.hangup(), 2 * S);
  expect(carol.take()).toEqual([carol.kind === 'ours' ? ev.end('carol', 'hangup', 43) : ce.end(1, 42, audio)]);
  const mutes = carol.kind === 'ours' ? [] : [bob.kind === 'ours' ? ev.audio('carol', false) : ce.audio('carol', false)];
  expect(bob.take()).toEqual(bob.kind === 'ours' ? [...mutes, ev.leave('carol'), ev.end('carol', 'hangup', 43)] : [...mutes, ce.leave('carol'), ce.end(2, 43, audio)]);
}

describe('call-engine-js 3.3.4 calls ours, who is busy', () => {
  it.each(['ours', 'callEngine'] as const)('our Bob in a call with Carol (%s); Alice (3.3.4) call() -> busy REJECT; Alice onUserLineBusy, not connected; Bob and Carol hear nothing, talk on 40 s, end as usual', async (carolKind) => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await user('ours', 'bob');
    const carol = await user(carolKind, 'carol');
    await inCall(bob, carol);
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2 }));
    expect(alice.take()).toEqual([ce.busy('bob'), ...ce.notConnected('alice', 1)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    // Ours answers in TRTCCalling's busy reject (its invite's data, `line_busy`, `lineBusy`).
    expect(sends()).toEqual([['alice', 'bob', 1, 'id2', 'videoCall', 0, null, ''], ['bob', 'alice', 4, 'id2', 'videoCall', null, 'line_busy', 'lineBusy']]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
    await carolHangsUp(bob, carol);
  });

  it('our Bob ringing from our Carol; Alice (3.3.4) call() -> busy REJECT, Alice onUserLineBusy; Bob rings on for Carol, accepts: connected', async () => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(carol.call('bob', 1));
    expect(bob.take()).toEqual([ev.invited('carol', ['bob'], { callType: 1 })]);
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2 }));
    expect(alice.take()).toEqual([ce.busy('bob'), ...ce.notConnected('alice', 1)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    await t.world.act(bob.accept(), 2 * S);
    expect(bob.take()).toEqual([ev.enter('carol'), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    expect(sends().map((s) => s.slice(0, 4))).toEqual([['carol', 'bob', 1, 'id1'], ['alice', 'bob', 1, 'id2'], ['bob', 'alice', 4, 'id2'], ['bob', 'carol', 3, 'id1']]);
  });
});

describe('ours calls call-engine-js 3.3.4, who is busy', () => {
  it.each(['ours', 'callEngine'] as const)('3.3.4 Bob in a call with Carol (%s); our Alice call() -> busy REJECT (cmd "", call_end 0); Alice LINE_BUSY, CALL_END(busy); Bob and Carol hear nothing, talk on, end as usual', async (carolKind) => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await user('callEngine', 'bob');
    const carol = await user(carolKind, 'carol');
    await inCall(bob, carol);
    await t.world.act(alice.call('bob', 2));
    expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id2', 'videoCall', null, null, ''], ['bob', 'alice', 4, 'id2', '', 0, 'line_busy', 'lineBusy']]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
    await carolHangsUp(bob, carol);
  });

  it('3.3.4 Bob ringing from 3.3.4 Carol; our Alice call() -> busy REJECT, Alice LINE_BUSY; Bob rings on for Carol, accepts: connected', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.callEngine('carol');
    await t.world.act(carol.engine.call({ userID: 'bob', type: 1 }));
    expect(bob.take()).toEqual(ce.invited('carol', ['bob'], audio));
    await t.world.act(alice.call('bob', 2));
    expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(bob.take()).toEqual([ce.begin(2, audio), ce.join('carol'), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.join('bob'), ce.accepted('bob'), ce.begin(1, audio), ce.audio('bob', true)]);
    expect(sends().map((s) => s.slice(0, 4))).toEqual([['carol', 'bob', 1, 'id1'], ['alice', 'bob', 1, 'id2'], ['bob', 'alice', 4, 'id2'], ['bob', 'carol', 3, 'id1']]);
  });

  it('3.3.4 Bob dialing our Carol; our Alice call() -> busy REJECT, Alice LINE_BUSY; Carol accepts Bob: connected', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(bob.engine.call({ userID: 'carol', type: 1 }));
    expect(carol.take()).toEqual([ev.invited('bob', ['carol'], { callType: 1 })]);
    await t.world.act(alice.call('bob', 2));
    expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    await t.world.act(carol.accept(), 2 * S);
    expect(bob.take()).toEqual([ce.join('carol'), ce.audio('carol', true), ce.accepted('carol'), ce.begin(1, audio)]);
    expect(carol.take()).toEqual([ev.enter('bob'), ev.audio('bob', true)]);
    expect(sends().map((s) => s.slice(0, 4))).toEqual([['bob', 'carol', 1, 'id1'], ['alice', 'bob', 1, 'id2'], ['bob', 'alice', 4, 'id2'], ['carol', 'bob', 3, 'id1']]);
  });
});

describe('busy in a group call through an IM group', () => {
  const g1 = { type: 1, group: 'g1' } as const;

  it('3.3.4 Alice groupCall(bob: ours, in a call with Dave; carol: 3.3.4) -> Bob answers busy to the group (Alice and ringing Carol onUserLineBusy); Carol accepts; Alice hangup() ends it; Bob and Dave talk on', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.callEngine('carol');
    const dave = await t.world.party('ours', 'dave');
    await t.world.act(dave.call('bob', 1));
    await t.world.act(bob.accept(), 2 * S);
    bob.take();
    dave.take();
    sends();
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
    expect(alice.take()).toEqual([ce.busy('bob')]);
    expect(carol.take()).toEqual([...ce.invited('alice', ['bob', 'carol'], g1), ce.busy('bob')]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id2', 'audioCall', 0, null, ''], ['bob', 'g1', 4, 'id2', 'audioCall', null, 'line_busy', 'lineBusy']]);
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('carol'), ce.accepted('carol'), ce.begin(1, g1), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    await t.world.advance(40 * S);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 41, g1)]);
    expect(carol.take()).toEqual([ce.audio('alice', false), ce.end(2, 42, g1)]);
    expect([bob.take(), dave.take(), bob.getCallStatus(), dave.getCallStatus()]).toEqual([[], [], 'connected', 'connected']);
  });

  it('our Alice groupCall(bob: 3.3.4, in a call with 3.3.4 Dave; carol: ours) -> Bob answers busy to the group; Alice LINE_BUSY; Carol accepts; Alice hangup() -> Carol, the last, ends; Bob and Dave talk on', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.party('ours', 'carol');
    const dave = await t.world.callEngine('dave');
    await t.world.act(dave.engine.call({ userID: 'bob', type: 1 }));
    await t.world.act(bob.engine.accept(), 2 * S);
    bob.take();
    dave.take();
    sends();
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    expect(alice.take()).toEqual([ev.busy('bob', 'alice')]);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id2', 'audioCall', null, null, ''], ['bob', 'g1', 4, 'id2', '', 0, 'line_busy', 'lineBusy']]);
    await t.world.act(carol.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 2)]);
    expect(carol.take()).toEqual([ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 2)]);
    expect(sends()).toEqual([['carol', 'g1', 3, 'id2', 'audioCall', null, null, ''], ['carol', 'alice', 1, 'id2-hangup', 'hangup', 2, null, '']]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), dave.take(), sends()]).toEqual([[], [], [], [], []]);
    expect(t.world.rtc.rooms().map((r) => r.members)).toEqual([['dave', 'bob']]);
  });
});
