/**
 * Attacks on the intake: a frame whose `type` nests thousands deep, a flood of receipts, a flood
 * of reconnects (to reset per-connection limits), and a flood of connections that never log in.
 * Each is limited, cheaply, while Alice and Bob keep calling through the public API.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../server/index';
import type { EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { MIB, RawClient, defaultLimitsWorld, halfFrameAttacker, honestCall, memoryInUse, stopAttackers, until } from './support';

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

describe('floods are limited while an honest pair calls', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  let url: string;
  let lines: Line[];

  beforeEach(async () => {
    lines = [];
    const logger: Logger = {
      info: () => undefined,
      warn: (message, fields) => lines.push({ level: 'warn', message, fields: fields ?? {} }),
      error: (message, fields) => lines.push({ level: 'error', message, fields: fields ?? {} }),
    };
    world = defaultLimitsWorld({ server: { logger } });
    alice = await world.user('alice');
    bob = await world.user('bob');
    url = (await world.server()).url;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    stopAttackers();
    await world.dispose();
  });

  it('a frame whose type nests 5,000 deep is refused unparsed as badFrame (never internal), costs a strike, logs one short line', async () => {
    const nested = `{"type":${'['.repeat(5000)}${']'.repeat(5000)},"rid":7}`;
    const codes = new Map<string, number>();
    let connections = 0;
    let refusedAtTheDoor = 0;
    // Refused unparsed: nothing recursive (JSON.parse, the schema) ever sees it. This was a time bound (5 s for the
    // whole flood; the old server spent 8.8 ms parsing each such frame), which a stalled machine could miss.
    const parse = vi.spyOn(JSON, 'parse');
    for (let i = 0; i < 60; i++) {
      const mallory = await RawClient.login(url, 'mallory').catch(() => null);
      if (!mallory) {
        refusedAtTheDoor++;
        continue;
      }
      connections++;
      for (let j = 0; j < 20; j++) mallory.send(nested);
      const answered = await mallory.request({ type: 'ping' }).then(() => 'still open', () => 'closed');
      const answers = mallory.ofType('error').map((f) => f.code);
      if (i === 0) expect([answered, ...answers]).toEqual(['closed', ...Array<string>(11).fill('badFrame'), 'tooManyErrors']);
      expect(await mallory.closed).toEqual({ code: 1008, reason: 'too many refused frames' });
      for (const code of answers) codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
    }
    const parsed = parse.mock.calls.filter(([text]) => text === nested).length;
    parse.mockRestore();
    // Every answer is a refusal of the frame (or of its rate), never `internal`; ten strikes and
    // a connection is closed; and once Mallory's budget is spent she cannot even log in again.
    expect([...codes.keys()].sort()).toEqual(['badFrame', 'rateLimited', 'tooManyErrors']);
    expect(codes.get('tooManyErrors')).toBe(connections);
    expect((codes.get('badFrame') ?? 0) + (codes.get('rateLimited') ?? 0)).toBe(11 * connections);
    expect(connections).toBeLessThan(30);
    expect(refusedAtTheDoor).toBe(60 - connections);
    expect(parsed).toBe(0);
    const metrics = (await world.server()).metrics();
    expect(metrics.refused.internal).toBeUndefined();
    expect(metrics.limits).toMatchObject({ maxStrikes: connections, userBytes: expect.any(Number), userRate: expect.any(Number) });
    // The log: short lines, no stack trace, and a rate limit (the rest counted).
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.every((l) => JSON.stringify(l).length < 600 && !JSON.stringify(l).includes('\\n    at '))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(metrics.logSuppressed).toBeGreaterThan(100);
    await honestCall(world, alice, bob);
  });

  it('a flood of receipts is rate-limited like every frame: the flooder is closed, an honest call in the middle goes through', async () => {
    const mallory = await RawClient.login(url, 'mallory');
    const trudy = await RawClient.login(url, 'trudy');
    for (let i = 0; i < 50; i++) trudy.send({ type: 'sendC2C', rid: i + 1, to: 'mallory', payload: `m${i}`, onlineUserOnly: false });
    await trudy.sync();
    await mallory.next((f) => f.type === 'message' && f.payload === 'm49', 'the last of her messages');
    for (let i = 0; i < 5000; i++) mallory.send({ type: 'received', upTo: 0 });
    const call = honestCall(world, alice, bob);
    const afterwards = await mallory.request({ type: 'ping' }).then(
      () => 'still open',
      () => 'closed',
    );
    await call;
    expect(afterwards).toBe('closed');
    expect(await mallory.closed).toEqual({ code: 1008, reason: 'too many refused frames' });
    const metrics = (await world.server()).metrics();
    expect(metrics.refused.rateLimited).toBeGreaterThanOrEqual(10);
    expect((metrics.limits.connRate ?? 0) + (metrics.limits.userRate ?? 0)).toBeGreaterThanOrEqual(10);
    trudy.terminate();
  });

  it('reconnecting does not reset the rate: ten connections of one user get one budget, not ten', async () => {
    const start = world.clock.now();
    const call = honestCall(world, alice, bob);
    let acked = 0;
    for (let round = 0; round < 10; round++) {
      const mallory = await RawClient.login(url, 'mallory').catch(() => null);
      if (!mallory) continue;
      for (let i = 0; i < 200; i++) mallory.send({ type: 'sendC2C', rid: 10 + i, to: 'nobody', payload: `r${round}-${i}`, onlineUserOnly: false });
      await mallory.request({ type: 'ping' }).catch(() => undefined);
      acked += mallory.ofType('ack').length;
      mallory.terminate();
      await mallory.closed;
    }
    await call;
    const seconds = (world.clock.now() - start) / 1000;
    // One user's budget: a burst of 200 frames, then 50 a second (logins and pings included).
    expect(acked).toBeLessThanOrEqual(200 + 50 * seconds);
    expect((await world.server()).metrics().limits.userRate).toBeGreaterThan(0);
  });

  it('200 connections that never log in, each streaming a 1 MiB frame: refused at the door or cut after 8 KiB; memory stays within 8 MiB', async () => {
    const port = Number(new URL(url).port);
    const before = await memoryInUse();
    const attackers = await Promise.all(Array.from({ length: 200 }, () => halfFrameAttacker(port, MIB, MIB - 1)));
    const grown = (await memoryInUse()) - before;
    expect(grown).toBeLessThan(8 * MIB); // the old server held each half frame: 200 MiB
    const admitted = attackers.filter((a) => a.status === 101);
    expect(attackers.filter((a) => a.status === 503).length).toBe(200 - admitted.length);
    expect(admitted.length).toBeLessThanOrEqual(50); // per address: 50 at once, 50 in a burst
    await until('the server to cut every admitted attacker', () => admitted.every((a) => a.closed));
    const metrics = (await world.server()).metrics();
    expect(metrics.limits.preLoginBytes).toBe(admitted.length);
    expect((metrics.limits.maxConnectionsPerIp ?? 0) + (metrics.limits.ipConnectRate ?? 0)).toBe(200 - admitted.length);
    await honestCall(world, alice, bob);
  });
});
