/**
 * An IM group call's invitee whose ACCEPT crosses its caller's hangup while another invitee talks with the
 * caller. Once someone has answered, an IM group's caller withdraws the invitees still ringing with its
 * timer's TIMEOUT notice through the group, not a CANCEL (`hangupRequests`, as Tencent's caller does). Ours
 * as Carol, already in the room with Bob, ended on that TIMEOUT (the 1v1 rule for a withdrawal crossing an
 * accept), and Bob, left alone, ended too: one hangup ended the three's call. 6d8e4da made a crossing
 * CANCEL leave a callee with the others in its room; the TIMEOUT, the same withdrawal for an IM group's own
 * invitees, ends Carol's call only when nobody but the caller is in the room with her now, too.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { expectEvents, oe, useInterop } from './support/suite';
import { W, expectWire } from './support/wire';

const S = 1000;
const t = useInterop();

describe.each(['ours', 'official'] as const)('IM group "team": Alice (ours) talking with Bob (%s), Carol (ours) still ringing', (bobKind) => {
  it("Alice hangs up as Carol's ACCEPT is on its way: her TIMEOUT for Carol crosses it -> Bob and Carol talk on until Bob hangs up", async () => {
    t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.party(bobKind, 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'team'));
    await t.world.act(bob.accept());
    await t.world.advance(2 * S);
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

    expectWire(t.world.wire.take(), [
      W.accept('carol', { id: 'id1', inviter: 'alice', type: 1, groupID: 'team' }),
      W.timeout('alice', { id: 'id1', inviter: 'alice', invitees: ['carol'], invite: { type: 1, room: 'room1' }, groupID: 'team' }),
    ]);
    expectEvents(alice, { ours: [ev.end('alice', 'hangup')], official: [] });
    expectEvents(carol, {
      ours: [ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.enter('bob'), ev.roster(['alice', 'bob']), ev.audio('bob', true), ev.leave('alice'), ev.roster(['bob'])],
      official: [],
    });
    expectEvents(bob, {
      ours: [ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true), ev.leave('alice'), ev.roster(['carol'])],
      official: [oe.roster(['carol', 'alice', 'carol']), oe.audio('carol', true), oe.accepted('bob'), oe.enter('carol'), oe.leave('alice'), oe.roster([])],
    });
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'connected', 'connected']);

    await t.world.advance(60 * S);
    for (const p of [alice, bob, carol]) expectEvents(p, { ours: [], official: [] });
    await t.world.act(bob.hangup(), 3 * S);
    expectEvents(carol, { ours: [ev.leave('bob'), ev.roster([]), ev.end('alice', 'hangup')], official: [] });
    expect([alice.getCallStatus(), bob.getCallStatus(), carol.getCallStatus()]).toEqual(['idle', 'idle', 'idle']);
  });
});
