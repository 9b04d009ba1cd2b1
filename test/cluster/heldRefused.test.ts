/**
 * Review (held copies moved from memory): copies refused by the recipient's stream (the sender's share of it full)
 * while held: written at once, counted on the sending node, offered again; every acked copy arrives once, in order,
 * and the counts come back to nothing (no drift a recount must fix).
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, sendC2C, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 5, maxBacklog: 8 };

describe('review: held copies refused by the stream', () => {
  const t = inProcessNodes();

  it('Carol (node b) fills Bob\'s stream; Alice (node a) -> Bob m0, m1 (held, refused by his cap) -> acked, written on a; Bob logs in on b -> given all once, per sender in order; counts never off', async () => {
    const a = await t.node('a', { writeBehindMs: 200, limits: CAPS });
    const b = await t.node('b', { writeBehindMs: 200, limits: CAPS });
    const alice = await t.login(a, 'alice');
    const carol = await t.login(b, 'carol');
    const fromCarol: string[] = [];
    for (let i = 0; i < 5; i++) {
      if ((await sendC2C(carol, 'bob', `c${i}`)).type === 'ack') fromCarol.push(`c${i}`);
      await movesDone(b);
    }
    const dave = await t.login(b, 'dave');
    for (let i = 0; i < 3; i++) {
      if ((await sendC2C(dave, 'bob', `d${i}`)).type === 'ack') fromCarol.push(`d${i}`);
      await movesDone(b);
    }
    expect(await t.redis.xlen(`${t.prefix}:i:bob`)).toBe(8);
    const fromAlice: string[] = [];
    for (let i = 0; i < 2; i++) {
      const answer = await sendC2C(alice, 'bob', `m${i}`);
      expect(answer).toMatchObject({ type: 'ack' });
      fromAlice.push(`m${i}`);
      await movesDone(a);
    }
    await settleMoves(a);
    expect(a.handle.metrics()).toMatchObject({ heldNow: 0, heldMoved: 0, storedNow: 2 });
    const bob = await t.login(b, 'bob');
    const got = () => bob.frames.filter((f) => f.type === 'message');
    await until('bob given all', async () => {
      const last = got().at(-1);
      if (last) bob.send({ type: 'received', upTo: last.seq });
      await a.clock.advance(1000);
      await b.clock.advance(1000);
      return got().length;
    }, (n) => n >= 10);
    bob.send({ type: 'received', upTo: got().at(-1)?.seq });
    await bob.sync();
    await settleMoves(a);
    await settleMoves(b);
    const payloads = got().map((f) => String(f.payload));
    expect({ alice: payloads.filter((p) => p.startsWith('m')), others: payloads.filter((p) => !p.startsWith('m')), n: payloads.length }).toEqual({ alice: fromAlice, others: fromCarol, n: 10 });
    expect(a.handle.metrics()).toMatchObject({ heldNow: 0, heldBytes: 0, storedNow: 0, cluster: { recountsOff: 0 } });
    expect(b.handle.metrics()).toMatchObject({ storedNow: 0, cluster: { recountsOff: 0 } });
  });
});
