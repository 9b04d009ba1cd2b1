/**
 * Races and network faults, over the memory network whose fault knobs make them exact:
 * glare, an accept crossing a cancel, duplicated and reordered signals, stale invites.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling, decodeSignal } from '../../src/index';
import type { WireSignal } from '../../machines/types';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

/** Matches hub messages by the kind of signal they carry (and optionally who sent them). */
const kind = (k: WireSignal['kind'], from?: string) => (m: { from: string; payload: string }) => {
  const decoded = decodeSignal(m.payload, m.from);
  return decoded.ok && decoded.signal.kind === k && (from === undefined || m.from === from);
};

describe('races and faults', () => {
  const t = memoryUsers('alice', 'bob');

  it('glare: Alice and Bob call() each other at once -> one call, the lower inviteID wins, no busy, no cancel', async () => {
    // Same instant: neither invite has arrived when the other is sent.
    const [won, lost] = await Promise.all([
      t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }),
      t.bob.calling.call({ userID: 'alice', type: 2, timeout: 30 }),
    ]);
    await t.world.advance(S);
    // The loser's call is the winner's (README, Rules for the races): its view names Alice's invitation and room.
    expect(t.bob.calling.getSnapshot().call).toMatchObject({ inviteID: won.inviteID, roomID: won.roomID });
    expect(lost.inviteID).not.toBe(won.inviteID);
    // Alice's invite was made first, so it sorts lower and wins; Bob's side merges into it.
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(t.bob.take()).toEqual([ev.accepted('alice'), ...ev.arrives('alice')]);
    // Nobody withdraws or answers busy; Alice declines Bob's invite once his ACCEPT of hers arrives
    // (his other devices, had he any, would stop ringing for it).
    const settling = t.world.net.im.log.flatMap((m) => {
      const d = decodeSignal(m.payload, m.from);
      return d.ok && (d.signal.kind === 'reject' || d.signal.kind === 'cancel') ? [{ from: m.from, signal: d.signal }] : [];
    });
    expect(settling).toEqual([{ from: 'alice', signal: expect.objectContaining({ kind: 'reject', inviter: 'bob', invitee: 'alice', busy: false }) }]);
    await t.bob.calling.hangup();
    await t.world.advance(S);
    const bobEnd = t.bob.take();
    expect(bobEnd).toEqual([ev.end('alice', 'hangup')]);
    expect(bobEnd[0]).toMatchObject({ payload: { inviteID: won.inviteID } });
    expect(t.alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'hangup')]);
  });

  it("glare, Alice (who wins) hangs up at once and Bob's invite is slow to land -> it never rings: Bob, whose merged call the cancel ends, withdraws his own invite", async () => {
    t.world.net.im.addRule({ match: kind('invite', 'bob'), action: { delay: 200 } });
    await Promise.all([
      t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }),
      t.bob.calling.call({ userID: 'alice', type: 2, timeout: 30 }),
    ]);
    await t.alice.calling.hangup();
    await t.world.advance(40 * S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(t.bob.take()).toEqual([ev.accepted('alice'), ev.end('alice', 'cancelled', 0)]);
    expect([t.alice.calling.getCallStatus(), t.bob.calling.getCallStatus()]).toEqual(['idle', 'idle']);
  });

  it("Bob takes Alice's switch to audio but his ACCEPT is lost; he then asks for video while hers is still out -> Alice takes his: both on video, his resolves, hers rejects", async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    const lost = t.world.net.im.addRule({ match: kind('accept', 'bob'), action: 'drop' });
    const hers = t.alice.calling.switchToAudioCall().then(() => 'ok', (e: { code?: number }) => e.code);
    await t.world.advance(S);
    lost();
    const type = (p: typeof t.alice) => p.calling.getSnapshot().call?.callType;
    expect([type(t.alice), type(t.bob)]).toEqual([2, 1]);
    const his = t.bob.calling.switchToVideoCall().then(() => 'ok', (e: { code?: number }) => e.code);
    await t.world.advance(S);
    expect(await Promise.all([hers, his])).toEqual([60001, 'ok']);
    expect([type(t.alice), type(t.bob)]).toEqual([2, 2]);
  });

  it("Bob takes Alice's switch to audio, his ACCEPT is lost and hers times out (she stays on video): her next request, answered, brings both to its type", async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    const lost = t.world.net.im.addRule({ match: kind('accept', 'bob'), action: 'drop' });
    const first = t.alice.calling.switchToAudioCall().then(() => 'ok', (e: { code?: number }) => e.code);
    await t.world.advance(40 * S);
    lost();
    expect(await first).toBe(60001);
    const type = (p: typeof t.alice) => p.calling.getSnapshot().call?.callType;
    expect([type(t.alice), type(t.bob)]).toEqual([2, 1]);
    const again = t.alice.calling.switchToAudioCall().then(() => 'ok', (e: { code?: number }) => e.code);
    await t.world.advance(S);
    expect(await again).toBe('ok');
    expect([type(t.alice), type(t.bob)]).toEqual([1, 1]);
  });

  it("glare, Bob (who loses) hangs up as soon as he is merged and his invite is slow to land -> it never rings on Alice: he withdraws it as his call ends", async () => {
    t.world.net.im.addRule({ match: kind('invite', 'bob'), action: { delay: 200 } });
    t.bob.calling.on(TRTCCalling.EVENT.USER_ACCEPT, () => void t.bob.calling.hangup());
    await Promise.all([
      t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }),
      t.bob.calling.call({ userID: 'alice', type: 2, timeout: 30 }),
    ]);
    await t.world.advance(40 * S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob'), ev.leave('bob'), ev.end('alice', 'hangup', 0)]);
    expect(t.alice.calling.getCallStatus()).toBe('idle');
  });

  it('Alice and Bob in a call; Bob logs in again (a reload, the room slow to tell Alice he left) and calls her -> LINE_BUSY, not a decline: a new call of his, not the other half of a glare', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    t.world.net.rooms.setLatency(5000);
    await t.world.advance(2 * S); // a reload takes a while (past LATE_GLARE_MS after the answer)
    t.alice.take();
    const again = await t.world.user('bob');
    await again.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await t.world.advance(200);
    expect(t.alice.take()).toEqual([]);
    expect(again.take()[0]).toEqual(ev.busy('alice', 'bob'));
  });

  it("Alice hangup() while Bob accept() -> the accept crosses the cancel; both end, nobody is left hung", async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await Promise.all([t.bob.calling.accept(), t.alice.calling.hangup()]);
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.end('alice', 'cancelled', 0)]);
    // Nothing left to hang up: resolves, and nothing happens.
    await expect(t.bob.calling.hangup()).resolves.toBeUndefined();
    await t.world.advance(S);
    expect([...t.alice.take(), ...t.bob.take()]).toEqual([]);
  });

  it('the same race with the cancel refused by the IM -> ERROR; Alice answers the stray accept with a hangup, Bob ends', async () => {
    t.world.net.im.addRule({ match: kind('cancel'), action: 'refuse' });
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.alice.calling.hangup();
    await t.world.advance(10); // Bob answers before a cancel could have reached him
    await t.bob.calling.accept();
    await t.world.advance(S);
    // Bob's accept reached a line whose cancel the IM had refused: it answered with a hangup.
    expect(t.world.net.im.log.filter(kind('hangup', 'alice')).map((m) => m.to)).toEqual(['bob']);
    expect(t.alice.take().map((e) => e.name)).toEqual(['onError', 'onCallEnd']);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.end('alice', 'hangup', 0)]);
  });

  it('the cancel lost on its way (the IM took it, no IM here loses one) -> nobody answers the stray accept; Bob, alone in the room, ends after 30 s', async () => {
    t.world.net.im.addRule({ match: kind('cancel'), action: 'drop' });
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.alice.calling.hangup();
    await t.world.advance(10);
    await t.bob.calling.accept();
    await t.world.advance(29 * S);
    expect(t.world.net.im.log.filter(kind('hangup', 'alice'))).toEqual([]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'])]);
    expect(t.bob.calling.getSnapshot().call?.state).toBe('inCall');
    await t.world.advance(2 * S);
    expect(t.bob.take()).toEqual([ev.end('alice', 'hangup', 0)]);
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
  });

  it('every signal duplicated -> the same events as once', async () => {
    t.world.net.im.addRule({ match: () => true, action: 'duplicate' });
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob', false), ev.end('alice', 'hangup')]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 }), ...ev.arrives('alice', false), ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it('the cancel overtakes its invite -> the late invite never rings', async () => {
    t.world.net.im.addRule({ match: kind('invite'), action: { delay: 500 } });
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(100);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(t.bob.take()).toEqual([]);
    expect(t.world.net.im.log.filter(kind('invite')).map((m) => m.fate)).toEqual(['delivered']);
  });

  it('a reject that overtakes nothing but arrives twice, reordered behind a later call -> only the first call sees it', async () => {
    t.world.net.im.addRule({ match: kind('reject'), action: 'duplicate' });
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.reject();
    await t.world.advance(S);
    await t.alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ev.invited('alice', ['bob'])]);
  });

  it('Bob offline, Alice call(timeout 30), Bob logs in 5 s later -> INVITED, and he can accept', async () => {
    const offline = t.world.client('carol');
    await t.alice.calling.call({ userID: 'carol', type: 2, timeout: 30 });
    await t.world.advance(5 * S);
    await offline.calling.login({ userID: 'carol', userSig: 'sig' });
    await t.world.advance(S);
    expect(offline.take()).toEqual([ev.ready(), ev.invited('alice', ['carol'])]);
    await offline.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('carol'), ...ev.arrives('carol')]);
    expect(offline.take()).toEqual(ev.arrives('alice'));
  });

  it('Bob offline, Alice call(timeout 30), Bob logs in 40 s later -> the stale invite never rings', async () => {
    const offline = t.world.client('carol');
    await t.alice.calling.call({ userID: 'carol', type: 2, timeout: 30 });
    await t.world.advance(40 * S);
    // Alice's own timer (timeout + 5 s grace) gave up at 35 s.
    expect(t.alice.take()).toEqual([ev.noResp('carol', 'alice'), ev.end('alice', 'noResponse', 0)]);
    await offline.calling.login({ userID: 'carol', userSig: 'sig' });
    await t.world.advance(S);
    expect(offline.take()).toEqual([ev.ready()]);
    expect(offline.calling.getSnapshot().call).toBeNull(); // nothing rings (accept() would resolve and do nothing)
  });

  it('an offline invite rings only for what is left of its timeout', async () => {
    const offline = t.world.client('carol');
    await t.alice.calling.call({ userID: 'carol', type: 2, timeout: 30 });
    await t.world.advance(20 * S);
    await offline.calling.login({ userID: 'carol', userSig: 'sig' });
    await t.world.advance(9 * S);
    expect(offline.take()).toEqual([ev.ready(), ev.invited('alice', ['carol'])]);
    await t.world.advance(2 * S);
    expect(offline.take()).toEqual([ev.timedOut('alice', ['carol'])]);
    expect(offline.events.log.length).toBe(0);
  });
});

describe('races: a glare merge into a group call', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  // PROPERTY_SEED=1132359530. Carol's side gives up her call's room for Alice's: that room's exit
  // confirmation ended her call early, and her REJECT, sent at once, reached Alice before the room
  // showed Carol entering it.
  it("Alice groupCall([carol]) and inviteUser([bob]) while Carol call()s her: Carol merges into Alice's call and hangup()s while entering -> Alice sees her come and go, never a REJECT", async () => {
    await t.alice.calling.groupCall({ userIDList: ['carol'], type: 2, timeout: 0 });
    await t.alice.calling.inviteUser({ userIDList: ['bob'] });
    await t.carol.calling.call({ userID: 'alice', type: 1, timeout: 0 });
    await t.world.advance(20);
    await t.carol.calling.hangup();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('carol'), ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true), ev.leave('carol'), ev.roster([])]);
    expect(t.carol.take()).toEqual([ev.accepted('alice'), ev.end('alice', 'hangup', 0)]);
    // Bob may still come.
    expect(t.alice.calling.getSnapshot().call).toMatchObject({ state: 'inCall', participants: [] });
  });
});
