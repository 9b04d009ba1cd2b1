/**
 * The hand-back's bound (`shutdown.ts`, `handBack`), without Redis: a step under way when the bound runs out is not
 * waited for, and no step is started after it. Told by events, not by how long close() takes (closeStalled.test.ts
 * used to time the whole close() against the bound plus 1 s, which a stalled machine could miss): a step that never
 * settles would hold a hand-back that waits for it for ever.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type HandBack, handBack } from '../../server/cluster/shutdown';

describe("a node's hand-back past its bound", () => {
  it('leaves a step that never settles to itself, and starts none after it', async () => {
    const started: string[] = [];
    const step = (what: string, run: () => Promise<void>): HandBack => ({ what, run: () => (started.push(what), run()) });
    const steps = [step('done', async () => undefined), step('stalled', () => new Promise<void>(() => undefined)), step('after', async () => undefined)];
    // Redis is never asked: a round with a step left ends the hand-back once the bound is over.
    const left = await handBack({} as Redis, steps, 50);
    expect(started).toEqual(['done', 'stalled']);
    expect(left.map((l) => [l.what, String(l.error)])).toEqual([
      ['stalled', 'Error: stalled: not done within 50 ms'],
      ['after', 'Error: after: not tried within 50 ms'],
    ]);
  });
});
