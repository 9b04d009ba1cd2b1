/**
 * Group calls mixing TUICallEngine 3.1.7 parties and ours, in one TIM group (`inviteInGroup`):
 * either kind as the caller, the callees of both kinds answering, rejecting or letting it ring
 * out, and hang-ups while the others stay. Both kinds' whole ordered event logs, and the wire.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { useInterop } from './support/suite';
import { te } from './support/tuiEvents';

const S = 1000;
const t = useInterop();

/** The wire since the last look: `[from, to, actionType, inviteID label, data.cmd, inviteeList]`. */
const sends = () =>
  t.world.wire.take().map((m) => [m.from, m.to, m.envelope.actionType, m.envelope.inviteID, (m.envelope.data as { data?: { cmd?: string } }).data?.cmd, m.envelope.inviteeList]);

describe('TUICallEngine calls a group of ours and TUICallEngine', () => {
  it('Alice (TUI) groupCall(bob ours, carol TUI); Bob, then Carol accept; Bob hangup() -> the others stay; all see the roster change', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.tui('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.tui('carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    expect(carol.take()).toEqual(te.invited('alice', ['bob', 'carol'], { type: 1, groupID: 'g1' }));
    await t.world.act(bob.accept(), 2 * S);
    expect(alice.take()).toEqual([te.enter('bob'), te.begin('inviter', 1), te.roster(['alice', 'bob']), te.audio('bob', true), te.accepted('bob')]);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true)]);
    // isRejectNotifyAll and a shared invite: Carol hears Bob's accept too.
    expect(carol.take()).toEqual([te.accepted('bob')]);
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([te.enter('carol'), te.roster(['alice', 'bob', 'carol']), te.audio('carol', true), te.accepted('carol')]);
    expect(bob.take()).toEqual([ev.enter('carol'), ev.roster(['alice', 'carol']), ev.audio('carol', true)]);
    expect(carol.take()).toEqual([
      te.audio('alice', true), te.audio('bob', true), te.enter('alice'), te.roster(['alice', 'bob']), te.enter('bob'), te.roster(['alice', 'bob']), te.begin('invitee', 1),
    ]);
    await t.world.act(bob.hangup(), 2 * S);
    expect(alice.take()).toEqual([te.leave('bob'), te.roster(['alice', 'carol'])]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(carol.take()).toEqual([te.leave('bob'), te.roster(['alice', 'carol'])]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', ['bob', 'carol']],
      ['bob', 'g1', 3, 'id1', 'audioCall', ['bob']],
      ['carol', 'g1', 3, 'id1', 'audioCall', ['carol']],
    ]);
  });

  it('Alice (TUI) groupCall(bob, carol: ours); Bob accepts, Carol lets it ring out; Alice hangup() -> Bob, the last, ends and sends the hangup', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.tui('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
    await t.world.act(bob.accept());
    alice.take();
    bob.take();
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    await t.world.advance(35 * S);
    expect(alice.take()).toEqual([te.noResp('alice', ['carol'])]);
    expect([bob.take(), carol.take()]).toEqual([[], [ev.timedOut('alice', ['carol'])]]);
    await t.world.act(alice.engine.hangup(), 3 * S);
    expect(alice.take()).toEqual([te.end('alice', 'inviter', 1, 36)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.roster([]), ev.end('alice', 'hangup')]);
    expect(carol.take()).toEqual([]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', ['bob', 'carol']],
      ['bob', 'g1', 3, 'id1', 'audioCall', ['bob']],
      ['carol', 'g1', 5, 'id1', 'audioCall', ['carol']],
      ['alice', 'g1', 1, 'id2', 'hangup', ['bob']],
      ['bob', 'alice', 1, 'id1-hangup', 'hangup', ['alice']],
    ]);
  });

  it('Alice (TUI) groupCall(bob, carol: ours); both reject -> Alice REJECT twice, then CALLING_CANCEL(reject)', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.tui('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1' }));
    await t.world.act(bob.reject());
    await t.world.act(carol.reject(), 3 * S);
    expect(alice.take()).toEqual([te.rejected('bob'), te.rejected('carol'), ...te.cancelled('carol', 'inviter', 1, 'reject')]);
    expect([bob.take(), carol.take()]).toEqual([[ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })], [ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]]);
    expect(sends().map((s) => s.slice(0, 3))).toEqual([['alice', 'g1', 1], ['bob', 'g1', 4], ['carol', 'g1', 4]]);
  });
});

describe('ours calls a group of TUICallEngine and ours', () => {
  it('Alice (ours) groupCall(bob TUI, carol ours); Bob accepts, Carol rejects; Bob hangup() -> Alice, the last, ends', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    expect(bob.take()).toEqual(te.invited('alice', ['bob', 'carol'], { type: 1, groupID: 'g1' }));
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { isFromGroup: true, callType: 1 })]);
    await t.world.act(bob.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([te.audio('alice', true), te.enter('alice'), te.roster(['alice']), te.begin('invitee', 1)]);
    await t.world.act(carol.reject(), 2 * S);
    expect(alice.take()).toEqual([ev.rejected('carol')]);
    expect(bob.take()).toEqual([te.rejected('carol')]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(bob.take()).toEqual([te.end('bob', 'invitee', 1, 4)]);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.roster([]), ev.end('alice', 'hangup', 4)]);
    expect(carol.take()).toEqual([]);
    expect(sends()).toEqual([
      ['alice', 'g1', 1, 'id1', 'audioCall', ['bob', 'carol']],
      ['bob', 'g1', 3, 'id1', 'audioCall', ['bob']],
      ['carol', 'g1', 4, 'id1', 'audioCall', ['carol']],
      ['bob', 'g1', 1, 'id2', 'hangup', ['alice']],
      ['alice', 'bob', 1, 'id1-hangup', 'hangup', ['bob']],
    ]);
  });

  it('Alice (ours) groupCall(bob, carol: TUI), video; both accept; Alice hangup() -> the two stay; Bob hangup() -> Carol, the last, ends', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.tui('carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 2, 'g1'));
    await t.world.act(bob.engine.accept());
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([
      ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.accepted('carol'), ev.enter('carol'), ev.roster(['bob', 'carol']), ev.audio('carol', true),
    ]);
    bob.take();
    carol.take();
    await t.world.act(alice.hangup(), 3 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take()).toEqual([te.leave('alice'), te.roster(['bob', 'carol'])]);
    expect(carol.take()).toEqual([te.leave('alice'), te.roster(['bob', 'carol'])]);
    await t.world.act(bob.engine.hangup(), 3 * S);
    expect(bob.take()).toEqual([te.end('bob', 'invitee', 2, 6)]);
    expect(carol.take()).toEqual([te.audio('bob', false), te.leave('bob'), te.roster(['carol']), te.end('carol', 'invitee', 2, 5)]);
    expect(alice.take()).toEqual([]);
    expect(sends().map((s) => s.slice(0, 5))).toEqual([
      ['alice', 'g1', 1, 'id1', 'videoCall'], ['bob', 'g1', 3, 'id1', 'videoCall'], ['carol', 'g1', 3, 'id1', 'videoCall'], ['bob', 'g1', 1, 'id2', 'hangup'],
    ]);
  });

  it('Alice (ours) groupCall(bob, carol: TUI); nobody answers -> each callee\'s TIMEOUT at 30 s; Alice NO_RESP for each, CALL_END', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.tui('carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.noResp('carol', 'alice', ['bob', 'carol']), ev.end('alice', 'noResponse', 0)]);
    expect(bob.take()).toEqual([...te.invited('alice', ['bob', 'carol'], { type: 1, groupID: 'g1' }), ...te.cancelled('bob', 'invitee', 1, 'timeout')]);
    expect(carol.take()).toEqual([...te.invited('alice', ['bob', 'carol'], { type: 1, groupID: 'g1' }), ...te.cancelled('carol', 'invitee', 1, 'timeout')]);
    expect(sends().map((s) => s.slice(0, 3))).toEqual([['alice', 'g1', 1], ['bob', 'g1', 5], ['carol', 'g1', 5]]);
  });

  it('Alice (ours) groupCall(bob, carol: TUI); Alice hangup() while both ring -> one CANCEL through the group naming both; both CALLING_CANCEL(normal); nothing at 30 s', async () => {
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.tui('carol');
    await t.world.act(alice.groupCall(['bob', 'carol'], 1, 'g1'));
    bob.take();
    carol.take();
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(bob.take()).toEqual(te.cancelled('bob', 'invitee', 1, 'normal'));
    expect(carol.take()).toEqual(te.cancelled('carol', 'invitee', 1, 'normal'));
    expect(sends().map((s) => s.slice(0, 4))).toEqual([['alice', 'g1', 1, 'id1'], ['alice', 'g1', 2, 'id1']]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });
});
