/**
 * Calls to a user who is offline, between ours and Tencent's engines, TUICallEngine 3.1.7 and
 * call-engine-js 3.3.4: what rang while they were away is rung by their Chat SDK's own replay when
 * they log in (the Chat SDK 3.6.6's signaling module, `getHistorySignaling`, run unmodified over the
 * fake cloud: support/fakeChat.ts). It takes the C2C messages its login's sync brings, then the last
 * 15 messages of each group conversation with unread messages and a last message under 5 min old;
 * per invitation, an INVITE naming the user is kept unless its `timeout` has passed, and dropped by
 * a later CANCEL, or by ACCEPT / REJECT / TIMEOUT messages once they have named every invitee; the
 * survivors go through its receive path in time order, ringing for what is left of the timeout.
 *
 * Ours calling them: 1v1 and through an IM group, logging in within the ring time (it rings, a
 * whole call), after it (nothing rings), or after our caller withdrew it (a 1v1 CANCEL: nothing rings,
 * nothing stuck). Through a group, our withdrawal (a CANCEL, or our caller's timer notice once
 * someone answered) goes through the group, after the invitation, so their replay drops both.
 * Them calling ours offline within the ring time: tuiQuirks.test.ts (3.1.7, 1v1 and group) and
 * callEngine.test.ts (3.3.4, 1v1); the rest is here.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import type { CallEngineParty } from './support/callEngineParty';
import type { Ev } from './support/interopWorld';
import { useInterop } from './support/suite';
import { te } from './support/tuiEvents';
import type { TuiParty } from './support/tuiParty';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
/** `[from, to, actionType, inviteID label, cmd, call_end, inviteeList]` of each message since the last look. */
const sends = () => wire.sends(({ env }) => [env.inviteeList]);

type Engine = TuiParty | CallEngineParty;

/** What differs between the two engines in these tests: how to make one, and its events (audio calls). */
interface EngineKind {
  readonly name: string;
  make(userID: string, login?: boolean): Promise<Engine>;
  /** `[cmd, call_end]` of its ACCEPT (3.3.4's names no command and carries `call_end: 0`). */
  readonly acceptCmd: readonly [string, number | null];
  /** Its `sdkReady` once logged in. */
  readonly ready: Ev;
  invited(caller: string, list: string[], groupID?: string): Ev[];
  accepted(userID: string): Ev;
  /** The callee's events as it accepts an audio call from `caller`, alone in the room with it (1v1). */
  joined(caller: string): Ev[];
  /** The callee's events as it accepts an audio call through g1 and finds `inRoom` there, in that order. */
  joinedGroup(inRoom: string[]): Ev[];
  /** The callee's events as the caller, alone with it, hangs up a 1v1 call of `seconds`. */
  callerLeft(caller: string, seconds: number): Ev[];
  /** A callee's events as its own timer ends a call it let ring (`groupID` for a call through a group). */
  rangOut(self: string, groupID?: string): Ev[];
  /** A caller's events as it hangs up an audio call still ringing (`groupID` for a call through a group). */
  withdrew(groupID?: string): Ev[];
  /** A caller's events as its own timer ends a 1v1 audio call `callee` let ring. */
  noAnswer(callee: string): Ev[];
  /** A caller's events as `callee` accepts its audio call through g1, the first to. */
  groupAccepted(callee: string): Ev[];
}

const ENGINES: readonly EngineKind[] = [
  {
    name: 'TUICallEngine 3.1.7',
    make: (id, login = true) => t.world.tui(id, { login }),
    acceptCmd: ['audioCall', null],
    ready: { name: 'sdkReady', payload: { name: 'sdkStateReady' } },
    invited: (caller, list, groupID) => te.invited(caller, list, { type: 1, ...(groupID ? { groupID } : {}) }),
    accepted: te.accepted,
    joined: (caller) => [te.audio(caller, true), te.enter(caller), te.begin('invitee', 1)],
    joinedGroup: (inRoom) => [...inRoom.map((u) => te.audio(u, true)), ...inRoom.flatMap((u) => [te.enter(u), te.roster(inRoom)]), te.begin('invitee', 1)],
    callerLeft: (caller, seconds) => [te.leave(caller), te.end('bob', 'invitee', 1, seconds)],
    rangOut: (self) => te.cancelled(self, 'invitee', 1, 'timeout'),
    withdrew: () => te.cancelled('alice', 'inviter', 1, 'normal'),
    noAnswer: (callee) => [...te.cancelled(callee, 'inviter', 1, 'timeout'), te.noResp('alice', [callee])],
    groupAccepted: (callee) => [te.enter(callee), te.begin('inviter', 1), te.roster(['alice', callee]), te.audio(callee, true), te.accepted(callee)],
  },
  {
    name: 'call-engine-js 3.3.4',
    make: (id, login = true) => t.world.callEngine(id, { login }),
    acceptCmd: ['', 0],
    ready: { name: 'sdkReady', payload: { name: 'ts_im_ready' } },
    invited: (caller, list, groupID) => ce.invited(caller, list, { type: 1, ...(groupID ? { group: groupID } : {}) }),
    accepted: ce.accepted,
    joined: (caller) => [ce.begin(2, { type: 1 }), ce.join(caller), ce.audio(caller, true)],
    joinedGroup: (inRoom) => [ce.begin(2, { type: 1, group: 'g1' }), ...inRoom.flatMap((u) => [ce.join(u), ce.audio(u, true)])],
    callerLeft: (caller, seconds) => [ce.leave(caller), ce.end(2, seconds, { type: 1 })],
    rangOut: (self, groupID) => ce.notConnected(self, 2, { type: 1, ...(groupID ? { group: groupID } : {}) }),
    withdrew: (groupID) => ce.notConnected('alice', 1, { type: 1, ...(groupID ? { group: groupID } : {}) }),
    noAnswer: (callee) => [ce.noResponse([callee]), ...ce.notConnected('alice', 1, { type: 1 })],
    groupAccepted: (callee) => [ce.join(callee), ce.audio(callee, true), ce.accepted(callee), ce.begin(1, { type: 1, group: 'g1' })],
  },
];

/** Logs `party` in (the clock running while it does) and lets its Chat SDK's sync and replay run. */
async function logIn(party: Engine): Promise<void> {
  const login = party.engine.login({ userID: party.id, userSig: `sig-${party.id}` });
  await t.world.advance(2 * S);
  await login;
}

describe.each(ENGINES)('ours calls $name, who is offline', (E) => {
  /** Our Alice audio-calls Bob of this engine, offline; `after` ms later he logs in. */
  async function callThenLogIn(after: number) {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await E.make('bob', false);
    await t.world.act(alice.call('bob', 1), after);
    await logIn(bob);
    return { alice, bob };
  }

  it('1v1: Bob logs in 10 s after Alice\'s call() -> his replay rings it (the INVITE from his login\'s sync); Bob accept(), Alice hangup() -> a whole call', async () => {
    const { alice, bob } = await callThenLogIn(10 * S);
    expect(bob.take()).toEqual([E.ready, ...E.invited('alice', ['bob'])]);
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    expect(bob.take()).toEqual(E.joined('alice'));
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 2)]);
    expect(bob.take()).toEqual(E.callerLeft('alice', 2));
    expect(sends()).toEqual([
      ['alice', 'bob', 1, 'id1', 'audioCall', null, ['bob']],
      ['bob', 'alice', 3, 'id1', ...E.acceptCmd, ['bob']],
      ['bob', 'alice', 1, 'id2', 'hangup', 2, ['alice']],
    ]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), sends()]).toEqual([[], [], []]);
  });

  it('1v1: Bob logs in 25 s after -> it rings for the 5 s left of its 30 s; unanswered, his Chat SDK\'s timer sends the TIMEOUT (our data, as it came): Alice NO_RESP, CALL_END(noResponse)', async () => {
    const { alice, bob } = await callThenLogIn(25 * S);
    expect(bob.take()).toEqual([E.ready, ...E.invited('alice', ['bob'])]);
    await t.world.advance(2 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    await t.world.advance(2 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    expect(bob.take()).toEqual(E.rangOut('bob'));
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'audioCall', null, ['bob']], ['bob', 'alice', 5, 'id1', 'audioCall', null, ['bob']]]);
  });

  it('1v1: Bob logs in 40 s after, Alice\'s call over (her timer\'s TIMEOUT stored for him) -> nothing rings', async () => {
    const { alice, bob } = await callThenLogIn(40 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    expect(bob.take()).toEqual([E.ready]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'audioCall', null, ['bob']], ['alice', 'bob', 5, 'id1', 'audioCall', null, ['bob']]]);
  });

  it('1v1: Alice hangup() 5 s after her call(), Bob logs in 5 s later -> nothing rings (the CANCEL follows the INVITE in his sync); Alice\'s next call rings him and connects', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await E.make('bob', false);
    await t.world.act(alice.call('bob', 1), 5 * S);
    await t.world.act(alice.hangup(), 5 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    await logIn(bob);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take()]).toEqual([[], [E.ready]]);
    await t.world.act(alice.call('bob', 1), 2 * S);
    expect(bob.take()).toEqual(E.invited('alice', ['bob']));
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    expect(bob.take()).toEqual(E.joined('alice'));
    expect(sends().map((m) => m.slice(0, 4))).toEqual([['alice', 'bob', 1, 'id1'], ['alice', 'bob', 2, 'id1'], ['alice', 'bob', 1, 'id2'], ['bob', 'alice', 3, 'id2']]);
  });

  /** Our Alice audio-calls Bob (this engine, offline) and Carol (ours) through g1. */
  async function groupCall() {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await E.make('bob', false);
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'), 2 * S);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    return { alice, bob, carol };
  }

  it('through an IM group: Carol (ours) accepts, Bob logs in 5 s after the call -> it rings (from g1\'s history), Carol\'s ACCEPT replayed after it; Bob accept() -> he joins Alice and Carol', async () => {
    const { alice, bob, carol } = await groupCall();
    await t.world.act(carol.accept(), 3 * S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    await logIn(bob);
    expect(bob.take()).toEqual([E.ready, ...E.invited('alice', ['bob', 'carol'], 'g1'), E.accepted('carol')]);
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['carol', 'bob']), ev.audio('bob', true)]);
    expect(bob.take()).toEqual(E.joinedGroup(['alice', 'carol']));
    expect(carol.take()).toEqual([ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true)]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']],
      ['carol', 'g1', 3, 'id1', 'audioCall', null, ['carol']],
      ['bob', 'g1', 3, 'id1', ...E.acceptCmd, ['bob']],
    ]);
  });

  it('through an IM group: nobody answers; Bob logs in 40 s after, Alice\'s call over -> nothing rings', async () => {
    const { alice, bob, carol } = await groupCall();
    await t.world.advance(38 * S);
    expect(alice.take()).toEqual([ev.noResp('carol', 'alice'), ev.noResp('bob', 'alice', ['carol', 'bob']), ev.end('alice', 'noResponse', 0)]);
    expect(carol.take()).toEqual([ev.timedOut('alice', ['carol'])]);
    await logIn(bob);
    await t.world.advance(40 * S);
    expect(bob.take()).toEqual([E.ready]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']],
      ['carol', 'g1', 5, 'id1', 'audioCall', null, ['carol']],
      ['alice', 'g1', 5, 'id1', 'audioCall', null, ['bob']],
    ]);
  });

  /**
   * Through an IM group, ours withdraws the invitees still ringing through the group, as Tencent's
   * callers do: a CANCEL while nobody answered, our caller's timer notice once someone did. Sent C2C
   * (until 2026-12-07) it was read by the Chat SDK's replay before the group's invitation, which it
   * missed: the invitation then rang a call that was over, for what was left of its 30 s.
   */
  async function withdrawnWhileOffline(answered: boolean) {
    const { alice, bob, carol } = await groupCall();
    if (answered) await t.world.act(carol.accept(), 2 * S);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual(answered
      ? [ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true), ev.end('alice', 'hangup', 2)]
      : [ev.end('alice', 'cancelled', 0)]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']],
      ...(answered
        ? [['carol', 'g1', 3, 'id1', 'audioCall', null, ['carol']], ['alice', 'g1', 5, 'id1', 'audioCall', null, ['bob']], ['carol', 'alice', 1, 'id1-hangup', 'hangup', 2, ['alice']]]
        : [['alice', 'g1', 2, 'id1', 'audioCall', null, ['bob', 'carol']]]),
    ]);
    expect(carol.take()).toEqual(answered
      ? [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 2)]
      : [ev.cancelled('alice')]);
    await logIn(bob);
    return { alice, bob, carol };
  }
  const WITHDRAWALS = [
    { answered: false, how: 'nobody answered, Alice hangup() (a CANCEL through g1)' },
    { answered: true, how: 'Carol (ours) accepted, Alice hangup() (her timer\'s notice through g1)' },
  ] as const;

  for (const { answered, how } of WITHDRAWALS) {
    it(`through an IM group, ${how}; Bob logs in 2 s later -> nothing rings, nothing is sent; a later call rings him`, async () => {
      const { alice, bob, carol } = await withdrawnWhileOffline(answered);
      expect(bob.take()).toEqual([E.ready]);
      await t.world.advance(40 * S);
      expect([bob.take(), alice.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
      await t.world.act(alice.call('bob', 1), 2 * S);
      expect(bob.take()).toEqual(E.invited('alice', ['bob']));
    });
  }
});

describe.each(ENGINES)('$name calls ours, who is offline (logging in within the ring time, 1v1: tuiQuirks.test.ts, callEngine.test.ts)', (E) => {
  it('1v1: Alice hangup() 5 s after her call(), Bob logs in 5 s later -> nothing rings; her next call rings him', async () => {
    wire.reset();
    const alice = await E.make('alice');
    const bob = await t.world.party('ours', 'bob', { login: false });
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }), 5 * S);
    await t.world.act(alice.engine.hangup(), 5 * S);
    expect(alice.take()).toEqual(E.withdrew());
    await t.world.act(bob.login(), 2 * S);
    await t.world.advance(40 * S);
    expect(bob.take()).toEqual([ev.ready()]);
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }), 2 * S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    expect(sends().map((m) => m.slice(0, 4))).toEqual([['alice', 'bob', 1, 'id1'], ['alice', 'bob', 2, 'id1'], ['alice', 'bob', 1, 'id2']]);
  });

  it('1v1: Bob logs in 40 s after Alice\'s call(), her call over -> nothing rings', async () => {
    wire.reset();
    const alice = await E.make('alice');
    const bob = await t.world.party('ours', 'bob', { login: false });
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }), 40 * S);
    expect(alice.take()).toEqual(E.noAnswer('bob'));
    await t.world.act(bob.login(), 2 * S);
    await t.world.advance(40 * S);
    expect(bob.take()).toEqual([ev.ready()]);
    expect(sends().map((m) => m.slice(0, 4))).toEqual([['alice', 'bob', 1, 'id1'], ['alice', 'bob', 5, 'id1']]);
  });

  /** Alice of this engine audio-calls Bob (ours, offline) and Carol (ours) through g1. */
  async function groupCall() {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await E.make('alice');
    const bob = await t.world.party('ours', 'bob', { login: false });
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }), 5 * S);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    return { alice, bob, carol };
  }

  it('through an IM group: Bob logs in 5 s after -> our replay rings it; Bob accept() -> connected', async () => {
    const { alice, bob, carol } = await groupCall();
    await t.world.act(bob.login(), 2 * S);
    expect(bob.take()).toEqual([ev.ready(), ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    await t.world.act(bob.accept(), 2 * S);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    expect(alice.take()).toEqual(E.groupAccepted('bob'));
    expect(carol.take()).toEqual([]);
    expect(sends().map((m) => m.slice(0, 4))).toEqual([['alice', 'g1', 1, 'id1'], ['bob', 'g1', 3, 'id1']]);
  });

  it('through an IM group: Alice hangup() while all ring (her CANCEL to the group), Bob logs in -> nothing rings', async () => {
    const { alice, bob, carol } = await groupCall();
    await t.world.act(alice.engine.hangup(), 3 * S);
    expect(alice.take()).toEqual(E.withdrew('g1'));
    expect(carol.take()).toEqual([ev.cancelled('alice')]);
    await t.world.act(bob.login(), 2 * S);
    await t.world.advance(40 * S);
    expect(bob.take()).toEqual([ev.ready()]);
    expect(sends().map((m) => m.slice(0, 4))).toEqual([['alice', 'g1', 1, 'id1'], ['alice', 'g1', 2, 'id1']]);
  });
});
