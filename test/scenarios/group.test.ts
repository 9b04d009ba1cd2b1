/**
 * Group calls beyond the shared scenario: one-by-one invites (no IM group), the caller
 * leaving a call that goes on, a cancel reaching those still ringing, everyone declining.
 */
import { describe, expect, it } from 'vitest';
import { decodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('group calls', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it('groupCall() without a groupID invites one by one (C2C), each invite naming everyone invited', async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    const invites = t.world.net.im.log.map((m) => ({ to: m.to, groupID: m.groupID, decoded: decodeSignal(m.payload, m.from) }));
    expect(invites.map((m) => m.to)).toEqual(['bob', 'carol']);
    for (const m of invites) {
      expect(m.groupID).toBeUndefined();
      expect(m.decoded).toMatchObject({ ok: true, signal: { kind: 'invite', invitees: ['bob', 'carol'], isGroup: true, groupID: '' } });
    }
    const invite = ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 });
    expect(t.bob.take()).toEqual([invite]);
    expect(t.carol.take()).toEqual([invite]);
  });

  it('Bob and Carol both accept, Alice hangs up -> the call goes on between Bob and Carol until one leaves', async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.carol.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    t.carol.take();
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.roster(['carol'])]);
    expect(t.carol.take()).toEqual([ev.leave('alice'), ev.roster(['bob'])]);
    await t.carol.calling.hangup();
    await t.world.advance(S);
    expect(t.carol.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.leave('carol'), ev.roster([]), ev.end('alice', 'hangup')]);
  });

  it('in an IM group, Alice hangs up while Dave still rings -> Dave CALLING_TIMEOUT (what he shows when Tencent\'s caller leaves him to ring out); Bob and Carol talk on', async () => {
    const dave = await t.world.user('dave');
    await t.world.createGroup('team', ['alice', 'bob', 'carol', 'dave']);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol', 'dave'], type: 1, groupID: 'team' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.carol.calling.accept();
    await t.world.advance(S);
    for (const p of [t.alice, t.bob, t.carol, dave]) p.take();
    await t.alice.calling.hangup();
    await t.world.advance(40 * S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(dave.take()).toEqual([ev.timedOut('alice', ['dave'])]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.roster(['carol'])]);
    expect(t.carol.take()).toEqual([ev.leave('alice'), ev.roster(['bob'])]);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('inCall');
  });

  it("in an IM group, Alice's no-answer timer for an offline invitee does not end Bob's call", async () => {
    const dave = t.world.client('dave');
    await t.world.createGroup('team', ['alice', 'bob', 'dave']);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'dave'], type: 1, groupID: 'team', timeout: 10 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(20 * S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.noResp('dave', 'alice')]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob', 'dave'], { isFromGroup: true, callType: 1 }), ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    expect(dave.take()).toEqual([]);
  });

  it('Bob accepts, then Alice hangs up while Carol still rings -> Carol CALLING_CANCEL, Bob is alone and ends', async () => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.alice.take();
    t.bob.take();
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup')]);
    expect(t.carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true }), ev.cancelled('alice')]);
  });

  it('everyone declines (one rejects, one is busy) -> REJECT, LINE_BUSY, then CALL_END(rejected)', async () => {
    const dave = await t.world.user('dave');
    await dave.calling.call({ userID: 'carol', type: 1 });
    await t.world.advance(S);
    t.carol.take();
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2 });
    await t.world.advance(S);
    await t.bob.calling.reject();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.busy('carol', 'alice'), ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
    expect(t.carol.take()).toEqual([]);
  });

  // Bob's part ends with his USER_LEAVE; what ends the call is Carol's answer, and CALL_END says so (it said `hangup`).
  it.each([
    { carol: 'lets it ring out', hears: [ev.noResp('carol', 'alice')], reason: 'noResponse' },
    { carol: 'rejects', hears: [ev.rejected('carol')], reason: 'rejected' },
  ] as const)("Bob accepts and hangs up while Carol rings; she $carol -> Alice, left with nobody, CALL_END($reason)", async ({ carol, hears, reason }) => {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, timeout: 10 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.bob.calling.hangup();
    await t.world.advance(S);
    if (carol === 'rejects') await t.carol.calling.reject();
    await t.world.advance(20 * S);
    const bobIn = [ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)];
    expect(t.alice.take()).toEqual([...bobIn, ev.leave('bob'), ev.roster([]), ...hears, ev.end('alice', reason)]);
    expect(t.carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 }), ...(carol === 'rejects' ? [] : [ev.timedOut('alice', ['carol'])])]);
  });

  it('a group invite through an IM group that does not name Carol does not ring her', async () => {
    await t.world.createGroup('all', ['alice', 'bob', 'carol']);
    await t.alice.calling.groupCall({ userIDList: ['bob'], type: 2, groupID: 'all' });
    await t.world.advance(S);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'], { isFromGroup: true })]);
    expect(t.carol.take()).toEqual([]);
  });

  it('each invitee has its own no-answer timer: NO_RESP lists everyone who has not answered so far', async () => {
    const dave = await t.world.user('dave');
    t.world.net.im.setReachable('carol', false);
    t.world.net.im.setReachable('dave', false);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol', 'dave'], type: 2, timeout: 10 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(20 * S);
    expect(t.alice.take()).toEqual([
      ev.accepted('bob'),
      ev.enter('bob'),
      ev.roster(['bob']),
      ev.audio('bob', true),
      ev.video('bob', true),
      ev.noResp('carol', 'alice', ['carol']),
      ev.noResp('dave', 'alice', ['carol', 'dave']),
    ]);
    // Unreachable: Dave's client knows its connection is down, and hears nothing of the call.
    expect(dave.take()).toEqual([ev.notReady()]);
  });
});
