/**
 * "The client after a week": the calls a long-lived TRTCCalling goes through, written once for the
 * memory and the embedded worlds (`week.test.ts`, `embedded.week.test.ts`). Two instances live for
 * the whole run, `desk` (mostly called) and `bot` (mostly calling); every other party is a peer of a
 * small pool that logs in under a new userID for each call, so each call is with a user never seen
 * before, as a desk phone's or a bot's callers are. Each ending is there: accept and hangup from either
 * side, reject, busy, cancel, ring timeout, a peer that vanishes mid-call, a group call whose other
 * invitees never answer; and signals nobody asked for, from strangers who come and go. Each step
 * asserts the long-lived parties' whole event logs, so a round that went wrong cannot pass as quiet.
 */
import { expect } from 'vitest';
import type { ImPort } from '../../src/index';
import { encodeSignal } from '../../src/index';
import type { WireSignal } from '../../machines/types';
import { ev } from '../support/ev';
import type { Party } from '../support/world';

const S = 1000;

/** What a round needs of its world. */
export interface WeekWorld {
  readonly desk: Party;
  readonly bot: Party;
  /** The pool: each logs in under a fresh userID before each call it takes part in ({@link renew}). */
  readonly peers: readonly [Party, Party, Party];
  /** A bare IM port for forged signals, logged in as a new stranger each round. */
  readonly stranger: ImPort;
  userSig(userID: string): string;
  advance(ms: number): Promise<void>;
  /** `peer` drops off the network mid-call (no signal, no room exit), and is back once `back` resolves. */
  vanish(peer: Party, userID: string): Promise<() => Promise<void>>;
  /** How `desk` hears a call end whose peer vanished mid-call (the backend decides: lost media, or a room that let it go). */
  readonly vanishedEnd: 'error' | 'hangup';
}

let serial = 0;

/** `peer` logs out and in again as a user never seen before; its events so far are dropped. */
async function renew(w: WeekWorld, peer: Party, prefix: string): Promise<string> {
  const userID = `${prefix}${++serial}`;
  await peer.calling.logout();
  await peer.calling.login({ userID, userSig: w.userSig(userID) });
  await w.advance(S);
  peer.take();
  return userID;
}

/** `caller` dials `callee`: the dial's promise settles as the world's clock moves. */
async function dial(w: WeekWorld, caller: Party, callee: string, type: 1 | 2 = 1, timeout = 30): Promise<void> {
  const call = caller.calling.call({ userID: callee, type, timeout });
  await w.advance(S);
  await call;
}

const invitedBy = (sponsor: string, type: 1 | 2 = 1) => ev.invited(sponsor, ['desk'], { callType: type });

/** One round: eleven calls and a handful of forged signals; returns the calls made. */
export async function round(w: WeekWorld): Promise<number> {
  const { desk, bot, peers } = w;
  const [p, q, r] = peers;

  // 1. A stranger calls, Desk accepts, the stranger hangs up.
  let a = await renew(w, p, 'caller');
  await dial(w, p, 'desk', 2);
  await desk.calling.accept();
  await w.advance(S);
  await p.calling.hangup();
  await w.advance(S);
  expect(desk.take()).toEqual([invitedBy(a, 2), ...ev.arrives(a), ev.leave(a), ev.end(a, 'hangup')]);

  // 2. Desk rejects.
  a = await renew(w, p, 'caller');
  await dial(w, p, 'desk');
  await desk.calling.reject();
  await w.advance(S);
  expect(desk.take()).toEqual([invitedBy(a)]);

  // 3. Desk in a call: another stranger and Bot hear busy; Desk hangs up.
  a = await renew(w, p, 'caller');
  const b = await renew(w, q, 'caller');
  await dial(w, p, 'desk');
  await desk.calling.accept();
  await w.advance(S);
  await dial(w, q, 'desk');
  await dial(w, bot, 'desk');
  await desk.calling.hangup();
  await w.advance(S);
  expect(desk.take()).toEqual([invitedBy(a), ...ev.arrives(a, false), ev.end(a, 'hangup')]);
  expect(bot.take()).toEqual([ev.busy('desk', 'bot'), ev.end('bot', 'busy', 0)]);
  void b;

  // 4. The stranger cancels while Desk rings.
  a = await renew(w, p, 'caller');
  await dial(w, p, 'desk');
  await p.calling.hangup();
  await w.advance(S);
  expect(desk.take()).toEqual([invitedBy(a), ev.cancelled(a)]);

  // 5. Nobody answers: the ring times out.
  a = await renew(w, p, 'caller');
  await dial(w, p, 'desk', 1, 5);
  await w.advance(40 * S);
  expect(desk.take()).toEqual([invitedBy(a), ev.timedOut(a, ['desk'])]);

  // 6. Desk accepts, and the stranger vanishes mid-call.
  a = await renew(w, p, 'caller');
  await dial(w, p, 'desk');
  await desk.calling.accept();
  await w.advance(S);
  const back = await w.vanish(p, a);
  await w.advance(60 * S);
  await back();
  expect(desk.take()).toEqual([invitedBy(a), ...ev.arrives(a, false), ev.leave(a), ev.end(a, w.vanishedEnd)]);

  // 7. Bot calls a group (Desk and two strangers who never answer); Desk accepts; Bot hangs up.
  const [g1, g2] = [await renew(w, q, 'ghost'), await renew(w, r, 'ghost')];
  const group = bot.calling.groupCall({ userIDList: ['desk', g1, g2], type: 1, timeout: 10 });
  await w.advance(S);
  await group;
  await desk.calling.accept();
  await w.advance(40 * S);
  await bot.calling.hangup();
  await w.advance(S);
  const member = ev.invited('bot', ['desk', g1, g2], { isFromGroup: true, callType: 1 });
  expect(desk.take()).toEqual([member, ev.enter('bot'), ev.roster(['bot']), ev.audio('bot', true), ev.leave('bot'), ev.roster([]), ev.end('bot', 'hangup')]);
  expect(bot.take()).toEqual([
    ev.accepted('desk'),
    ev.enter('desk'),
    ev.roster(['desk']),
    ev.audio('desk', true),
    ev.noResp(g1, 'bot'),
    ev.noResp(g2, 'bot', [g1, g2]),
    ev.end('bot', 'hangup'),
  ]);

  // 8-11. Bot calls strangers: one accepts and Bot hangs up, one rejects, one never answers, one Bot cancels.
  a = await renew(w, p, 'callee');
  await dial(w, bot, a);
  await p.calling.accept();
  await w.advance(S);
  await bot.calling.hangup();
  await w.advance(S);
  expect(bot.take()).toEqual([ev.accepted(a), ...ev.arrives(a, false), ev.end('bot', 'hangup')]);
  a = await renew(w, p, 'callee');
  await dial(w, bot, a);
  await p.calling.reject();
  await w.advance(S);
  expect(bot.take()).toEqual([ev.rejected(a), ev.end('bot', 'rejected', 0)]);
  a = await renew(w, p, 'callee');
  await dial(w, bot, a, 1, 5);
  await w.advance(40 * S);
  expect(bot.take()).toEqual([ev.noResp(a, 'bot'), ev.end('bot', 'noResponse', 0)]);
  a = await renew(w, p, 'callee');
  await dial(w, bot, a);
  await bot.calling.hangup();
  await w.advance(S);
  expect(bot.take()).toEqual([ev.end('bot', 'cancelled', 0)]);

  await strays(w);
  for (const peer of peers) peer.take();
  return 11;
}

/** A stranger's forged and repeated signals, for invitations nobody made: nothing rings, nothing is told. */
async function strays(w: WeekWorld): Promise<void> {
  const from = `stranger${++serial}`;
  await w.stranger.login(from, w.userSig(from));
  await w.advance(S);
  const base = { inviter: from, groupID: '', callType: 1 as const };
  const id = (k: string) => `forged-${serial}-${k}`;
  const forged: WireSignal[] = [
    { kind: 'cancel', inviteID: id('c'), ...base, invitees: ['desk'] },
    { kind: 'accept', inviteID: id('a'), ...base, invitee: from },
    { kind: 'reject', inviteID: id('r'), ...base, invitee: from, busy: false },
    { kind: 'timeout', inviteID: id('t'), ...base, invitees: ['desk'] },
    { kind: 'hangup', inviteID: id('h'), ...base, invitees: [from], callEnd: 3 },
    // A switch for no call of Desk's: refused (one reply); twice, as a redelivery would.
    { kind: 'switch', inviteID: id('s'), ...base, invitees: ['desk'], roomID: 4242, to: 2 },
    { kind: 'switch', inviteID: id('s'), ...base, invitees: ['desk'], roomID: 4242, to: 2 },
  ];
  for (const to of ['desk', 'bot']) {
    for (const signal of forged) await w.stranger.sendToUser(to, encodeSignal(signal), { onlineUserOnly: false });
    await w.stranger.sendToUser(to, `not a signal ${serial}`, { onlineUserOnly: false });
  }
  await w.advance(S);
  expect({ desk: w.desk.take(), bot: w.bot.take() }).toEqual({ desk: [], bot: [] });
  // An invitation delivered twice rings once; its cancel ends it.
  const invite: WireSignal = { kind: 'invite', inviteID: id('i'), ...base, invitees: ['desk'], roomID: 900_000 + serial, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false };
  for (const signal of [invite, invite, { kind: 'cancel', inviteID: id('i'), ...base, invitees: ['desk'] } as const]) {
    await w.stranger.sendToUser('desk', encodeSignal(signal), { onlineUserOnly: false });
    await w.advance(S);
  }
  await w.stranger.logout();
  expect({ desk: w.desk.take(), bot: w.bot.take() }).toEqual({ desk: [invitedBy(from), ev.cancelled(from)], bot: [] });
}
