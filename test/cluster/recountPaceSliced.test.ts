/**
 * A recount runs over many turns since 2026-12-07 (a slice at a time, `server/recount.ts`): a move that asks for one
 * while one runs gets one after it, spaced by what it counted (`recountPace.ts`), never at once. Paced from the last
 * recount's end as when a recount took one turn, a pass of 1M copies (some 5 s now, in slices) was followed 250 ms
 * later by the next one asked for meanwhile: the node recounted again and again, its time in recounts unbounded.
 */
import { describe, expect, it } from 'vitest';
import { MS_PER_COPY, RECOUNT_MS, RecountPace } from '../../server/cluster/recountPace';
import { StepClock } from '../server/recountWorld';

/** The pace on a clock the test moves timer by timer; each recount's `ended` kept for the test to call. */
function paced() {
  const clock = new StepClock();
  const started: number[] = [];
  const running: ((copies: number | null) => void)[] = [];
  const pace = new RecountPace(clock, (ended) => {
    started.push(clock.now());
    running.push(ended);
  });
  const until = (at: number) => clock.runUntil(at);
  return { clock, pace, started, running, until };
}

describe('RecountPace, a recount that runs over many turns', () => {
  it('a move at 0 ms; the recount runs from 250 ms to 5 s (1M copies); moves at 1 s and 3 s -> one more recount, 250 s after the first ended', () => {
    const { pace, started, running, until } = paced();
    pace.soon();
    until(RECOUNT_MS);
    until(1000);
    pace.soon(); // copies moved while it runs
    until(3000);
    pace.soon();
    until(5000);
    running[0]?.(1_000_000); // it ends, having counted 1M copies
    until(5000 + 1_000_000 * MS_PER_COPY + 1000);
    expect(started).toEqual([RECOUNT_MS, 5000 + 1_000_000 * MS_PER_COPY]);
  });

  it('stop() while a recount runs, a move asked for one meanwhile; it ends -> none after it', () => {
    const { clock, pace, started, running, until } = paced();
    pace.soon();
    until(RECOUNT_MS);
    pace.soon();
    pace.stop();
    running[0]?.(10);
    until(600_000);
    expect({ started, timers: clock.pending }).toEqual({ started: [RECOUNT_MS], timers: 0 });
  });

  it('a recount that failed (the store fails its reads) -> the next one asked for meanwhile runs 250 ms after it, spaced by the last that counted', () => {
    const { pace, started, running, until } = paced();
    pace.soon();
    until(RECOUNT_MS);
    running[0]?.(4000); // 1 s of spacing
    until(2000);
    pace.soon(); // due at 1,250 ms: now, at the soonest 250 ms after it asked
    until(2250);
    pace.soon();
    running[1]?.(null);
    until(10_000);
    expect(started).toEqual([RECOUNT_MS, 2250, 2500]);
  });
});
