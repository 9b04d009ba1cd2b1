/**
 * The memory IM hub's offline store expires on the hub's clock, as the embedded server's does
 * (`offlineTtlMs`, 7 days by default; a message is handed out while `sentAt + ttl > now`).
 */
import { describe, expect, it, vi } from 'vitest';
import type { SendOptions } from '../../../adapters/ImPort';
import { createMemoryNetwork, DEFAULT_OFFLINE_TTL_MS, InMemoryImHub, SimulatedClock, type ImLogEntry } from '../../../adapters/memory';
import { recordIm } from '../../contracts/imPortContract';

const stored: SendOptions = { onlineUserOnly: false };
const HOUR = 3_600_000;

function world(options: { offlineTtlMs?: number } = {}) {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock, ...options });
  const user = async (userID: string) => {
    const port = net.im.connect();
    const rec = recordIm(port);
    await port.login(userID, `sig:${userID}`);
    return { port, rec };
  };
  return { clock, hub: net.im, user };
}

const fates = (log: readonly ImLogEntry[]): string[] =>
  log.map((e) => `${e.payload}->${e.to} ${e.fate}${e.reason ? `(${e.reason})` : ''} @${e.at}`);

describe('InMemoryImHub: the offline store expires (offlineTtlMs)', () => {
  it('a message waits ttl - 1 ms and is delivered; at ttl it is dropped (expired), never delivered', async () => {
    const { clock, hub, user } = world({ offlineTtlMs: 1000 });
    const alice = await user('alice');
    await alice.port.sendToUser('bob', 'early', stored);
    await clock.advance(1);
    await alice.port.sendToUser('bob', 'late', stored);
    expect([hub.stored('bob'), hub.stored()]).toEqual([2, 2]);
    await clock.advance(999); // 'early' is 1000 ms old, 'late' 999
    const bob = await user('bob');
    await clock.advance(20);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual(['late']);
    expect(hub.stored()).toBe(0);
    expect(fates(hub.log)).toEqual([
      'early->bob stored(offline) @0',
      'late->bob stored(offline) @1',
      'early->bob dropped(expired) @1000',
      'late->bob delivered @1020',
    ]);
  });

  it('the default is the server\'s 7 days', async () => {
    expect(DEFAULT_OFFLINE_TTL_MS).toBe(7 * 24 * HOUR);
    const { clock, hub, user } = world();
    const alice = await user('alice');
    await alice.port.sendToUser('bob', 'm', stored);
    await clock.advance(DEFAULT_OFFLINE_TTL_MS - 1);
    expect(hub.stored('bob')).toBe(1);
    await clock.advance(1);
    expect(hub.stored('bob')).toBe(0);
  });

  it('users who never log in again: the hub purges what expired as messages go through it, at most hourly, without being read', async () => {
    const { clock, hub, user } = world({ offlineTtlMs: 10 * HOUR });
    const alice = await user('alice');
    for (let i = 0; i < 48; i++) {
      await alice.port.sendToUser(`gone-${i}`, `m${i}`, stored);
      await clock.advance(HOUR);
    }
    // Nobody read the store: the last send (at 47 h) purged what was 10 hours old then, so it holds 38 h..47 h's.
    const held = hub.log.filter((e) => e.fate === 'stored').length - hub.log.filter((e) => e.reason === 'expired').length;
    expect(held).toBe(10);
    expect(hub.stored()).toBe(9); // read at 48 h: the one sent at 38 h expired too
  });

  it('Infinity keeps a message until its user logs in', async () => {
    const { clock, hub, user } = world({ offlineTtlMs: Infinity });
    const alice = await user('alice');
    await alice.port.sendToUser('bob', 'm', stored);
    await clock.advance(365 * 24 * HOUR);
    await alice.port.sendToUser('carol', 'n', stored);
    expect(hub.stored()).toBe(2);
    const bob = await user('bob');
    await clock.advance(20);
    expect(bob.rec.messages.map((m) => m.payload)).toEqual(['m']);
  });

  it('reads only its clock: the wall clock a year on expires nothing', async () => {
    const { clock, hub, user } = world({ offlineTtlMs: HOUR });
    const wall = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2030, 0, 1));
    try {
      const alice = await user('alice');
      await alice.port.sendToUser('bob', 'm', stored);
      wall.mockReturnValue(Date.UTC(2031, 0, 1));
      await clock.advance(HOUR - 1);
      expect(hub.stored('bob')).toBe(1);
      const bob = await user('bob');
      await clock.advance(20);
      expect(bob.rec.messages.map((m) => m.payload)).toEqual(['m']);
    } finally {
      wall.mockRestore();
    }
  });

  it.each([0, -1, 1.5, NaN, '60000', null])('offlineTtlMs %s -> RangeError, naming the option', (bad) => {
    expect(() => createMemoryNetwork({ clock: new SimulatedClock(), offlineTtlMs: bad as number })).toThrow(RangeError);
    expect(() => new InMemoryImHub({ clock: new SimulatedClock(), offlineTtlMs: bad as number })).toThrow(/offlineTtlMs must be a positive integer/);
  });
});
