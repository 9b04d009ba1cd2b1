/**
 * The review of the recount pace (2026-12-06 night): StreamMailbox.stop() stops its RecountPace, but the node's
 * close() then moves every user's copies away (`moveAway` -> forwardPages -> recountSoon) after it: a pace that took
 * a new timer then ran a recount once the store was closed (before the pace, a recount pending at stop() kept
 * recountTimer set, so none more came).
 */
import { describe, expect, it } from 'vitest';
import { RecountPace } from '../../server/cluster/recountPace';

describe('RecountPace after stop()', () => {
  it('stop(), then a move asks for a recount -> no timer, no recount', () => {
    const timers: (() => void)[] = [];
    const clock = { now: () => 0, setTimeout: (fn: () => void) => (timers.push(fn), timers.length), clearTimeout: () => undefined };
    let recounts = 0;
    const pace = new RecountPace(clock as never, () => void recounts++);
    pace.soon();
    pace.stop();
    pace.soon(); // close()'s moveAway, after mailbox.stop()
    for (const fn of timers.slice(1)) fn();
    expect({ timersAfterStop: timers.length - 1, recounts }).toEqual({ timersAfterStop: 0, recounts: 0 });
  });
});
