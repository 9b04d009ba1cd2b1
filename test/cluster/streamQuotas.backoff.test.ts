/**
 * The take-in's back-off (found by the second review, 2026-12-04; fixed): copies node b's bounds
 * refused wait in the stream for the `behind` timer. Each notice handled while they waited doubled
 * its delay and restarted it, so acked copies waited up to 30 s for an online, confirming recipient.
 * Now only a try that ran and was refused again doubles it. (Nothing wakes the drain at the
 * recipient's confirmation itself: the README's known limits.)
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };

describe('stream quotas: the recipient confirms, the copies left in his stream come at the next try', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('Bob (node b) confirms the 5 he holds -> the 5 waiting in his stream come within 3 s', async () => {
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000 });
    const bob = await login(b, 'bob');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const mallory = await login(a, 'mallory');
    for (let i = 0; i < 10; i++) {
      expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: `m${i}`, onlineUserOnly: false })).type).toBe('ack');
      await settleMoves(a);
      await settleMoves(b);
    }
    await until('5 given', () => payloads(bob).length, (n) => n === 5);
    expect(await redis.xlen(`${t.prefix}:i:bob`)).toBe(5);
    // Bob confirms as he goes; the clocks move 500 ms a round, 3 s at most.
    let elapsed = 0;
    await until(
      'the 10 given',
      async () => {
        const last = bob.frames.filter((f) => f.type === 'message').at(-1);
        if (last) bob.send({ type: 'received', upTo: last.seq });
        await bob.sync();
        await a.clock.advance(500);
        await b.clock.advance(500);
        elapsed += 500;
        await movesDone(b);
        return payloads(bob).length;
      },
      (n) => n === 10 || elapsed >= 3000,
    );
    expect(payloads(bob)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  }, 30_000);
});
