/**
 * The memory network's delays and fault rates, set by tests (ours and our users'), are checked: a value out of range
 * is a `RangeError` naming it. Before 2026-12-06 night a `NaN`, negative or string latency ran as 0 ms, an `Infinity`
 * one never delivered, and a `dropRate` of 1.5 or `NaN` was taken as it came: a test passed for the wrong reason.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork, SimulatedClock } from '../../../src/testing';

const BAD_DELAYS: unknown[] = [-1, Number.NaN, Infinity, '20', null];

describe('the memory network checks its knobs', () => {
  it.each(BAD_DELAYS)('createMemoryNetwork with a latency or a roomLatency of %s throws a RangeError naming it', (bad) => {
    const clock = new SimulatedClock();
    expect(() => createMemoryNetwork({ clock, latency: bad as number })).toThrow(new RangeError(`latency must be a finite number of ms >= 0 (got ${typeof bad === 'string' ? '"20"' : String(bad)})`));
    expect(() => createMemoryNetwork({ clock, roomLatency: bad as number })).toThrow(/^roomLatency must be a finite number of ms >= 0/);
  });

  it('net.rooms.setLatency and net.im.setFaults refuse what is out of range, and a refused setFaults changes nothing', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock(), latency: 0 });
    for (const bad of BAD_DELAYS) expect(() => net.rooms.setLatency(bad as number)).toThrow(RangeError);
    for (const knob of ['latency', 'jitter'] as const) for (const bad of BAD_DELAYS) expect(() => net.im.setFaults({ [knob]: bad as number })).toThrow(new RegExp(`^${knob} must be`));
    for (const knob of ['dropRate', 'duplicateRate', 'reorderRate'] as const) {
      for (const bad of [-0.1, 1.5, Number.NaN, '0.5', null]) expect(() => net.im.setFaults({ [knob]: bad as number })).toThrow(new RegExp(`^${knob} must be a number in 0\\.\\.1`));
    }
    expect(() => net.im.setFaults({ seed: 1.5 })).toThrow(/^seed must be an integer/);
    // A call with one bad knob sets none of the others: messages still go, at once (latency 0, nothing dropped).
    expect(() => net.im.setFaults({ dropRate: 1, latency: -1 })).toThrow(/^latency must be/);
    const [alice, bob] = [net.backend().im, net.backend().im];
    await alice.login('alice', 'sig');
    await bob.login('bob', 'sig');
    const got: unknown[] = [];
    bob.onMessage((m) => got.push(m));
    await alice.sendToUser('bob', 'hello', { onlineUserOnly: false });
    await net.settle();
    expect(net.im.log.map((e) => e.fate)).toEqual(['delivered']);
    expect(got).toHaveLength(1);
    // In range: taken.
    net.im.setFaults({ latency: 5, jitter: 0, dropRate: 0, duplicateRate: 1, reorderRate: 0.5, seed: 7 });
    net.rooms.setLatency(0);
  });
});
