/**
 * A group caller's CANCEL crossing more than one invitee's ACCEPT. The caller cancels what still
 * rings: the whole call when nobody has answered (an IM group's one CANCEL names every invitee
 * still ringing), only the ringing ones when it leaves a call others are in. An invitee whose
 * accept crossed the cancel talks on only with those the caller did not cancel: two invitees whose
 * accepts both crossed the cancel of the whole call are no call of anyone's.
 */
import { describe, expect, it } from 'vitest';
import { decodeSignal } from '../../src/index';
import type { WireSignal } from '../../machines/types';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

const kind = (k: WireSignal['kind']) => (m: { from: string; payload: string }) => {
  const decoded = decodeSignal(m.payload, m.from);
  return decoded.ok && decoded.signal.kind === k;
};

describe('a group CANCEL crossing two ACCEPTs', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it("in an IM group, Alice hangup() while Bob and Carol accept(), her CANCEL slow to land (they meet in the room first) -> the three end, nobody left in a call she cancelled", async () => {
    await t.world.createGroup('team', ['alice', 'bob', 'carol']);
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'team' });
    await t.world.advance(S);
    for (const p of [t.alice, t.bob, t.carol]) p.take();
    t.world.net.im.addRule({ match: kind('cancel'), action: { delay: 300 } });
    await Promise.all([t.bob.calling.accept(), t.carol.calling.accept(), t.alice.calling.hangup()]);
    await t.world.advance(S);
    // Her one CANCEL, through the group, names both: she withdrew the whole call.
    const cancels = t.world.net.im.log.filter(kind('cancel')).map((m) => ({ to: m.to, decoded: decodeSignal(m.payload, m.from) }));
    const named = { ok: true, signal: expect.objectContaining({ kind: 'cancel', groupID: 'team', invitees: ['bob', 'carol'] }) };
    expect(cancels).toEqual([{ to: 'bob', decoded: named }, { to: 'carol', decoded: named }]);
    expect(t.alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    // Each met the other in the room before the CANCEL came, then ended on it.
    expect(t.bob.take()).toEqual([ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true), ev.end('alice', 'cancelled', 0)]);
    expect(t.carol.take()).toEqual([ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.end('alice', 'cancelled', 0)]);
    expect([t.alice, t.bob, t.carol].map((p) => p.calling.getCallStatus())).toEqual(['idle', 'idle', 'idle']);
    await t.world.advance(60 * S);
    expect([...t.alice.take(), ...t.bob.take(), ...t.carol.take()]).toEqual([]);
  });
});
