/**
 * What a sender holds in the streams counts on every node it logs in to (found by the third review
 * of the stream quotas, 2026-12-04; fixed): the holdings were learned only from a node's own moves, so
 * Mallory, her Redis quota filled from node a, reconnected through node b and was acked there, her
 * copies waiting on b (refused by Redis), able to expire undelivered. The login now reads them.
 */
import { describe, expect, it } from 'vitest';
import { sendTogether } from '../server/support';
import { inProcessNodes, movesDone, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };

describe('stream quotas: a sender whose Redis quota is full, on another node', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  /** Nodes a and b; Mallory, on node a, fills her quota with copies to users who stay away (all in Redis). */
  async function filledFromA() {
    const a = await node('a', { limits: CAPS, offlineTtlMs: 60_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 60_000 });
    const mallory = await login(a, 'mallory');
    for (let i = 0; i < 12; i++) {
      expect((await mallory.request({ type: 'sendC2C', to: `u${i}`, payload: `m${i}`, onlineUserOnly: false })).type).toBe('ack');
      await movesDone(a);
    }
    await settleMoves(a);
    return { a, b, mallory };
  }

  it('Mallory fills her quota from node a, logs in on node b -> her next send is refused there too (as on one node)', async () => {
    const { a, b, mallory } = await filledFromA();
    expect(await redis.zcard(`${t.prefix}:o:s:mallory`)).toBe(12);
    // Node a refuses her now (the fix).
    expect((await mallory.request({ type: 'sendC2C', to: 'u12', payload: 'x', onlineUserOnly: false })).type).toBe('error');
    expect(await mallory.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    const again = await login(b, 'mallory');
    const answer = await again.request({ type: 'sendC2C', to: 'u13', payload: 'y', onlineUserOnly: false });
    await settleMoves(b);
    expect({ answer: answer.type, waitingOnB: b.handle.metrics().cluster?.strandedUsers }).toEqual({ answer: 'error', waitingOnB: 0 });
  });

  it('the same, Mallory sends 12 in one write on node b -> all refused (they were all acked, her whole local quota waiting on b, Redis full)', async () => {
    const { a, b, mallory } = await filledFromA();
    expect(await mallory.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    const again = await login(b, 'mallory');
    sendTogether(again, Array.from({ length: 12 }, (_, i) => ({ type: 'sendC2C', rid: 100 + i, to: `v${i}`, payload: `n${i}`, onlineUserOnly: false })));
    const answers = await until('12 answers', () => again.frames.filter((f) => typeof f.rid === 'number' && f.rid >= 100), (f) => f.length === 12);
    await settleMoves(b);
    expect({ acked: answers.filter((f) => f.type === 'ack').length, storedOnB: b.handle.metrics().storedNow }).toEqual({ acked: 0, storedOnB: 0 });
  });
});
