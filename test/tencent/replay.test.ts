/**
 * Replays, message by message, the real calls of Tencent's own client (trtc-calling-js 1.0.6 on
 * tsignaling 1.0.8, test/fixtures/tencent-wire) with our client, on the tencent backend over the
 * fake Tencent cloud, playing each party in turn; the others are scripted Tencent clients that
 * send exactly what was recorded (see replay/replay.ts).
 *
 * For each party we assert that our client sent what the recorded party sent, in the same order,
 * to the same place, with the same envelope, av_call data and `sendMessage` options (invite and
 * room IDs aside), and that it got the events our README promises. Where Tencent's client emits
 * something else, the comment says which quirk of spec/wire-protocol.md it is.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HANGUP_SUFFIX } from '../../adapters/signalingCodec';
import { InvalidStateError } from '../../src/index';
import { ev } from '../support/ev';
import { CAPTURE_NAMES, comparable, loadCapture, recorded, type CaptureName, type Comparable, type JsonObject } from './replay/capture';
import { replay, type ReplayResult } from './replay/replay';

type Ev = { name: string; payload: unknown };

interface Case {
  readonly name: CaptureName;
  readonly ours: string;
  /** Our party's events, as the README's event table and CALL_END rules have them. */
  readonly events: Ev[];
  /** Our API calls that are refused where Tencent's succeed, by action. */
  readonly refused?: readonly string[];
}


const groupInvite = ev.invited('alice', ['bob', 'carol'], { isFromGroup: true });

const CASES: Case[] = [
  // Tencent's alice gets USER_ACCEPT naming herself (quirk, spec 3.2) and her CALL_END only when
  // bob's hangup invite arrives; ours names bob and ends at once. Bob's late hangup is ignored.
  { name: '1v1-accept-hangup', ours: 'alice', events: [ev.accepted('bob'), ...ev.arrives('bob'), ev.end('alice', 'hangup', 2)] },
  // Tencent's bob gets the availability events before USER_ENTER; ours announce a member first.
  {
    name: '1v1-accept-hangup',
    ours: 'bob',
    events: [ev.invited('alice', ['bob']), ...ev.arrives('alice'), ev.leave('alice'), ev.end('alice', 'hangup', 2)],
  },
  // Tencent's caller gets REJECT and no CALL_END (spec 3.3); ours ends the call it dialled.
  { name: '1v1-reject', ours: 'alice', events: [ev.rejected('bob'), ev.end('alice', 'rejected', 0)] },
  { name: '1v1-reject', ours: 'bob', events: [ev.invited('alice', ['bob'])] },
  { name: '1v1-busy', ours: 'alice', events: [ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)] },
  // Tencent's busy bob emits LINE_BUSY to himself (spec 2.3 step 5); ours: the busy user hears nothing.
  {
    name: '1v1-busy',
    ours: 'bob',
    events: [ev.invited('carol', ['bob']), ...ev.arrives('carol'), ev.leave('carol'), ev.end('carol', 'hangup', 2)],
  },
  { name: '1v1-busy', ours: 'carol', events: [ev.accepted('bob'), ...ev.arrives('bob'), ev.end('carol', 'hangup', 2)] },
  // Tencent's alice: USER_ACCEPT naming herself, an invitee list with bob twice (spec 2.7), and no
  // CALL_END of her own until... never (she sends the hangup). Her second hangup() is a no-op
  // there; ours refuses it: the call is over.
  {
    name: 'group-3',
    ours: 'alice',
    events: [
      ev.accepted('bob'),
      ev.enter('bob'),
      ev.roster(['bob']),
      ev.audio('bob', true),
      ev.video('bob', true),
      ev.rejected('carol'),
      ev.leave('bob'),
      ev.roster([]),
      ev.end('alice', 'hangup', 3),
    ],
    // Her hangup() after the call ended (Tencent's alice hangs up last) resolves, as Tencent's does.
  },
  // Tencent's bob also gets carol's REJECT (the README gives REJECT to the inviter only) and
  // his CALL_END only from alice's hangup invite; ours ends when he hangs up.
  {
    name: 'group-3',
    ours: 'bob',
    events: [groupInvite, ev.enter('alice'), ev.roster(['alice']), ev.audio('alice', true), ev.video('alice', true), ev.end('alice', 'hangup', 3)],
  },
  { name: 'group-3', ours: 'carol', events: [groupInvite] },
];

const ourMessage = (m: ReplayResult['sent'][number]): Comparable =>
  comparable({ to: m.to, conversationType: m.conversationType, priority: m.priority, data: m.payload.data, options: m.options });

describe.each(CASES)('replay of $name with our client as $ours', (c) => {
  let result: Promise<ReplayResult> | undefined;
  /** The replay runs once per case; its tests read the same run. */
  const run = () => (result ??= replay(loadCapture(c.name), c.ours));
  afterAll(async () => (await run()).world.dispose());

  it(`sends what Tencent's ${c.ours} sent, in order (same fields and values, IDs aside)`, async () => {
    const r = await run();
    expect(r.sent.map(ourMessage)).toEqual(r.expected.map((e) => recorded(e)));
  });

  it('gets the events our spec promises, and nothing else', async () => {
    const r = await run();
    expect(r.events).toEqual([ev.ready(), ...c.events]);
  });

  it(`its API calls succeed${c.refused ? `, except ${c.refused.join(', ')} (refused: the call is over)` : ''}`, async () => {
    const r = await run();
    const refused = r.results.filter((x) => !x.ok);
    expect(refused.map((x) => x.action)).toEqual(c.refused ?? []);
    for (const x of refused) expect(x.error).toBeInstanceOf(InvalidStateError);
    expect(r.world.errors).toEqual([]);
  });

  it('answers reuse the invite ID they answer; a hangup invite has its own, its call\'s with HANGUP_SUFFIX (Tencent mints a new one)', async () => {
    const r = await run();
    const capture = loadCapture(c.name);
    const callIDs = new Set(capture.wire.filter((w) => !w.label.includes('hangup')).map((w) => w.envelope['inviteID']));
    for (const m of r.sent) {
      const envelope = JSON.parse(m.payload.data) as JsonObject;
      const id = String(envelope['inviteID']);
      const hangup = String(envelope['data']).includes('"cmd":"hangup"');
      expect(id.endsWith(HANGUP_SUFFIX)).toBe(hangup);
      expect(callIDs).toContain(hangup ? id.slice(0, -HANGUP_SUFFIX.length) : id);
    }
  });
});

it('covers every capture', () => {
  expect([...new Set(CASES.map((c) => c.name))].sort()).toEqual([...CAPTURE_NAMES].sort());
});
