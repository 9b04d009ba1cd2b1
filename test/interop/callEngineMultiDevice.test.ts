/**
 * A user on two devices (TIM's multi-terminal login: each gets the invite, and what one sends is
 * synced to the other), one of them call-engine-js 3.3.4. Its answer on one device ends ours'
 * ringing on the other (ours reads the synced answer). The other way round it is 3.3.4's quirk:
 * when another device of its user accepts a 1v1 call (ours, 3.1.7 or its own kind), 3.3.4 rings
 * on for good, shows nothing, never times out and answers every later call busy.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop({ multiTerminal: true });
const wire = ceWire(() => t.world);
const sends = () => wire.sends();
const audio = { type: 1 } as const;

describe('our Alice calls Bob, on ours and on 3.3.4', () => {
  it.each([
    { answer: 'accept', ours: [ev.end('alice', 'answeredElsewhere', 0)], alice: [ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)], wire: [3, ''] },
    { answer: 'reject', ours: [ev.end('alice', 'rejected', 0)], alice: [ev.rejected('bob'), ev.end('alice', 'rejected', 0)], wire: [4, ''] },
  ] as const)('Bob\'s 3.3.4 device $answer()s -> his ours device stops ringing', async ({ answer, ours, alice: aliceHears, wire: [action, cmd] }) => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bobOurs = await t.world.party('ours', 'bob');
    const bobCe = await t.world.callEngine('bob');
    await t.world.act(alice.call('bob', 1));
    expect(bobOurs.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    expect(bobCe.take()).toEqual(ce.invited('alice', ['bob'], audio));
    await t.world.act(bobCe.engine[answer](), 2 * S);
    expect(bobOurs.take()).toEqual(ours);
    expect(alice.take()).toEqual(aliceHears);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'audioCall', null], ['bob', 'alice', action, 'id1', cmd, 0]]);
    await t.world.advance(40 * S);
    expect([bobOurs.take(), sends()]).toEqual([[], []]);
  });
});

describe('3.3.4\'s quirk: another device of its user accepts, and it rings on for good', () => {
  it.each(['ours', 'callEngine', 'tui'] as const)('Alice (3.3.4) calls Bob, on %s and on 3.3.4; the first device accepts -> the 3.3.4 device shows nothing, never times out, and answers a later call busy', async (first) => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob1 = first === 'ours' ? await t.world.party('ours', 'bob') : first === 'tui' ? await t.world.tui('bob') : await t.world.callEngine('bob');
    const bob2 = await t.world.callEngine('bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }));
    expect(bob2.take()).toEqual(ce.invited('alice', ['bob'], audio));
    await t.world.act('engine' in bob1 ? bob1.engine.accept() : bob1.accept(), 2 * S);
    await t.world.advance(40 * S);
    expect(bob2.take()).toEqual([]);
    await t.world.act('engine' in bob1 ? bob1.engine.hangup() : bob1.hangup(), 2 * S);
    expect(bob2.take()).toEqual([]);
    await t.world.act(carol.call('bob', 1), 2 * S);
    // Bob's first device rings for Carol; his 3.3.4 device answers her busy, which ends her call.
    expect(carol.take()).toEqual([ev.busy('bob', 'carol'), ev.end('carol', 'busy', 0)]);
    expect(bob2.take()).toEqual([]);
    expect(sends().slice(-2).map((s) => s.slice(0, 4))).toEqual([['carol', 'bob', 1, 'id3'], ['bob', 'carol', 4, 'id3']]);
  });
});
