/**
 * The in-process nodes of one test start their simulated clocks at one time. Each clock used to start
 * at the real time of its node's start, rounded down to the second: two nodes made on each side of a
 * second boundary were a second apart, and what one node stamps on its clock another reads on its own
 * (the buckets a node writes to Redis as `tokens:lastMs`, refilled by the next node up to its now). On
 * a loaded machine budgetMove.test.ts ("node a shuts down ...") then saw node b refill 50 frames (a
 * second at 50/s): 149 answered pings, not 99. Here the second boundary falls between the two starts
 * every time.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes } from './support';

describe('in-process nodes', () => {
  const t = inProcessNodes();

  it('of one test read the same time, made on each side of a second boundary', async () => {
    const a = await t.node('a');
    const startedAt = a.clock.now();
    // Past the next whole second of real time: a clock started now would start a second later.
    await new Promise((resolve) => setTimeout(resolve, startedAt + 1000 - Date.now() + 5));
    const b = await t.node('b');
    expect(b.clock.now()).toBe(a.clock.now());
  });
});
