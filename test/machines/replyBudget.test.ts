/**
 * The budget of automatic replies across a clock set back (the review of my own fixes,
 * 2026-12-04): the bridge stamps signals with the injected clock, the wall clock by default.
 * Before the fix an hour's step back (an NTP correction) left no automatic reply for an hour:
 * every caller of a busy user heard NO_RESP after 35 s instead of LINE_BUSY.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type LineEvent, lineMachine } from '../../machines/lineMachine';
import { cmd, im, steps } from '../support/machineHarness';

type Snapshot = ReturnType<typeof initialTransition<typeof lineMachine>>[0];
function run(events: LineEvent[], from?: Snapshot) {
  let snapshot = from ?? initialTransition(lineMachine, {})[0];
  const all: ReturnType<typeof steps> = [];
  for (const event of events) {
    const [next, actions] = transition(lineMachine, snapshot, event);
    snapshot = next;
    all.push(...steps(actions));
  }
  return { snapshot, steps: all };
}

const T = 1_765_000_000_000; // a Date.now()
const busyReplies = (s: ReturnType<typeof steps>) => s.filter((x) => 'send' in x && x.send === 'im').length;

describe('the reply budget across a clock set back', () => {
  it('busy during a call, 5 invites at T (answered), clock set back 1 h, then one invite a minute for 10 minutes: each is answered busy', () => {
    const dialling = run([cmd.login(1), { type: 'im.loggedIn', at: T }, { ...cmd.dial(2), at: T }]).snapshot;
    const burst = run(
      Array.from({ length: 5 }, (_, n) => im.invited('carol', { inviteID: `c-${n}`, invitees: ['alice'] }, { at: T })),
      dialling,
    );
    expect(busyReplies(burst.steps)).toBe(5);
    const back = T - 3_600_000;
    const later = run(
      Array.from({ length: 10 }, (_, n) => im.invited(`caller${n}`, { inviteID: `d-${n}`, invitees: ['alice'] }, { at: back + (n + 1) * 60_000 })),
      burst.snapshot,
    );
    expect({ answered: busyReplies(later.steps), budget: later.snapshot.context.replies }).toEqual({ answered: 10, budget: expect.anything() });
  });
});
