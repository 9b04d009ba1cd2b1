/**
 * Group calls from call-engine-js 3.3.4 (its `groupCall()`, always through an IM group: it refuses
 * a call without one, callEngineQuirks.test.ts) to ours, and to ours beside its own kind and
 * TUICallEngine 3.1.7: accept, reject, no answer, cancel, a member leaving, the last one out.
 * Whole ordered event logs of every party, and the wire `[from, to, actionType, inviteID label,
 * cmd, call_end, inviteeList]`.
 *
 * What 3.3.4 does differently from 3.1.7 and trtc-calling-js, and ours takes as it is: whoever
 * leaves sends a hangup to the group (a new invitation, `cmd: "hangup"`, its `call_end` the time
 * in the call) naming those still in the room, and a second one naming those still ringing; ours
 * stays in the call while anyone else is in the room, and rings on (as 3.3.4's and 3.1.7's own
 * invitees do) until its own timer, or until it answers and joins.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire, dialler } from './support/callEngineEvents';
import { useInterop } from './support/suite';
import { te } from './support/tuiEvents';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
const sends = () => wire.sends(({ env }) => [env.inviteeList]);
const g1 = { type: 1, group: 'g1' } as const;
const invited = (userIDList: string[]) => ev.invited('alice', userIDList, { isFromGroup: true, callType: 1 });

/** 3.3.4 Alice group-calls our Bob and Carol (audio) through the IM group g1; both ring. */
async function ringing() {
  wire.reset();
  t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
  const alice = await t.world.callEngine('alice');
  const bob = await t.world.party('ours', 'bob');
  const carol = await t.world.party('ours', 'carol');
  await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
  expect(alice.take()).toEqual([]);
  expect(bob.take()).toEqual([invited(['bob', 'carol'])]);
  expect(carol.take()).toEqual([invited(['bob', 'carol'])]);
  expect(sends()).toEqual([['alice', 'g1', 1, 'id1', 'audioCall', 0, ['bob', 'carol']]]);
  return { alice, bob, carol };
}

/** Bob accepts: he and Alice meet; Carol rings on. */
async function bobAccepts(p: Awaited<ReturnType<typeof ringing>>) {
  await t.world.act(p.bob.accept(), 2 * S);
  expect(p.alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.accepted('bob'), ce.begin(1, g1)]);
  expect(p.bob.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
  expect(p.carol.take()).toEqual([]);
  expect(sends()).toEqual([['bob', 'g1', 3, 'id1', 'audioCall', null, ['bob']]]);
}

/** Then Carol accepts: all three in the room. */
async function carolAccepts(p: Awaited<ReturnType<typeof ringing>>) {
  await t.world.act(p.carol.accept(), 2 * S);
  expect(p.alice.take()).toEqual([ce.join('carol'), ce.audio('carol', true), ce.accepted('carol')]);
  expect(p.bob.take()).toEqual([ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true)]);
  expect(p.carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true)]);
  expect(sends()).toEqual([['carol', 'g1', 3, 'id1', 'audioCall', null, ['carol']]]);
}

describe('call-engine-js 3.3.4 group-calls ours through an IM group', () => {
  it('Alice (3.3.4) groupCall(bob, carol: ours); both accept; Bob hangup() -> the others stay; Alice hangup() -> her hangup to the group names Carol; Carol, the last, ends and sends hers', async () => {
    const p = await ringing();
    await bobAccepts(p);
    await carolAccepts(p);
    const { alice, bob, carol } = p;
    await t.world.act(bob.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.leave('bob')]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 4)]);
    expect(carol.take()).toEqual([ev.leave('bob'), ev.roster(['alice'])]);
    expect(sends()).toEqual([]);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 5, g1)]);
    expect(carol.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 4)]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id2', 'hangup', 5, ['carol']], ['carol', 'alice', 1, 'id1-hangup', 'hangup', 4, ['alice']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); both accept; Alice hangup() first -> her hangup to the group names both; they talk on 40 s; Bob hangup() -> Carol, the last, ends', async () => {
    const p = await ringing();
    await bobAccepts(p);
    await carolAccepts(p);
    const { alice, bob, carol } = p;
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 3, g1)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster(['carol'])]);
    expect(carol.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster(['bob'])]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id2', 'hangup', 3, ['bob', 'carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
    await t.world.act(bob.hangup(), 2 * S);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 46)]);
    expect(carol.take()).toEqual([ev.leave('bob'), ev.roster([]), ev.end('alice', 'hangup', 44)]);
    expect(alice.take()).toEqual([]);
    expect(sends()).toEqual([['carol', 'bob', 1, 'id1-hangup', 'hangup', 44, ['bob']]]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); both reject() (to the group) -> Alice onUserReject twice, then not connected', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.act(bob.reject(), 2 * S);
    expect(alice.take()).toEqual([ce.rejected('bob')]);
    await t.world.act(carol.reject(), 2 * S);
    expect(alice.take()).toEqual([ce.rejected('carol'), ...ce.notConnected('alice', 1, g1)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    expect(sends()).toEqual([['bob', 'g1', 4, 'id1', 'audioCall', null, ['bob']], ['carol', 'g1', 4, 'id1', 'audioCall', null, ['carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); nobody answers -> each of ours sends its TIMEOUT at 30 s (the invite\'s data, call_end 0 and all); Alice onUserNoResponse for each, not connected', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([ce.noResponse(['bob']), ce.noResponse(['carol']), ...ce.notConnected('alice', 1, g1)]);
    expect(bob.take()).toEqual([ev.timedOut('alice', ['bob'])]);
    expect(carol.take()).toEqual([ev.timedOut('alice', ['carol'])]);
    expect(sends()).toEqual([['bob', 'g1', 5, 'id1', 'audioCall', 0, ['bob']], ['carol', 'g1', 5, 'id1', 'audioCall', 0, ['carol']]]);
    expect(wire.datas.slice(1)).toEqual([wire.datas[0], wire.datas[0]]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); Bob accepts, Carol rings out -> Alice onUserNoResponse(carol); Alice hangup() -> Bob, the last, ends and sends the hangup', async () => {
    const p = await ringing();
    await bobAccepts(p);
    const { alice, bob, carol } = p;
    await t.world.advance(35 * S);
    expect(alice.take()).toEqual([ce.noResponse(['carol'])]);
    expect([bob.take(), carol.take()]).toEqual([[], [ev.timedOut('alice', ['carol'])]]);
    expect(sends()).toEqual([['carol', 'g1', 5, 'id1', 'audioCall', 0, ['carol']]]);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 36, g1)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 37)]);
    expect(carol.take()).toEqual([]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id2', 'hangup', 36, ['bob']], ['bob', 'alice', 1, 'id1-hangup', 'hangup', 37, ['alice']]]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); Alice hangup() while both ring -> one CANCEL to the group; both CALLING_CANCEL; nothing at 30 s', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual(ce.notConnected('alice', 1, g1));
    expect([bob.take(), carol.take()]).toEqual([[ev.cancelled('alice')], [ev.cancelled('alice')]]);
    expect(sends()).toEqual([['alice', 'g1', 2, 'id1', 'audioCall', 0, ['bob', 'carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });

  it('Alice (3.3.4) groupCall(bob, carol: ours); Bob accepts, Carol rejects; Bob hangup() -> Alice, left alone, ends (she sends nothing); Bob CALL_END', async () => {
    const p = await ringing();
    await bobAccepts(p);
    const { alice, bob, carol } = p;
    await t.world.act(carol.reject(), 2 * S);
    expect(alice.take()).toEqual([ce.rejected('carol')]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    await t.world.act(bob.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.leave('bob'), ce.end(1, 4, g1)]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 4)]);
    expect(sends()).toEqual([['carol', 'g1', 4, 'id1', 'audioCall', null, ['carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });
});

describe('call-engine-js 3.3.4 group-calls ours beside its own kind and TUICallEngine 3.1.7', () => {
  it('Alice (3.3.4) groupCall(bob ours, carol 3.3.4, dave 3.1.7); all accept; Carol, then Alice hangup() (each to the group) -> the others stay; Dave hangup() -> Bob, the last, ends', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol', 'dave']);
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.callEngine('carol');
    const dave = await t.world.tui('dave');
    const all = ['bob', 'carol', 'dave'];
    await t.world.act(alice.engine.groupCall({ userIDList: all, type: 1, groupID: 'g1' }));
    expect([alice.take(), bob.take()]).toEqual([[], [invited(all)]]);
    expect(carol.take()).toEqual(ce.invited('alice', all, g1));
    expect(dave.take()).toEqual(te.invited('alice', all, { type: 1, groupID: 'g1' }));
    await t.world.act(bob.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.accepted('bob'), ce.begin(1, g1)]);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    // Both kinds of Tencent's, still ringing, read Bob's ACCEPT to the group as news.
    expect([carol.take(), dave.take()]).toEqual([[ce.accepted('bob')], [te.accepted('bob')]]);
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('carol'), ce.accepted('carol'), ce.audio('carol', true)]);
    expect(bob.take()).toEqual([ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true), ce.join('bob'), ce.audio('bob', true)]);
    expect(dave.take()).toEqual([te.accepted('carol')]);
    await t.world.act(dave.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('dave'), ce.audio('dave', true), ce.accepted('dave')]);
    expect(bob.take()).toEqual([ev.enter('dave'), ev.roster(['alice', 'carol', 'dave']), ev.audio('dave', true)]);
    expect(carol.take()).toEqual([ce.join('dave'), ce.audio('dave', true), ce.accepted('dave')]);
    const present = te.roster(['alice', 'bob', 'carol']);
    expect(dave.take()).toEqual([
      te.audio('alice', true), te.audio('bob', true), te.audio('carol', true), te.enter('alice'), present, te.enter('bob'), present, te.enter('carol'), present, te.begin('invitee', 1),
    ]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', 0, all],
      ['bob', 'g1', 3, 'id1', 'audioCall', null, ['bob']],
      ['carol', 'g1', 3, 'id1', '', 0, ['carol']],
      ['dave', 'g1', 3, 'id1', 'audioCall', null, ['dave']],
    ]);
    await t.world.act(carol.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.audio('carol', false), ce.leave('carol')]);
    expect(bob.take()).toEqual([ev.audio('carol', false), ev.leave('carol'), ev.roster(['alice', 'dave'])]);
    expect(carol.take()).toEqual([ce.end(2, 3, g1)]);
    expect(dave.take()).toEqual([te.audio('carol', false), te.leave('carol'), te.roster(['alice', 'bob', 'dave'])]);
    expect(sends()).toEqual([['carol', 'g1', 1, 'id2', 'hangup', 3, ['alice', 'bob', 'dave']]]);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 7, g1)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster(['dave'])]);
    expect(dave.take()).toEqual([te.audio('alice', false), te.leave('alice'), te.roster(['bob', 'dave'])]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id3', 'hangup', 7, ['bob', 'dave']]]);
    await t.world.act(dave.engine.hangup(), 2 * S);
    expect(dave.take()).toEqual([te.end('dave', 'invitee', 1, 6)]);
    expect(bob.take()).toEqual([ev.audio('dave', false), ev.leave('dave'), ev.roster([]), ev.end('alice', 'hangup', 10)]);
    expect(sends()).toEqual([['dave', 'g1', 1, 'id4', 'hangup', 6, ['bob']], ['bob', 'dave', 1, 'id1-hangup', 'hangup', 10, ['dave']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), dave.take(), sends()]).toEqual([[], [], [], [], []]);
  });

  it('Alice (3.3.4) groupCall(bob ours, carol 3.3.4); Carol accepts, then hangup() while Bob rings -> her hangups name Alice and Bob; Bob rings on, accepts, meets Alice; Alice hangup() -> Bob, the last, ends', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.callEngine('carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('carol'), ce.accepted('carol'), ce.begin(1, g1), ce.audio('carol', true)]);
    expect(bob.take()).toEqual([invited(['bob', 'carol'])]);
    expect(carol.take()).toEqual([...ce.invited('alice', ['bob', 'carol'], g1), ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    await t.world.act(carol.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.audio('carol', false), ce.leave('carol')]);
    expect(carol.take()).toEqual([ce.end(2, 1, g1)]);
    // A hangup naming a ringing invitee: 3.3.4's and 3.1.7's own ring on too (callEngineQuirks.test.ts).
    expect(bob.take()).toEqual([]);
    await t.world.act(bob.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.accepted('bob')]);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 5, g1)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 2)]);
    expect(carol.take()).toEqual([]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', 0, ['bob', 'carol']],
      ['carol', 'g1', 3, 'id1', '', 0, ['carol']],
      ['carol', 'g1', 1, 'id2', 'hangup', 1, ['alice']],
      ['carol', 'g1', 1, 'id3', 'hangup', 1, ['bob']],
      ['bob', 'g1', 3, 'id1', 'audioCall', null, ['bob']],
      ['alice', 'g1', 1, 'id4', 'hangup', 5, ['bob']],
      ['bob', 'alice', 1, 'id1-hangup', 'hangup', 2, ['alice']],
    ]);
  });
});

describe('call-engine-js 3.3.4 invites ours into its group call (inviteUser())', () => {
  it('Alice (3.3.4) groupCall(bob: ours); Bob accepts; Alice inviteUser(carol: ours) -> a new invitation to the group naming Carol; she accepts and meets both; Alice hangup() -> the two stay', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob'], type: 1, groupID: 'g1' }));
    await t.world.act(bob.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.accepted('bob'), ce.begin(1, g1)]);
    expect(bob.take()).toEqual([invited(['bob']), ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    await t.world.act(alice.engine.inviteUser({ userIDList: ['carol'] }), 2 * S);
    expect([alice.take(), bob.take(), carol.take()]).toEqual([[], [], [invited(['carol'])]]);
    await t.world.act(carol.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('carol'), ce.audio('carol', true), ce.accepted('carol')]);
    expect(bob.take()).toEqual([ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true)]);
    await t.world.act(alice.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ce.end(1, 5, g1)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster(['carol'])]);
    expect(carol.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster(['bob'])]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', 0, ['bob']],
      ['bob', 'g1', 3, 'id1', 'audioCall', null, ['bob']],
      ['alice', 'g1', 1, 'id2', 'audioCall', 0, ['carol']],
      ['carol', 'g1', 3, 'id2', 'audioCall', null, ['carol']],
      ['alice', 'g1', 1, 'id3', 'hangup', 5, ['bob', 'carol']],
    ]);
  });
});
