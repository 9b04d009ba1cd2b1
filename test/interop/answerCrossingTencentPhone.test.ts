/**
 * answerCrossing.test.ts's race with Tencent's client on Bob's phone: our Alice calls Bob, his laptop
 * (ours) declines as his phone (trtc-calling-js 1.0.6 or call-engine-js 3.3.4) accepts; Alice takes
 * the REJECT first, ends and leaves, and answers the phone's late ACCEPT with a HANGUP (the rule that
 * ends our own phone at once when it came into the room after Alice left). What that HANGUP does to
 * Tencent's phones, pinned (their ways, not copied):
 *
 * - trtc-calling-js takes any HANGUP for a `CALL_END`, in whatever state. Come into the room after
 *   Alice left, it now hears the call is over (before, its call ended with no `CALL_END` at all, on
 *   the laptop's synced REJECT, which it reports as `REJECT` from its own user). Come in while she was
 *   still there, it ends on her leave as before, and the HANGUP is a second `CALL_END`: as it reports
 *   for the hangup its own kind sends whoever left a 1v1 call (answerCrossing.test.ts, Tencent's Alice).
 * - call-engine-js 3.3.4 ignores the HANGUP: come in after Alice left, it stays alone in the room
 *   for good, with or without it; come in before, it ends on her leave, once.
 *
 * Its ring runs out a little before ours (its own timer), so the phone accepts 500 ms before the
 * invitation's 30 s, as the laptop declines. (TIMEOUT crossing the phone's accept cannot happen here:
 * both kinds' rings run out while they enter the room, and they go on ringing until they are in.)
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce } from './support/callEngineEvents';
import type { Ev } from './support/interopWorld';
import { cmdOf, sentAt, until } from './support/imLog';
import { oe, useInterop } from './support/suite';

const S = 1000;
const t = useInterop({ multiTerminal: true });
const INVITE = 1;
const ACCEPT = 3;
const REJECT = 4;


const aliceHears = [ev.rejected('bob'), ev.end('alice', 'rejected', 0)];
const CASES: readonly { readonly phone: 'official' | 'callEngine'; readonly join: number; readonly hears: readonly Ev[]; readonly alone: boolean }[] = [
  // In while Alice is: her media, her leave; the laptop's synced REJECT, read as its own user's; the end of its call, and the HANGUP's.
  { phone: 'official', join: 20, hears: [oe.invited('alice', ['bob']), oe.audio('alice', true), oe.video('alice', true), oe.leave('alice'), oe.rejected('bob'), oe.end('alice', 0), oe.end('alice', 0)], alone: false },
  // In after Alice left: the synced REJECT ends its call (out of the room), silently; the HANGUP's CALL_END (none before).
  { phone: 'official', join: 200, hears: [oe.invited('alice', ['bob']), oe.rejected('bob'), oe.end('alice', 0)], alone: false },
  { phone: 'callEngine', join: 20, hears: [...ce.invited('alice', ['bob']), ce.begin(2), ce.join('alice'), ce.audio('alice', true), ce.video('alice', true), ce.leave('alice'), ce.end(2, 0)], alone: false },
  { phone: 'callEngine', join: 200, hears: [...ce.invited('alice', ['bob']), ce.begin(2)], alone: true },
];

describe("our Alice calls Bob; his laptop (ours) declines as his phone (Tencent's) accepts; Alice takes the REJECT first", () => {
  it.each(CASES)("the phone is $phone, its entry takes $join ms", async ({ phone: kind, join, hears, alone }) => {
    const alice = await t.world.party('ours', 'alice');
    const phone = kind === 'official' ? await t.world.party('official', 'bob') : await t.world.callEngine('bob');
    const laptop = await t.world.party('ours', 'bob', { multiDevice: true });
    const since = t.world.im.log.length;
    const synced = t.world.im.hold((m) => m.from === 'bob' && m.to === 'bob');
    const calling = alice.call('bob', 2);
    await until(t.world, since, 'alice', INVITE);
    const deadline = sentAt(t.world, since, 'alice', INVITE)! + t.world.im.latency + 30 * S;
    await t.world.advance(deadline - 500 - t.world.clock.now());
    t.world.rtc.joinLatency = join;
    const answers = ['engine' in phone ? phone.engine.accept() : phone.accept(), laptop.reject()];
    await until(t.world, since, 'bob', ACCEPT);
    await until(t.world, since, 'bob', REJECT);
    synced.release();
    await t.world.act(Promise.all([calling, ...answers]), 2 * S);
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual(aliceHears);
    expect(laptop.take()).toEqual([ev.invited('alice', ['bob'])]);
    expect(phone.take()).toEqual(hears);
    // Alice: her INVITE, and one HANGUP to Bob, answering his phone's late ACCEPT.
    expect(t.world.im.log.slice(since).filter((m) => m.from === 'alice').map((m) => `${m.to} ${cmdOf(m.payload.data)}`)).toEqual(['bob videoCall', 'bob hangup']);
    expect(t.world.rtc.rooms().flatMap((r) => r.members)).toEqual(alone ? ['bob'] : []);
  });
});
