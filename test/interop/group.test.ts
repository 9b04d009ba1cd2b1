/**
 * Group calls of three between Tencent's client and ours, through an IM group and through C2C
 * invites, in both directions: ours calls Tencent's Bob and our Carol; Tencent's calls our Bob
 * and Tencent's Carol (so every pair of implementations meets, invitees included). Whole wire,
 * whole event logs. Tencent's parties keep their quirks (USER_ACCEPT naming themselves, the
 * invitee list that appends, no CALL_END for whoever left a group call first).
 */
import { describe, expect, it } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { ev } from '../support/ev';
import type { Kind } from './support/interopWorld';
import { expectEvents, oe, useInterop } from './support/suite';
import { W, expectWire, type InviteSpec } from './support/wire';

const S = 1000;
const t = useInterop();

const GROUPS = [
  { name: 'ours calls Tencent\'s Bob and our Carol', kinds: ['ours', 'official', 'ours'] },
  { name: 'Tencent\'s calls our Bob and Tencent\'s Carol', kinds: ['official', 'ours', 'official'] },
] as const satisfies readonly { name: string; kinds: readonly [Kind, Kind, Kind] }[];

const invited = { isFromGroup: true } as const;

/** The invites of the call: one to the IM group, or one C2C invite per invitee with its own inviteID. */
function invites(via: 'team' | 'C2C') {
  const room = 'room1';
  if (via === 'team') return [W.invite('alice', 'team', { id: 'id1', room, type: 2, invitees: ['bob', 'carol'], groupID: 'team' })];
  const userIDs = ['bob', 'carol'];
  return [
    W.invite('alice', 'bob', { id: 'id1', room, type: 2, invitees: ['bob'], userIDs }),
    W.invite('alice', 'carol', { id: 'id2', room, type: 2, invitees: ['carol'], userIDs }),
  ];
}

/** Alice group-calls Bob and Carol (video), through the IM group `team` or C2C; all three logged in. */
async function ringing(kinds: readonly [Kind, Kind, Kind], via: 'team' | 'C2C') {
  t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
  const alice = await t.world.party(kinds[0], 'alice');
  const bob = await t.world.party(kinds[1], 'bob');
  const carol = await t.world.party(kinds[2], 'carol');
  await t.world.act(alice.groupCall(['bob', 'carol'], 2, via === 'team' ? 'team' : undefined));
  // Tencent's callee lists the envelope's inviteeList (one name in a C2C copy); ours reads data.userIDs.
  const tencentList = via === 'team' ? ['bob', 'carol'] : undefined;
  expectEvents(alice, { ours: [], official: [] });
  expectEvents(bob, { ours: [ev.invited('alice', ['bob', 'carol'], invited)], official: [oe.invited('alice', tencentList ?? ['bob'], invited)] });
  expectEvents(carol, { ours: [ev.invited('alice', ['bob', 'carol'], invited)], official: [oe.invited('alice', tencentList ?? ['carol'], invited)] });
  return { alice, bob, carol };
}

/** Bob accepts. */
async function bobAccepts(p: Awaited<ReturnType<typeof ringing>>, via: 'team' | 'C2C') {
  const { alice, bob, carol } = p;
  await t.world.act(bob.accept());
  expectEvents(alice, {
    ours: [ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.video('bob', true)],
    official: [oe.roster(['bob', 'carol', 'bob']), oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob')],
  });
  expectEvents(bob, {
    ours: [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.video('alice', true)],
    official: [oe.roster(via === 'team' ? ['bob', 'carol', 'alice'] : ['bob', 'alice']), ...oe.arrives('alice')],
  });
  // Tencent's ringing Carol reads Bob's ACCEPT to the group as an answer to her (USER_ACCEPT naming herself).
  expectEvents(carol, { ours: [], official: via === 'team' ? [oe.accepted('carol')] : [] });
}

const accept = (from: string, id: string, via: 'team' | 'C2C') => W.accept(from, { id, inviter: 'alice', type: 2, ...(via === 'team' ? { groupID: 'team' } : {}) });

describe.each(GROUPS)('group of three, $name', ({ kinds }) => {
  describe.each(['team', 'C2C'] as const)('through %s', (via) => {
    const carolsID = via === 'team' ? 'id1' : 'id2';

    it('Alice groupCall(), Bob and Carol accept(), Bob hangup(), Alice hangup() -> Carol is left alone and sends the hangup; one CALL_END each (Tencent\'s Bob, who left first: none)', async () => {
      const p = await ringing(kinds, via);
      const { alice, bob, carol } = p;
      await bobAccepts(p, via);
      await t.world.act(carol.accept());
      expectEvents(alice, {
        ours: [ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true), ev.video('carol', true)],
        official: [oe.roster(['carol', 'carol']), oe.audio('carol', true), oe.video('carol', true), oe.accepted('alice'), oe.enter('carol')],
      });
      expectEvents(bob, {
        ours: [ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true), ev.video('carol', true)],
        official: [oe.roster(via === 'team' ? ['carol', 'alice', 'carol'] : ['alice', 'carol']), oe.audio('carol', true), oe.video('carol', true), ...(via === 'team' ? [oe.accepted('bob')] : []), oe.enter('carol')],
      });
      expectEvents(carol, {
        ours: [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.video('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true), ev.video('bob', true)],
        official: [oe.roster(['carol', 'alice']), oe.audio('alice', true), oe.video('alice', true), oe.roster(['carol', 'alice', 'bob']), oe.audio('bob', true), oe.video('bob', true), oe.enter('alice'), oe.enter('bob')],
      });
      await t.world.advance(2 * S);
      await t.world.act(bob.hangup());
      expectEvents(alice, { ours: [ev.leave('bob'), ev.roster(['carol'])], official: [oe.leave('bob')] });
      expectEvents(bob, { ours: [ev.end('alice', 'hangup', 4)], official: [] });
      expectEvents(carol, { ours: [ev.leave('bob'), ev.roster(['alice'])], official: [oe.leave('bob'), oe.roster(['alice'])] });
      await t.world.act(alice.hangup());
      expectEvents(alice, { ours: [ev.end('alice', 'hangup', 5)], official: [oe.end('carol', 4)] });
      expectEvents(carol, { ours: [ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 4)], official: [oe.leave('alice'), oe.roster([]), oe.end('alice', 4)] });
      await t.world.advance(40 * S);
      expect([...alice.take(), ...bob.take(), ...carol.take()]).toEqual([]);
      const fresh = via === 'team' ? 'id2' : 'id3';
      expectWire(t.world.wire.take(), [
        ...invites(via),
        accept('bob', 'id1', via),
        accept('carol', carolsID, via),
        W.hangup('carol', 'alice', { id: carol.kind === 'official' ? fresh : `${carolsID}${HANGUP_SUFFIX}`, type: 2, callEnd: 4 }),
      ]);
    });

    it('Alice groupCall(), Bob accept(), Alice hangup() while Carol still rings -> Bob ends cleanly (no CALLING_CANCEL); Carol\'s invite is withdrawn (ours: C2C cancelled, or through the group timed out at once) or left to time out (Tencent\'s, through a group)', async () => {
      const p = await ringing(kinds, via);
      const { alice, bob, carol } = p;
      await bobAccepts(p, via);
      await t.world.advance(2 * S);
      await t.world.act(alice.hangup());
      expectEvents(alice, { ours: [ev.end('alice', 'hangup', 3)], official: [oe.end('bob', 3)] });
      expectEvents(bob, {
        ours: [ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup', 3)],
        // Ours tells Bob, in the call, that Carol will not come (its caller's timer notice): Tencent's Bob says so.
        official: alice.kind === 'ours' && via === 'team'
          ? [oe.timedOut('alice', ['carol']), oe.leave('alice'), oe.roster([]), oe.end('alice', 3)]
          : [oe.leave('alice'), oe.roster(via === 'team' ? ['carol'] : []), oe.end('alice', 3)],
      });
      // Tencent's caller forgets the group invite at the first ACCEPT: it cancels nothing then, and Carol
      // rings out. Ours tells her at once what she would show then: its caller's timer notice, through the group.
      const carolRingsOn = alice.kind === 'official' && via === 'team';
      const carolTimedOut = alice.kind === 'ours' && via === 'team';
      expectEvents(carol, {
        ours: [carolTimedOut ? ev.timedOut('alice', ['carol']) : ev.cancelled('alice')],
        official: carolRingsOn ? [] : carolTimedOut ? [oe.timedOut('alice', ['carol']), oe.end('alice', 0)] : [oe.cancelled()],
      });
      await t.world.advance(40 * S);
      expectEvents(alice, { ours: [], official: carolRingsOn ? [oe.timedOut('alice', ['carol']), oe.end('alice', 0)] : [] });
      expectEvents(bob, { ours: [], official: [] });
      expectEvents(carol, { ours: [], official: carolRingsOn ? [oe.timedOut('alice', ['carol']), oe.end('alice', 0)] : [] });

      const hangup = W.hangup('bob', 'alice', { id: bob.kind === 'official' ? (via === 'team' ? 'id2' : 'id3') : `id1${HANGUP_SUFFIX}`, type: 2, callEnd: 3 });
      // A C2C group call's cancel goes C2C (through an IM group once someone answered, the timer's notice).
      const cancel = W.cancel('alice', { id: carolsID, type: 2, invitees: ['carol'] });
      const room = { type: 2, room: 'room1' } as const satisfies Pick<InviteSpec, 'type' | 'room'>;
      const after = alice.kind === 'ours'
        ? via === 'team'
          ? [W.timeout('alice', { id: 'id1', inviter: 'alice', invitees: ['carol'], invite: room, groupID: 'team' }), hangup]
          : [cancel, hangup]
        : via === 'team'
          ? [hangup, W.timeout('carol', { id: 'id1', inviter: 'alice', invitees: ['carol'], invite: room, groupID: 'team' })]
          : [hangup, cancel];
      expectWire(t.world.wire.take(), [...invites(via), accept('bob', 'id1', via), ...after]);
    });
  });
});

describe('a member of the IM group busy in another call', () => {
  it('our Alice groupCall()s Tencent\'s Bob (in a call with Carol: busy) and Dave, then hangup() -> Dave\'s invite is withdrawn C2C; Bob\'s call with Carol goes on (a group cancel would have ended it)', async () => {
    t.world.im.createGroup('team', ['alice', 'bob', 'dave']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('official', 'carol');
    const dave = await t.world.party('official', 'dave');
    await t.world.act(carol.call('bob', 1));
    await t.world.act(bob.accept());
    expectEvents(carol, { ours: [], official: [oe.audio('bob', true), oe.accepted('carol'), oe.enter('bob')] });
    expectEvents(bob, { ours: [], official: [oe.invited('carol', ['bob'], { callType: 1 }), ...oe.arrives('carol', false)] });
    await t.world.act(alice.groupCall(['bob', 'dave'], 1, 'team'));
    expectEvents(alice, { ours: [ev.busy('bob', 'alice')], official: [] });
    expectEvents(bob, { ours: [], official: [oe.busy('alice', 'bob')] });
    // Tencent's ringing Dave reads Bob's busy answer to the group as a LINE_BUSY of his own.
    expectEvents(dave, { ours: [], official: [oe.invited('alice', ['bob', 'dave'], { isFromGroup: true, callType: 1 }), oe.busy('alice', 'bob')] });
    await t.world.act(alice.hangup());
    expectEvents(alice, { ours: [ev.end('alice', 'cancelled', 0)], official: [] });
    expectEvents(dave, { ours: [], official: [oe.cancelled()] });
    expectEvents(bob, { ours: [], official: [] });
    expectEvents(carol, { ours: [], official: [] });
    expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
    expectWire(t.world.wire.take(), [
      W.invite('carol', 'bob', { id: 'id1', room: 'room1', type: 1, invitees: ['bob'], userIDs: ['bob'] }),
      W.accept('bob', { id: 'id1', inviter: 'carol', type: 1 }),
      W.invite('alice', 'team', { id: 'id2', room: 'room2', type: 1, invitees: ['bob', 'dave'], groupID: 'team' }),
      W.reject('bob', { id: 'id2', inviter: 'alice', type: 1, busy: true, groupID: 'team' }),
      W.cancel('alice', { id: 'id2', type: 1, invitees: ['dave'] }),
    ]);
  });
});

describe('a member of the IM group busy in another call, another in ours', () => {
  // The review of the withdrawal notice: sent to the group, Bob's TSignaling (which still holds the group's
  // invitation he answered busy) took it, and trtc-calling-js ended his call with Carol.
  it('our Alice groupCall()s Tencent\'s Bob (in a call with Carol: busy), our Dave (offline: never answers) and our Eve; Eve accepts; Alice\'s timer runs out for Dave -> its notice goes C2C to Dave and Eve, and Bob\'s call with Carol goes on (a group timeout ends it, as from trtc-calling-js\'s own caller)', async () => {
    t.world.im.createGroup('team', ['alice', 'bob', 'dave', 'eve']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('official', 'carol');
    await t.world.party('ours', 'dave', { login: false });
    const eve = await t.world.party('ours', 'eve');
    await t.world.act(carol.call('bob', 1));
    await t.world.act(bob.accept());
    await t.world.act(alice.groupCall(['bob', 'dave', 'eve'], 1, 'team'));
    await t.world.act(eve.accept(), 2 * S);
    for (const p of [alice, bob, carol, eve]) p.take();
    t.world.wire.take();
    await t.world.advance(60 * S);
    expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
    expectEvents(bob, { ours: [], official: [] });
    expectEvents(carol, { ours: [], official: [] });
    expect(alice.take()).toEqual([ev.noResp('dave', 'alice')]);
    expect(eve.take()).toEqual([]);
    const sent = t.world.wire.take().filter((m) => m.from === 'alice').map((m) => [m.conv, m.to, m.envelope.actionType, m.envelope.inviteeList]);
    expect(sent).toEqual([
      ['C2C', 'dave', 5, ['dave']],
      ['C2C', 'eve', 5, ['dave']],
    ]);
  });

  it('our Alice groupCall()s Tencent\'s Bob (busy with Carol), Dave and our Eve; Eve accepts; Alice hangup() while Dave rings -> Dave is told he timed out (C2C: a group notice would reach busy Bob), Eve hears he will not come, Bob\'s call with Carol goes on', async () => {
    t.world.im.createGroup('team', ['alice', 'bob', 'dave', 'eve']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party('official', 'bob');
    const carol = await t.world.party('official', 'carol');
    const dave = await t.world.party('official', 'dave');
    const eve = await t.world.party('ours', 'eve');
    await t.world.act(carol.call('bob', 1));
    await t.world.act(bob.accept());
    await t.world.act(alice.groupCall(['bob', 'dave', 'eve'], 1, 'team'));
    await t.world.act(eve.accept(), 2 * S);
    for (const p of [alice, bob, carol, dave, eve]) p.take();
    t.world.wire.take();
    await t.world.act(alice.hangup());
    await t.world.advance(60 * S);
    expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
    expectEvents(bob, { ours: [], official: [] });
    expectEvents(carol, { ours: [], official: [] });
    expectEvents(dave, { ours: [], official: [oe.timedOut('alice', ['dave']), oe.end('alice', 0)] });
    expect(eve.take().map((e) => e.name)).toEqual(['onUserLeave', 'onGroupCallInviteeListUpdate', 'onCallEnd']);
    // Ours takes the notice C2C from the call's inviter (a signal naming a group counts only through it, but for that).
    expect(eve.kind === 'ours' ? eve.dropped : []).toEqual([]);
    const sent = t.world.wire.take().filter((m) => m.from === 'alice').map((m) => [m.conv, m.to, m.envelope.actionType, m.envelope.inviteeList]);
    expect(sent).toEqual([
      ['C2C', 'dave', 5, ['dave']],
      ['C2C', 'eve', 5, ['dave']],
    ]);
  });
});
