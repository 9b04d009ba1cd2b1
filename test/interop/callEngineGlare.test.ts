/**
 * Glare between call-engine-js 3.3.4 and ours: both call each other. Its invite already on the
 * wire when ours dials (either order of the inviteIDs): 3.3.4 answers ours busy and ours takes its
 * invite, one call in 3.3.4's room, connected past the timeouts until a hang-up. Both dialling at
 * the same instant: each answers the other busy, no call, as between ours and trtc-calling-js.
 * Whole event logs and the wire.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const wire = ceWire(() => t.world);
const sends = () => wire.sends(({ inner }) => [inner.line_busy ?? null]);

/** Lets the clock run until someone sends a message (the engine enters its room before it invites). */
async function untilSent(): Promise<void> {
  for (let ms = 0; t.world.im.log.length === 0; ms++) {
    if (ms > 5 * S) throw new Error('nothing was sent');
    await t.world.advance(1);
  }
}

describe('glare: ours (Alice) and call-engine-js 3.3.4 (Bob) call each other', () => {
  it.each(['low', 'high'] as const)('our inviteIDs sort %s, Bob\'s invite out first: he answers Alice\'s busy, she takes his -> one call, connected past 40 s, until Alice hangs up', async (inviteIDs) => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice', { inviteIDs });
    const bob = await t.world.callEngine('bob');
    const bobCalls = bob.engine.call({ userID: 'alice', type: 2 });
    await untilSent();
    await t.world.act(Promise.all([alice.call('bob', 2), bobCalls]), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    // Like 3.1.7, it does not report its own busy answer.
    expect(bob.take()).toEqual([ce.join('alice'), ce.audio('alice', true), ce.video('alice', true), ce.accepted('alice'), ce.begin(1)]);
    expect(sends()).toEqual([
      ['bob', 'alice', 1, 'id1', 'videoCall', 0, null],
      ['alice', 'bob', 1, 'id2', 'videoCall', null, null],
      ['bob', 'alice', 4, 'id2', '', 0, 'line_busy'],
      ['alice', 'bob', 3, 'id1', 'videoCall', null, null],
    ]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), sends()]).toEqual([[], [], []]);
    expect(t.world.rtc.rooms().map((r) => r.members)).toEqual([['bob', 'alice']]);
    await t.world.act(alice.hangup(), 2 * S);
    expect(alice.take()).toEqual([ev.end('bob', 'hangup', 42)]);
    expect(bob.take()).toEqual([ce.leave('alice'), ce.end(1, 41)]);
    expect(sends()).toEqual([['bob', 'alice', 1, 'id3', 'hangup', 41, null]]);
  });

  it('both dial at the same instant -> each answers the other busy: Alice LINE_BUSY, CALL_END(busy); Bob onUserLineBusy, not connected; no room left', async () => {
    wire.reset();
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.callEngine('bob');
    await t.world.act(Promise.all([alice.call('bob', 2), bob.engine.call({ userID: 'alice', type: 2 })]), 2 * S);
    expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
    expect(bob.take()).toEqual([ce.busy('alice'), ...ce.notConnected('bob', 1)]);
    expect(sends()).toEqual([
      ['alice', 'bob', 1, 'id1', 'videoCall', null, null],
      ['bob', 'alice', 4, 'id1', '', 0, 'line_busy'],
      ['bob', 'alice', 1, 'id2', 'videoCall', 0, null],
      ['alice', 'bob', 4, 'id2', 'videoCall', null, 'line_busy'],
    ]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), sends(), t.world.rtc.rooms()]).toEqual([[], [], [], []]);
  });
});
