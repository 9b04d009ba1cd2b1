/**
 * Ours group-calls call-engine-js 3.3.4 through an IM group (one invitation to the group), alone
 * and beside ours, trtc-calling-js 1.0.6 and TUICallEngine 3.1.7: accept, reject, no answer,
 * cancel while all ring, a member leaving, the last one out. Whole ordered event logs of every
 * party, and the wire `[from, to, actionType, inviteID label, cmd, call_end, inviteeList]`.
 * Without an IM group (C2C invitations) 3.3.4 takes each as a 1v1 call, and once another invitee
 * has accepted it ignores a CANCEL for good: both in callEngineQuirks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import { oe, useInterop } from './support/suite';
import { te } from './support/tuiEvents';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
const sends = () => wire.sends(({ env }) => [env.inviteeList]);
const g1 = { type: 1, group: 'g1' } as const;

/** Our Alice group-calls 3.3.4's Bob and Carol (audio) through g1; both ring. */
async function ringing() {
  wire.reset();
  t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
  const alice = await t.world.party('ours', 'alice');
  const bob = await t.world.callEngine('bob');
  const carol = await t.world.callEngine('carol');
  await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
  expect(alice.take()).toEqual([]);
  expect(bob.take()).toEqual(ce.invited('alice', ['bob', 'carol'], g1));
  expect(carol.take()).toEqual(ce.invited('alice', ['bob', 'carol'], g1));
  expect(sends()).toEqual([['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']]]);
  return { alice, bob, carol };
}

describe('ours group-calls call-engine-js 3.3.4 through an IM group', () => {
  it('Alice groupCall(bob, carol: 3.3.4); both accept; Alice hangup() -> the two stay; Bob hangup() -> his hangup to the group names Carol; she ends', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    // Still ringing, 3.3.4 reads Bob's ACCEPT to the group as news.
    expect(carol.take()).toEqual([ce.accepted('bob')]);
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true)]);
    expect(bob.take()).toEqual([ce.join('carol'), ce.accepted('carol'), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true), ce.join('bob'), ce.audio('bob', true)]);
    expect(sends()).toEqual([['bob', 'g1', 3, 'id1', '', 0, ['bob']], ['carol', 'g1', 3, 'id1', '', 0, ['carol']]]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 4)]);
    expect([bob.take(), carol.take(), sends()]).toEqual([[ce.leave('alice')], [ce.leave('alice')], []]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(bob.take()).toEqual([ce.end(2, 5, g1)]);
    expect(carol.take()).toEqual([ce.audio('bob', false), ce.end(2, 4, g1)]);
    expect(sends()).toEqual([['bob', 'g1', 1, 'id2', 'hangup', 5, ['carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });

  it('Alice groupCall(bob, carol: 3.3.4); both reject() -> Alice REJECT twice, CALL_END(rejected); each not connected', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.act(bob.engine.reject(), 2 * S);
    expect(alice.take()).toEqual([ev.rejected('bob')]);
    expect(bob.take()).toEqual(ce.notConnected('bob', 2, g1));
    expect(carol.take()).toEqual([ce.rejected('bob')]);
    await t.world.act(carol.engine.reject(), 2 * S);
    expect(alice.take()).toEqual([ev.rejected('carol'), ev.end('alice', 'rejected', 0)]);
    expect([bob.take(), carol.take()]).toEqual([[], ce.notConnected('carol', 2, g1)]);
    expect(sends()).toEqual([['bob', 'g1', 4, 'id1', '', 0, ['bob']], ['carol', 'g1', 4, 'id1', '', 0, ['carol']]]);
  });

  it('Alice groupCall(bob, carol: 3.3.4); nobody answers -> each one\'s TIMEOUT at 30 s (our data, byte for byte); Alice NO_RESP for each, CALL_END(noResponse)', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.noResp('carol', 'alice', ['bob', 'carol']), ev.end('alice', 'noResponse', 0)]);
    expect([bob.take(), carol.take()]).toEqual([ce.notConnected('bob', 2, g1), ce.notConnected('carol', 2, g1)]);
    expect(sends()).toEqual([['bob', 'g1', 5, 'id1', 'audioCall', null, ['bob']], ['carol', 'g1', 5, 'id1', 'audioCall', null, ['carol']]]);
    expect(wire.datas.slice(1)).toEqual([wire.datas[0], wire.datas[0]]);
  });

  it('Alice groupCall(bob, carol: 3.3.4); Alice hangup() while both ring -> one CANCEL through the group naming both; both not connected; nothing at 30 s', async () => {
    const { alice, bob, carol } = await ringing();
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect([bob.take(), carol.take()]).toEqual([ce.notConnected('bob', 2, g1), ce.notConnected('carol', 2, g1)]);
    expect(sends()).toEqual([['alice', 'g1', 2, 'id1', 'audioCall', null, ['bob', 'carol']]]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });
});

describe('ours group-calls call-engine-js 3.3.4 beside other kinds', () => {
  it('Alice groupCall(bob 3.3.4, carol ours); Bob accepts, hangup() while Carol rings -> his hangups name Alice and Carol; Alice waits, Carol rings on, accepts; Alice hangup() -> Carol, the last, ends', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([...ce.invited('alice', ['bob', 'carol'], g1), ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.roster([])]);
    expect([bob.take(), carol.take()]).toEqual([[ce.end(2, 1, g1)], []]);
    await t.world.act(carol.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 6)]);
    expect(carol.take()).toEqual([ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 2)]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, ['bob', 'carol']],
      ['bob', 'g1', 3, 'id1', '', 0, ['bob']],
      ['bob', 'g1', 1, 'id2', 'hangup', 1, ['alice']],
      ['bob', 'g1', 1, 'id3', 'hangup', 1, ['carol']],
      ['carol', 'g1', 3, 'id1', 'audioCall', null, ['carol']],
      ['carol', 'alice', 1, 'id1-hangup', 'hangup', 2, ['alice']],
    ]);
  });

  it('Alice groupCall(bob 3.3.4, carol trtc-calling-js, dave 3.1.7); Bob, Carol accept, Dave rejects; Alice hangup() -> the two stay; Bob hangup() -> Carol, the last, ends (trtc-calling-js ends twice: on his hangup naming her, then alone)', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol', 'dave']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    const carol = await t.world.party('official', 'carol');
    const dave = await t.world.tui('dave');
    const all = ['bob', 'carol', 'dave'];
    await t.world.act(alice.groupCall(all, 1, 'g1'));
    expect([alice.take(), bob.take()]).toEqual([[], ce.invited('alice', all, g1)]);
    expect(carol.take()).toEqual([oe.invited('alice', all, { isFromGroup: true, callType: 1 })]);
    expect(dave.take()).toEqual(te.invited('alice', all, { type: 1, groupID: 'g1' }));
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    expect([carol.take(), dave.take()]).toEqual([[oe.accepted('carol')], [te.accepted('bob')]]);
    await t.world.act(carol.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true)]);
    expect(bob.take()).toEqual([ce.join('carol'), ce.audio('carol', true), ce.accepted('carol')]);
    expect(carol.take()).toEqual([
      oe.roster(['carol', 'dave', 'alice']), oe.audio('alice', true), oe.roster(['carol', 'dave', 'alice', 'bob']), oe.audio('bob', true), oe.enter('alice'), oe.enter('bob'),
    ]);
    expect(dave.take()).toEqual([te.accepted('carol')]);
    await t.world.act(dave.engine.reject(), 2 * S);
    expect(alice.take()).toEqual([ev.rejected('dave')]);
    expect([bob.take(), carol.take()]).toEqual([[ce.rejected('dave')], [oe.rejected('dave')]]);
    expect(dave.take()).toEqual(te.cancelled('dave', 'invitee', 1, 'reject'));
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 6)]);
    expect([bob.take(), carol.take(), dave.take()]).toEqual([[ce.leave('alice')], [oe.leave('alice'), oe.roster(['bob'])], []]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(bob.take()).toEqual([ce.end(2, 7, g1)]);
    expect(carol.take()).toEqual([oe.audio('bob', false), oe.end('bob', 7), oe.leave('bob'), oe.roster([]), oe.end('alice', 6)]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', null, all],
      ['bob', 'g1', 3, 'id1', '', 0, ['bob']],
      ['carol', 'g1', 3, 'id1', 'audioCall', null, ['carol']],
      ['dave', 'g1', 4, 'id1', 'audioCall', null, ['dave']],
      ['bob', 'g1', 1, 'id2', 'hangup', 7, ['carol']],
      ['carol', 'bob', 1, 'id3', 'hangup', 6, ['bob']],
    ]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), dave.take(), sends()]).toEqual([[], [], [], [], []]);
  });
});
