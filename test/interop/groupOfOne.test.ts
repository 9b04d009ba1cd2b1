/**
 * A C2C group call of one that grows: Alice `groupCall(['bob'])` without an IM group, Bob accepts,
 * then Alice `groupCall(['carol'])` during the call, Carol accepts; then each hangs up in turn.
 * trtc-calling-js 1.0.6 reads an invitation naming one invitee and no group as a 1v1 call
 * (`isFromGroup: false`, isFromGroup.test.ts), so Bob runs the call as 1v1 whoever he is; Carol
 * runs it as a group call when ours invited her (ours names everyone invited so far), as 1v1 when
 * Tencent's did (it names her alone).
 *
 * Tencent's own clients (all three theirs: the reference) keep the three in one call until each
 * hangs up: a 1v1 callee ends only when no one is left in its room, so Bob hears USER_ENTER for
 * Carol and talks on with her when Alice leaves; the last one left ends and sends the hangup notice
 * to the one who left before it. Ours does the same in every role and mix (and over the memory
 * backend and the embedded server: test/scenarios/groupOfOne.test.ts). What differs is each kind's
 * own events: ours tells each user its own CALL_END at its hangup(), Tencent's only when a hangup
 * notice comes (so a Tencent's user who leaves before the last two never hears CALL_END); Tencent's
 * group caller lists each invitee twice in GROUP_CALL_INVITEE_LIST_UPDATE and tells no update as
 * members leave, and its group callee lists itself.
 */
import { describe, expect, it } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { ev } from '../support/ev';
import type { Ev, Kind, Party } from './support/interopWorld';
import { expectEvents, oe, useInterop } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();
const KINDS: readonly Kind[] = ['official', 'ours'];

type Name = 'alice' | 'bob' | 'carol';
type Three = Record<Name, Party>;

/** Alice's two invitations and their answers, and what each party heard. */
async function threeInOneCall(kinds: Record<Name, Kind>): Promise<Three> {
  const alice = await t.world.party(kinds.alice, 'alice');
  const bob = await t.world.party(kinds.bob, 'bob');
  const carol = await t.world.party(kinds.carol, 'carol');
  await t.world.act(alice.groupCall(['bob'], 1));
  await t.world.act(bob.accept());
  await t.world.advance(2 * S);
  expectEvents(alice, { ours: [ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)], official: [oe.roster(['bob', 'bob']), oe.audio('bob', true), oe.accepted('alice'), oe.enter('bob')] });
  expectEvents(bob, { ours: [ev.invited('alice', ['bob'], { callType: 1 }), ...ev.arrives('alice', false)], official: [oe.invited('alice', ['bob'], { callType: 1 }), ...oe.arrives('alice', false)] });

  await t.world.act(alice.groupCall(['carol'], 1), S);
  await t.world.act(carol.accept(), 2 * S);
  await t.world.advance(2 * S);
  const byOurs = alice.kind === 'ours';
  expectEvents(alice, { ours: [ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true)], official: [oe.roster(['carol', 'carol']), oe.audio('carol', true), oe.accepted('alice'), oe.enter('carol')] });
  expectEvents(bob, { ours: ev.arrives('carol', false), official: oe.arrives('carol', false) });
  expectEvents(carol, byOurs
    ? {
        ours: [ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 }), ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true)],
        official: [oe.invited('alice', ['carol'], { isFromGroup: true, callType: 1 }), oe.roster(['carol', 'alice']), oe.audio('alice', true), oe.roster(['carol', 'alice', 'bob']), oe.audio('bob', true), oe.enter('alice'), oe.enter('bob')],
      }
    : {
        ours: [ev.invited('alice', ['carol'], { callType: 1 }), ...ev.arrives('alice', false), ...ev.arrives('bob', false)],
        official: [oe.invited('alice', ['carol'], { callType: 1 }), oe.audio('alice', true), oe.audio('bob', true), oe.enter('alice'), oe.enter('bob')],
      });
  expectWire(t.world.wire.take(), [
    W.invite('alice', 'bob', { id: 'id1', room: 'room1', type: 1, invitees: ['bob'], userIDs: ['bob'] }),
    W.accept('bob', { id: 'id1', inviter: 'alice', type: 1 }),
    // Ours names everyone invited so far in data.userIDs; Tencent's names the users of this groupCall() alone.
    W.invite('alice', 'carol', { id: 'id2', room: 'room1', type: 1, invitees: ['carol'], userIDs: byOurs ? ['bob', 'carol'] : ['carol'] }),
    W.accept('carol', { id: 'id2', inviter: 'alice', type: 1 }),
  ]);
  expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected', 'connected']);
  return { alice, bob, carol };
}

/**
 * What `p` hears when `who` leaves and others stay: USER_LEAVE, and the roster left if it runs the
 * call as a group callee (Carol, invited by ours) or is our group caller (Alice).
 */
function heardLeave(three: Three, p: Party, who: Name, left: Name[]): { ours: Ev[]; official: Ev[] } {
  const byOurs = three.alice.kind === 'ours';
  const roster = left.filter((n) => n !== p.id && n !== who);
  if (p.id === 'alice') return { ours: [ev.leave(who), ev.roster(roster)], official: [oe.leave(who)] };
  if (p.id === 'carol' && byOurs) return { ours: [ev.leave(who), ev.roster(roster)], official: [oe.leave(who), oe.roster(roster)] };
  return { ours: [ev.leave(who)], official: [oe.leave(who)] };
}

/** Each one's invitation (Alice: by whom she sends to); our hangup notice files itself under it. */
const CALL_ID: Record<Name, string> = { alice: 'id1', bob: 'id1', carol: 'id2' };

const ORDERS: readonly (readonly [Name, Name, Name])[] = [
  ['alice', 'bob', 'carol'],
  ['alice', 'carol', 'bob'],
  ['bob', 'carol', 'alice'],
  ['carol', 'bob', 'alice'],
];

describe.each(KINDS)('Alice %s', (aliceKind) => {
  describe.each(KINDS)('Bob %s', (bobKind) => {
    describe.each(KINDS)('Carol %s', (carolKind) => {
      it.each(ORDERS)('Alice groupCall([bob]), then groupCall([carol]); %s, %s, %s hang up in turn -> the others talk on until one is left', async (first, second, last) => {
        const three = await threeInOneCall({ alice: aliceKind, bob: bobKind, carol: carolKind });
        const p = (n: Name) => three[n];
        const ownEnd: { ours: Ev[]; official: Ev[] } = { ours: [ev.end('alice', 'hangup')], official: [] };

        // The first one leaves: the two others hear it and stay.
        await t.world.act(p(first).hangup(), 3 * S);
        await t.world.advance(5 * S);
        expectEvents(p(first), ownEnd);
        for (const n of [second, last]) expectEvents(p(n), heardLeave(three, p(n), first, [second, last]));
        expect(t.world.wire.take()).toEqual([]);
        expect([p(first), p(second), p(last)].map((x) => x.getCallStatus())).toEqual(['idle', 'connected', 'connected']);

        // The second one leaves: the last is alone, ends, and sends the hangup notice to the second.
        // call_end: seconds since the last one saw its first peer join (Carol came in 4 s after Bob).
        const callEnd = last === 'carol' ? 12 : 16;
        await t.world.act(p(second).hangup(), 3 * S);
        await t.world.advance(5 * S);
        const alone = p(last);
        const groupLast = alone.id === 'alice' || (alone.id === 'carol' && three.alice.kind === 'ours');
        expectEvents(p(second), { ours: ownEnd.ours, official: [oe.end(last, expect.any(Number))] });
        expectEvents(alone, {
          ours: [ev.leave(second), ...(groupLast ? [ev.roster([])] : []), ev.end('alice', 'hangup')],
          official: [oe.leave(second), ...(groupLast && alone.id === 'carol' ? [oe.roster([])] : []), oe.end('alice', expect.any(Number))],
        });
        expectEvents(p(first), { ours: [], official: [] });
        const notice = W.hangup(last, second, { id: alone.kind === 'ours' ? `${CALL_ID[last === 'alice' ? second : last]}${HANGUP_SUFFIX}` : 'id3', type: 1, callEnd });
        expectWire(t.world.wire.take(), [notice]);

        await t.world.advance(40 * S);
        for (const x of [p(first), p(second), p(last)]) expectEvents(x, { ours: [], official: [] });
        expect([p(first), p(second), p(last)].map((x) => x.getCallStatus())).toEqual(['idle', 'idle', 'idle']);
      });
    });
  });
});

/**
 * Where Tencent's caller is odd: Bob hangs up while Carol still rings. Tencent's Alice, alone in
 * the room, ends the call (CALL_END, the hangup notice to Bob) but leaves Carol's invitation
 * ringing; when Carol accepts, that Alice, idle, hears USER_ACCEPT, and Carol is alone in the room
 * (Tencent's Carol for good, until her own hangup(); ours ends at its alone timeout, 30 s).
 * Decided for ours: our group caller, alone with an invitee still ringing, stays in the call (her
 * CALL_END comes when the last invitee has answered, declined or timed out and no one is left),
 * so Carol's accept brings the two together, as a group call does.
 */
describe.each(KINDS)('Alice %s', (aliceKind) => {
  describe.each(KINDS)('Bob %s', (bobKind) => {
    it.each(KINDS)('Carol %s: Bob hangs up while Carol rings, Carol accepts 5 s later -> ours Alice and Carol talk; Tencent\'s Alice had ended', async (carolKind) => {
      const alice = await t.world.party(aliceKind, 'alice');
      const bob = await t.world.party(bobKind, 'bob');
      const carol = await t.world.party(carolKind, 'carol');
      const byOurs = alice.kind === 'ours';
      await t.world.act(alice.groupCall(['bob'], 1));
      await t.world.act(bob.accept());
      await t.world.advance(2 * S);
      await t.world.act(alice.groupCall(['carol'], 1), S);
      for (const p of [alice, bob]) p.take();
      expectEvents(carol, byOurs
        ? { ours: [ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })], official: [oe.invited('alice', ['carol'], { isFromGroup: true, callType: 1 })] }
        : { ours: [ev.invited('alice', ['carol'], { callType: 1 })], official: [oe.invited('alice', ['carol'], { callType: 1 })] });
      t.world.wire.take();

      await t.world.act(bob.hangup(), 3 * S);
      await t.world.advance(2 * S);
      expectEvents(alice, { ours: [ev.leave('bob'), ev.roster([])], official: [oe.leave('bob'), oe.roster(['carol']), oe.end('alice', 4)] });
      expectEvents(bob, { ours: [ev.end('alice', 'hangup')], official: byOurs ? [] : [oe.end('alice', 4)] });
      expectEvents(carol, { ours: [], official: [] });
      expectWire(t.world.wire.take(), byOurs ? [] : [W.hangup('alice', 'bob', { id: 'id3', type: 1, callEnd: 4 })]);
      expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual([byOurs ? 'connected' : 'idle', 'idle', 'calling']);

      await t.world.act(carol.accept(), 3 * S);
      await t.world.advance(3 * S);
      expectWire(t.world.wire.take(), [W.accept('carol', { id: 'id2', inviter: 'alice', type: 1 })]);
      if (byOurs) {
        expectEvents(alice, { ours: [ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true)], official: [] });
        expectEvents(carol, { ours: [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)], official: [oe.roster(['carol', 'alice']), oe.audio('alice', true), oe.enter('alice')] });
        await t.world.advance(60 * S);
        expect([alice.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
        await t.world.act(alice.hangup(), 3 * S);
        expectEvents(alice, { ours: [ev.end('alice', 'hangup')], official: [] });
        expectEvents(carol, { ours: [ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup')], official: [oe.leave('alice'), oe.roster([]), oe.end('alice', 66)] });
        expectWire(t.world.wire.take(), [W.hangup('carol', 'alice', { id: carol.kind === 'ours' ? `id2${HANGUP_SUFFIX}` : 'id3', type: 1, callEnd: 66 })]);
      } else {
        // Tencent's: USER_ACCEPT after its CALL_END; Carol alone in the room.
        expectEvents(alice, { ours: [], official: [oe.accepted('alice')] });
        expectEvents(carol, { ours: [], official: [] });
        await t.world.advance(60 * S);
        expectEvents(carol, { ours: [ev.end('alice', 'hangup', 0)], official: [] });
        expect(carol.getCallStatus()).toBe(carol.kind === 'ours' ? 'idle' : 'connected');
        if (carol.kind === 'official') await t.world.act(carol.hangup());
        expectEvents(carol, { ours: [], official: [] });
        expect(t.world.wire.take()).toEqual([]);
      }
      expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'idle', 'idle']);
      await t.world.advance(40 * S);
      for (const p of [alice, bob, carol]) expectEvents(p, { ours: [], official: [] });
    });
  });
});

/**
 * Alice hangs up the moment Carol's ACCEPT leaves (Carol in the room with Bob, the room not having
 * told Alice yet): Alice's hangup cancels Carol's invitation and the CANCEL crosses the ACCEPT.
 * Ours ended Carol's call on that CANCEL (the 1v1 rule for an accept crossing a cancel), and Bob,
 * left alone, ended too: one hangup ended the three's call. Fixed: a callee in the room with others
 * than its caller goes on without the caller. Tencent's Carol resets on the CANCEL (it takes every
 * C2C CANCEL as its own call's end). Tencent's Alice leaves its room before it cancels, so at this
 * timing the ACCEPT has landed and it cancels nothing.
 */
describe.each(['ours', 'official'] as const)("Alice (ours) hangs up as Carol's ACCEPT is on its way, Bob %s", (bobKind) => {
  it.each([
    { via: 'C2C, a group call of one', groupID: undefined },
    { via: 'IM group "team"', groupID: 'team' },
  ] as const)("$via: her CANCEL crosses the ACCEPT -> Bob and our Carol talk on; Alice's one CALL_END", async ({ groupID }) => {
    t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party(bobKind, 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob'], 1, groupID));
    await t.world.act(bob.accept());
    await t.world.act(alice.groupCall(['carol'], 1), S);
    for (const p of [alice, bob, carol]) p.take();
    t.world.wire.take();
    const since = t.world.im.log.length;
    const accepting = carol.accept();
    for (let ms = 0; !t.world.im.log.slice(since).some((m) => m.from === 'carol'); ms++) {
      if (ms > S) throw new Error('Carol sent no ACCEPT');
      await t.world.advance(1);
    }
    await t.world.act(Promise.all([accepting, alice.hangup()]), 3 * S);
    await t.world.advance(5 * S);

    const group = groupID !== undefined;
    // Carol's invitation, added during the call, is C2C with its own inviteID either way.
    expectWire(t.world.wire.take(), [
      W.accept('carol', { id: 'id2', inviter: 'alice', type: 1 }),
      W.cancel('alice', { id: 'id2', type: 1, invitees: ['carol'] }),
    ]);
    expectEvents(alice, { ours: [ev.end('alice', 'hangup')], official: [] });
    expectEvents(carol, { ours: [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true), ev.leave('alice'), ev.roster(['bob'])], official: [] });
    expectEvents(bob, group
      ? { ours: [ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true), ev.leave('alice'), ev.roster(['carol'])], official: [oe.roster(['alice', 'carol']), oe.audio('carol', true), oe.enter('carol'), oe.leave('alice'), oe.roster(['carol'])] }
      : { ours: [...ev.arrives('carol', false), ev.leave('alice')], official: [...oe.arrives('carol', false), oe.leave('alice')] });
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'connected', 'connected']);

    await t.world.advance(60 * S);
    for (const p of [alice, bob, carol]) expectEvents(p, { ours: [], official: [] });
    await t.world.act(bob.hangup(), 3 * S);
    expectEvents(carol, { ours: [ev.leave('bob'), ev.roster([]), ev.end('alice', 'hangup')], official: [] });
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'idle', 'idle']);
  });
});
