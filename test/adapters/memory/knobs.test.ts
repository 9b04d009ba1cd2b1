/**
 * The memory network's delays and fault rates, set by tests (ours and our users'), are checked: a value out of range
 * is a `RangeError` naming it. Before 2026-12-06 night a `NaN`, negative or string latency ran as 0 ms, an `Infinity`
 * one never delivered, and a `dropRate` of 1.5 or `NaN` was taken as it came: a test passed for the wrong reason.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryNetwork, SimulatedClock } from '../../../src/testing';

/** When (the network's clock) a message from alice to bob arrives, over 100 ms: `[20]` with the default latency and no rule or fault. */
async function deliveredAt(net: ReturnType<typeof createMemoryNetwork>): Promise<number[]> {
  const a = net.im.connect();
  const b = net.im.connect();
  const got: number[] = [];
  b.onMessage(() => got.push(net.clock.now()));
  await Promise.all([a.login('alice', 's'), b.login('bob', 's')]);
  await a.sendToUser('bob', 'hi', { onlineUserOnly: false });
  await net.advance(100);
  return got;
}

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

describe('net.im.addRule checks its rule (the audit of 2026-12-07: a typo or a bad delay ran as no rule at all)', () => {
  it('refuses a rule whose match, action or times is malformed, naming it, and adds nothing', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const match = () => true;
    const bad: [unknown, RegExp][] = [
      [null, /^addRule: rule must be an object/],
      [{ match: 'bob', action: 'drop' }, /^addRule: match must be a function/],
      [{ match, action: 'Drop' }, /^addRule: action must be 'drop', 'duplicate', 'refuse' or \{ delay \} \(got "Drop"\)/],
      [{ match, action: { delay: -5 } }, /^addRule: action.delay must be a finite number of ms >= 0 \(got -5\)/],
      [{ match, action: { delay: Number.NaN } }, /action.delay/],
      [{ match, action: {} }, /action.delay/],
      [{ match, action: 'drop', times: 0 }, /^addRule: times must be a positive integer/],
      [{ match, action: 'drop', times: 1.5 }, /times/],
    ];
    for (const [rule, message] of bad) expect(() => net.im.addRule(rule as never)).toThrow(message);
    // Nothing was added: a message goes with the latency, as with no rule.
    expect(await deliveredAt(net)).toEqual([20]);
    expect(() => net.im.addRule({ match, action: { delay: 0 }, times: 2 })).not.toThrow();
  });
});

describe('net.im.setFaults refuses an unknown knob (the audit of 2026-12-07: { droprate: 1 } dropped nothing)', () => {
  it('a misspelt knob is a TypeError naming it, and nothing changes', async () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    expect(() => net.im.setFaults({ droprate: 1 } as never)).toThrow(new TypeError('setFaults: unknown knob droprate (known: latency, jitter, dropRate, duplicateRate, reorderRate, seed)'));
    expect(() => net.im.setFaults({ dropRate: 1, latncy: 5 } as never)).toThrow(/unknown knob latncy/);
    expect(() => net.im.setFaults(null as never)).toThrow(/^setFaults: faults must be an object/);
    expect(await deliveredAt(net)).toEqual([20]);
  });
});
