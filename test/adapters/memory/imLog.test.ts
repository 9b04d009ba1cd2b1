/**
 * `net.im.log` keeps the latest `logLimit` entries (10,000 by default), so that a soak test does not
 * hold every message it ever routed; `clearLog()` empties it.
 */
import { describe, expect, it } from 'vitest';
import type { SendOptions } from '../../../adapters/ImPort';
import { createMemoryNetwork, DEFAULT_LOG_LIMIT, InMemoryImHub, SimulatedClock } from '../../../adapters/memory';

const live: SendOptions = { onlineUserOnly: true };

/** `count` messages from Alice to Bob, delivered (or, `dropped`, lost on the way by a rule: logged at once, no timer each). */
async function sent(count: number, options: { logLimit?: number; dropped?: boolean } = {}) {
  const { dropped, ...networkOptions } = options;
  const net = createMemoryNetwork({ clock: new SimulatedClock(), ...networkOptions });
  const alice = net.im.connect();
  const bob = net.im.connect();
  await alice.login('alice', 's');
  await bob.login('bob', 's');
  if (dropped) net.im.addRule({ match: () => true, action: 'drop' });
  for (let i = 0; i < count; i++) await alice.sendToUser('bob', `m${i}`, live);
  await net.advance(20);
  return { hub: net.im, net, alice };
}

const payloads = (hub: InMemoryImHub): string[] => hub.log.map((e) => e.payload);

describe('InMemoryImHub.log: bounded (logLimit), and clearLog()', () => {
  it('logLimit 3: the latest 3 entries, oldest first', async () => {
    const { hub } = await sent(5, { logLimit: 3 });
    expect(hub.log.map((e) => `${e.payload} ${e.fate} #${e.seq}`)).toEqual(['m2 delivered #3', 'm3 delivered #4', 'm4 delivered #5']);
  });

  it('by default the latest 10,000: an assertion test sees all it routed, a soak test holds no more', async () => {
    expect(DEFAULT_LOG_LIMIT).toBe(10_000);
    const { hub: few } = await sent(50);
    expect(few.log.length).toBe(50);
    const { hub: many } = await sent(DEFAULT_LOG_LIMIT + 2_600, { dropped: true });
    expect(many.log.length).toBe(DEFAULT_LOG_LIMIT);
    expect([many.log[0]?.payload, many.log.at(-1)?.payload]).toEqual(['m2600', `m${DEFAULT_LOG_LIMIT + 2_599}`]);
  });

  it('Infinity keeps every entry; 0 keeps none', async () => {
    expect((await sent(DEFAULT_LOG_LIMIT + 1, { logLimit: Infinity, dropped: true })).hub.log.length).toBe(DEFAULT_LOG_LIMIT + 1);
    expect((await sent(5, { logLimit: 0 })).hub.log).toEqual([]);
  });

  it('clearLog() empties it; later messages are logged as before', async () => {
    const { hub, net, alice } = await sent(2);
    const before = hub.log;
    hub.clearLog();
    expect(hub.log).toEqual([]);
    expect(hub.log).toBe(before); // the same array, as `log.length = 0` left it
    await alice.sendToUser('bob', 'after', live);
    await net.advance(20);
    expect(payloads(hub)).toEqual(['after']);
  });

  it.each([-1, 1.5, NaN, '100', null])('logLimit %s -> RangeError, naming the option', (bad) => {
    expect(() => createMemoryNetwork({ clock: new SimulatedClock(), logLimit: bad as number })).toThrow(RangeError);
    expect(() => new InMemoryImHub({ clock: new SimulatedClock(), logLimit: bad as number })).toThrow(/logLimit must be a non-negative integer/);
  });
});
