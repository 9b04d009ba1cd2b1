/**
 * answerCrossing.test.ts's race in a group call that goes on: our Alice group-calls Bob and Carol over
 * Tencent IM (through the IM group `team`, or C2C); Carol is in the call. Bob is logged in on a phone and
 * a laptop (multi-terminal login: TIM rings both, passes both answers to Alice, and syncs each to the
 * other device only once it went). He declines on the laptop as he accepts on the phone, which enters
 * the room and sends its ACCEPT; Alice gets the laptop's REJECT first (the phone's entry takes 200 ms),
 * or the phone's ACCEPT first (the REJECT held a second).
 *
 * REJECT first: Alice took Bob as declined for good, while his phone talked in her room (USER_ENTER,
 * but no USER_ACCEPT, and her call's snapshot listed him `rejected`). Now she takes him as having
 * answered, as any invitee who answers: REJECT, then USER_ACCEPT and USER_ENTER, and he is `joined`.
 * ACCEPT first: the REJECT after it changes nothing (as before). Nothing of this goes on the wire.
 * Tencent's caller (trtc-calling-js 1.0.6, a fact pinned, not copied) keeps no status per invitee: it
 * reports the REJECT, then Bob's media and USER_ENTER (the ACCEPT it drops, the invitation settled),
 * and talks with him; ours now says the same, with the USER_ACCEPT that makes him answered.
 * The phone is ours or trtc-calling-js (which reports the synced REJECT as its own user's, and stays).
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import type { Ev, Kind } from './support/interopWorld';
import { cmdOf, envelope, until } from './support/imLog';
import { oe, useInterop } from './support/suite';

const S = 1000;
const t = useInterop({ multiTerminal: true });
const ACCEPT = 3;
const REJECT = 4;


/** `userID` arriving in a group call as our client reports it (its list of who is in the room after it). */
const arrives = (userID: string, inRoom: string[]): Ev[] => [ev.enter(userID), ev.roster(inRoom), ev.audio(userID, true), ev.video(userID, true)];
const bobComesIn = arrives('bob', ['carol', 'bob']);

interface Case {
  readonly via: 'team' | 'C2C';
  readonly first: 'REJECT' | 'ACCEPT';
  readonly caller: Kind;
  readonly phone: Kind;
  /** What Alice hears once Bob answered on both devices. */
  readonly alice: readonly Ev[];
}

const CASES: readonly Case[] = [
  ...(['C2C', 'team'] as const).flatMap((via): Case[] => [
    { via, first: 'REJECT', caller: 'ours', phone: 'ours', alice: [ev.rejected('bob'), ev.accepted('bob'), ...bobComesIn] },
    { via, first: 'ACCEPT', caller: 'ours', phone: 'ours', alice: [ev.accepted('bob'), ...bobComesIn] },
  ]),
  { via: 'C2C', first: 'REJECT', caller: 'ours', phone: 'official', alice: [ev.rejected('bob'), ev.accepted('bob'), ...bobComesIn] },
  { via: 'team', first: 'REJECT', caller: 'official', phone: 'ours', alice: [oe.rejected('bob'), oe.roster(['bob']), oe.audio('bob', true), oe.video('bob', true), oe.enter('bob')] },
];

const phoneHears = {
  ours: [...arrives('alice', ['alice']), ...arrives('carol', ['alice', 'carol'])],
  // Its list appends; unmutes come before the streams; the laptop's synced REJECT, read as its own user's.
  official: [oe.roster(['bob', 'alice']), oe.audio('alice', true), oe.video('alice', true), oe.roster(['bob', 'alice', 'carol']), oe.audio('carol', true), oe.video('carol', true), oe.enter('alice'), oe.enter('carol'), oe.rejected('bob')],
};

describe("Alice group-calls Bob and Carol, Carol is in; Bob declines on his laptop (ours) as he accepts on his phone: the call goes on with him", () => {
  it.each(CASES)('Alice ($caller) through $via gets the $first first; the phone is $phone', async ({ via, first, caller, phone: phoneKind, alice: aliceHears }) => {
    t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
    const alice = await t.world.party(caller, 'alice');
    const carol = await t.world.party('ours', 'carol');
    const phone = await t.world.party(phoneKind, 'bob', { multiDevice: true });
    const laptop = await t.world.party('ours', 'bob', { multiDevice: true });
    await t.world.act(alice.groupCall(['bob', 'carol'], 2, via === 'team' ? 'team' : undefined), S);
    await t.world.act(carol.accept(), S);
    for (const p of [alice, carol, phone, laptop]) p.take();
    const since = t.world.im.log.length;
    // Each device hears of the other's answer only once its own went; Alice gets the one named first first.
    const synced = t.world.im.hold((m) => m.from === 'bob' && m.to === 'bob');
    const laterReject = first === 'ACCEPT' ? t.world.im.hold((m) => m.from === 'bob' && m.to !== 'bob' && envelope(m.data).actionType === REJECT) : undefined;
    // The phone's entry into the room takes longer than the laptop's REJECT takes to reach Alice, unless the REJECT is held.
    t.world.rtc.joinLatency = first === 'REJECT' ? 200 : 20;
    const answers = [phone.accept(), laptop.reject()];
    await until(t.world, since, 'bob', ACCEPT);
    await until(t.world, since, 'bob', REJECT);
    synced.release();
    await t.world.advance(S);
    laterReject?.release();
    await t.world.act(Promise.all(answers), 2 * S);
    expect(alice.take()).toEqual(aliceHears);
    if (alice.kind === 'ours') {
      expect(alice.calling.getSnapshot().call?.invitees).toEqual([
        { userID: 'bob', status: 'joined' },
        { userID: 'carol', status: 'joined' },
      ]);
    }
    expect(phone.take()).toEqual(phoneHears[phoneKind]);
    expect(laptop.take()).toEqual([]);
    expect(carol.take()).toEqual(arrives('bob', ['alice', 'bob']));

    await t.world.act(alice.hangup(), 2 * S);
    // Tencent's caller, who leaves a group call first, reports no CALL_END (a quirk of its own).
    expect(alice.take()).toEqual(caller === 'ours' ? [ev.end('alice', 'hangup')] : []);
    expect(phone.take()).toEqual([ev.leave('alice'), ev.roster(['carol'])]);
    expect(carol.take()).toEqual([ev.leave('alice'), ev.roster(['bob'])]);
    // Nothing of Alice's told Bob his call was over (no HANGUP answering his phone's ACCEPT).
    expect(t.world.im.log.slice(since).filter((m) => m.from === 'alice').map((m) => cmdOf(m.payload.data))).toEqual([]);
  });
});
