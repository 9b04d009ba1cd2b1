/**
 * Many devices over Tencent IM (multi-terminal login: TIM rings both of Bob's terminals and syncs
 * what one sends to the other, and holds no answer back). Bob's phone accepts as his laptop's ring
 * runs out (its TIMEOUT) or as he declines on the laptop (its REJECT): the two answers cross, and
 * both reach the caller, in either order. Nobody arbitrates but the caller, who takes the first that
 * lands; each device hears of the other's answer only once its own went. Bob's devices are ours
 * (opted in to many devices); Alice is ours or trtc-calling-js.
 *
 * Ours: the phone, in the call, leaves it to the caller: a sibling's answer no longer ends it (it
 * did, with reason `timeout` or `rejected`, so the answered call ended under Alice, who had taken
 * the ACCEPT first). Whatever Alice took, both sides agree: the call goes on, or both end.
 * Our caller that took the laptop's answer first ends, leaves the room, and answers the phone's
 * late ACCEPT with a HANGUP: a phone that came into the room after Alice left it (TRTC's entry
 * takes longer than an IM message: `join`) ends at once, where it sat alone for the 30 s alone
 * timeout before (it saw no leave to end on).
 * Tencent's caller (a fact pinned, not copied): any TIMEOUT ends its 1v1 call, also one landing
 * after the ACCEPT it took; a REJECT after the ACCEPT ends it too; the phone then sees it leave.
 * It answers no late ACCEPT: a phone that came in after it left waits out the alone timeout.
 */
import { describe, expect, it } from 'vitest';
import { captureEvents } from '../../src/testing';
import { ev } from '../support/ev';
import type { Ev, Kind } from './support/interopWorld';
import { oe, useInterop } from './support/suite';

const S = 1000;
const t = useInterop({ multiTerminal: true });
const actionOf = (data: string) => (JSON.parse(data) as { actionType: number }).actionType;
/** The `av_call` command a TSignaling envelope carries (`videoCall`, `hangup`, ...). */
const cmdOf = (data: string) => (JSON.parse((JSON.parse(data) as { data: string }).data) as { data: { cmd: string } }).data.cmd;
const INVITE = 1;
const ACCEPT = 3;
const REJECT = 4;
const TIMEOUT = 5;

const sentAt = (since: number, from: string, action: number) => t.world.im.log.slice(since).find((m) => m.from === from && actionOf(m.payload.data) === action)?.at;

/** Lets the clock run 1 ms at a time until `from` has sent a message of `action` since `since`. */
async function until(since: number, from: string, action: number): Promise<void> {
  for (let ms = 0; ms < 5 * S; ms++) {
    if (sentAt(since, from, action) !== undefined) return;
    await t.world.advance(1);
  }
  throw new Error(`${from} sent no message of action ${action}`);
}

interface Case {
  readonly caller: Kind;
  readonly second: 'TIMEOUT' | 'REJECT';
  readonly first: 'ACCEPT' | 'TIMEOUT' | 'REJECT';
  readonly alice: readonly Ev[];
  readonly phone: readonly Ev[];
  /** The call goes on: Alice hangs up at the end. */
  readonly talking: boolean;
  /** A call that does not go on ends on the phone within a second of Alice's last answer landing, unless `alone`: 30 s after its ACCEPT (the alone timeout). */
  readonly alone?: boolean;
  /** How long the phone's entry into the room takes (ms; the IM's latency, 20 ms, unless given). */
  readonly join?: number;
}

const laptop = { TIMEOUT: [ev.invited('alice', ['bob']), ev.timedOut('alice', ['bob'])], REJECT: [ev.invited('alice', ['bob'])] };
const phoneIn = [ev.invited('alice', ['bob']), ...ev.arrives('alice')];
const ourAliceTalks = [ev.accepted('bob'), ...ev.arrives('bob')];

const CASES: readonly Case[] = [
  { caller: 'ours', second: 'TIMEOUT', first: 'ACCEPT', alice: ourAliceTalks, phone: phoneIn, talking: true },
  {
    caller: 'ours',
    second: 'TIMEOUT',
    first: 'TIMEOUT',
    alice: [ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)],
    phone: [...phoneIn, ev.leave('alice'), ev.end('alice', 'hangup', 0)],
    talking: false,
  },
  { caller: 'ours', second: 'REJECT', first: 'ACCEPT', alice: ourAliceTalks, phone: phoneIn, talking: true },
  // Alice left the room before the phone came in (it saw her join, not her media): her HANGUP, answering its ACCEPT, ends it.
  { caller: 'ours', second: 'REJECT', first: 'REJECT', alice: [ev.rejected('bob'), ev.end('alice', 'rejected', 0)], phone: [ev.invited('alice', ['bob']), ev.end('alice', 'hangup', 0)], talking: false },
  // The phone's entry takes 200 ms, Alice's TIMEOUT 20 ms: she is gone before it comes in; her HANGUP ends it.
  ...(['TIMEOUT', 'REJECT'] as const).map((second): Case => ({
    caller: 'ours',
    second,
    first: second,
    alice: second === 'TIMEOUT' ? [ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)] : [ev.rejected('bob'), ev.end('alice', 'rejected', 0)],
    phone: [ev.invited('alice', ['bob']), ev.end('alice', 'hangup', 0)],
    talking: false,
    join: 200,
  })),
  {
    caller: 'official',
    second: 'TIMEOUT',
    first: 'ACCEPT',
    // It takes the ACCEPT, then ends on the TIMEOUT (and again on the phone's hangup).
    alice: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob'), oe.timedOut('alice', ['bob']), oe.end('alice', 0), oe.end('bob', 1)],
    phone: [...phoneIn, ev.leave('alice'), ev.end('alice', 'hangup', 1)],
    talking: false,
  },
  {
    caller: 'official',
    second: 'TIMEOUT',
    first: 'TIMEOUT',
    alice: [oe.timedOut('alice', ['bob']), oe.end('alice', 0), oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.end('bob', 0)],
    phone: [...phoneIn, ev.leave('alice'), ev.end('alice', 'hangup', 0)],
    talking: false,
  },
  {
    caller: 'official',
    second: 'REJECT',
    first: 'ACCEPT',
    alice: [oe.audio('bob', true), oe.video('bob', true), oe.accepted('alice'), oe.enter('bob'), oe.rejected('bob'), oe.end('bob', 1)],
    phone: [...phoneIn, ev.leave('alice'), ev.end('alice', 'hangup', 1)],
    talking: false,
  },
  // Tencent's caller answers no late ACCEPT: the phone, come in after it left, is alone until the alone timeout.
  { caller: 'official', second: 'REJECT', first: 'REJECT', alice: [oe.rejected('bob'), oe.accepted('alice')], phone: [ev.invited('alice', ['bob']), ev.end('alice', 'hangup', 0)], talking: false, alone: true },
];

describe("Bob's phone (ours) accepts Alice's call as his laptop (ours) times out or declines: the two answers cross", () => {
  it.each(CASES.map((c) => ({ join: 20, ...c })))('Alice ($caller); the laptop sends its $second, Alice gets the $first first; the phone enters in $join ms', async ({ caller, second, first, alice: aliceHears, phone: phoneHears, talking, alone, join }) => {
    const alice = await t.world.party(caller, 'alice');
    const phone = await t.world.party('ours', 'bob', { multiDevice: true });
    const laptopParty = await t.world.party('ours', 'bob', { multiDevice: true });
    const phoneLog = phone.kind === 'ours' ? captureEvents(phone.calling) : undefined;
    const since = t.world.im.log.length;
    // Each device hears of the other's answer only once its own went; Alice gets the first one first.
    const synced = t.world.im.hold((m) => m.from === 'bob' && m.to === 'bob');
    const action = second === 'TIMEOUT' ? TIMEOUT : REJECT;
    const laterAnswer = first === 'ACCEPT' ? t.world.im.hold((m) => m.from === 'bob' && m.to === 'alice' && actionOf(m.data) === action) : undefined;
    const calling = alice.call('bob', 2);
    await until(since, 'alice', INVITE);
    // Both devices ring until 30 s after the invite landed (the IM's latency after it went).
    const deadline = sentAt(since, 'alice', INVITE)! + t.world.im.latency + 30 * S;
    await t.world.advance(deadline - 1 - t.world.clock.now());
    // 1 ms before the laptop's ring runs out (or as Bob declines on it), the phone accepts: it enters the room, then sends its ACCEPT.
    t.world.rtc.joinLatency = join;
    const answers = [phone.accept(), ...(second === 'REJECT' ? [laptopParty.reject()] : [])];
    await until(since, 'bob', ACCEPT);
    await until(since, 'bob', action);
    synced.release();
    await t.world.advance(S);
    laterAnswer?.release();
    const landed = t.world.clock.now();
    await t.world.act(Promise.all([calling, ...answers]), 2 * S);
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual(aliceHears);
    expect(phone.take()).toEqual(phoneHears);
    expect(laptopParty.take()).toEqual(laptop[second]);
    if (caller === 'ours') {
      // Alice's INVITE, and the HANGUP answering a late ACCEPT when Bob's own answer ended her call: once.
      const cmds = t.world.im.log.slice(since).filter((m) => m.from === 'alice').map((m) => `${m.to} ${cmdOf(m.payload.data)}`);
      expect(cmds).toEqual(first === 'ACCEPT' ? ['bob videoCall'] : ['bob videoCall', 'bob hangup']);
    }
    if (!talking) {
      const ended = phoneLog?.log.find((e) => e.name === 'onCallEnd')?.at ?? Infinity;
      if (alone) expect(ended - (sentAt(since, 'bob', ACCEPT) ?? 0)).toBeGreaterThanOrEqual(30 * S);
      else expect(ended - landed).toBeLessThan(S);
    }
    if (talking) {
      await t.world.act(alice.hangup(), 2 * S);
      expect(alice.take()).toEqual([ev.end('alice', 'hangup', 43)]);
      expect(phone.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 43)]);
      expect(laptopParty.take()).toEqual([]);
    }
  });
});
