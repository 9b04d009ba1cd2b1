/**
 * The node that holds a user refuses a sender's copies from his stream when that sender's own bounds
 * there are full (its total, or its share of him): those copies stay in the stream, and before they
 * counted in the victim's backlog there. Senders whose totals were full on his node (their accomplices
 * there confirm nothing) could fill it, and then every other sender's copy to him waited on its node
 * until theirs expired, while one node would have refused those senders at once. Now such a copy is
 * parked: it stays in the stream, counted in its sender's quotas (its share of him, its total), no
 * longer in his backlog. In-process nodes on one Redis (a key prefix of their own), simulated clocks.
 */
import { describe, expect, it } from 'vitest';
import type { TestServer } from '../server/support';
import { confirmGiven, heardAll, inProcessNodes, movesDone, payloads, sendC2C, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 4, maxBacklogPerSender: 2, maxBacklog: 4 };
/** Long enough that nothing expires in the test: what arrives is taken in, not purged. */
const TTL_MS = 600_000;

describe("cluster: a sender's copies refused by the holding node's bounds do not fill the recipient's stream", () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  const send = sendC2C;
  const given = payloads;
  const confirm = confirmGiven;

  it("two senders whose totals are full on Bob's node (node b) flood his stream: Alice's copy still reaches him at once; once their accomplices confirm, Bob gets theirs too, in order", async () => {
    const [a, b] = [await node('a', { limits: CAPS, offlineTtlMs: TTL_MS }), await node('b', { limits: CAPS, offlineTtlMs: TTL_MS })];
    const nodes: TestServer[] = [a, b];
    const settle = async () => {
      for (const n of nodes) await settleMoves(n);
    };
    const bob = await login(b, 'bob');
    const accomplices = [await login(b, 'x1'), await login(b, 'x2')];
    const alice = await login(a, 'alice');
    const mallories = [await login(a, 'm1'), await login(a, 'm2')];

    // Each fills her total on node b (4) with copies to two accomplices there, who confirm nothing.
    for (const [i, m] of mallories.entries()) {
      for (const x of ['x1', 'x2']) for (let k = 0; k < 2; k++) expect(await send(m, x, `m${i + 1}-${x}-${k}`)).toMatchObject({ type: 'ack' });
    }
    await settle();
    expect(b.handle.metrics().storedNow).toBe(8);

    // Then they flood Bob until their share of his stream (2 each) is there; then node a refuses them at
    // once, as one node would. A send may be refused before that on what node a last learned of a sender's
    // holdings (her copies to the accomplices, since taken in; a move of hers under way while Redis stalls):
    // the refusal has node a read them afresh, and she tries again once it has heard Redis since.
    const flood: string[][] = [[], []];
    for (const [i, m] of mallories.entries()) {
      const share = () => redis.hget(`${t.prefix}:q:bob`, `s:m${i + 1}`);
      for (let k = 0, refusals = 0; !(await share())?.startsWith('2 '); ) {
        const answer = await send(m, 'bob', `m${i + 1}-bob-${k}`);
        if (answer.type === 'ack') flood[i]?.push(`m${i + 1}-bob-${k++}`);
        else {
          expect(answer).toMatchObject({ type: 'error', code: 'quotaExceeded' });
          expect(++refusals).toBeLessThan(10);
          await heardAll(a);
        }
        await movesDone(a);
      }
      expect(await send(m, 'bob', `m${i + 1}-bob-more`)).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    }
    await settle();
    // Node b refused them all (their totals there are full): they wait in his stream (2 each, their share of
    // him), counted as theirs, not his.
    expect(given(bob)).toEqual([]);
    expect(await redis.xlen(`${t.prefix}:i:bob`)).toBe(4);
    expect(await redis.scard(`${t.prefix}:p:bob`)).toBe(4);
    expect(await redis.hget(`${t.prefix}:q:bob`, 'n')).toBe('0');
    expect(await redis.hget(`${t.prefix}:q:bob`, 's:m1')).toBe('2 16'); // her share of him still holds (2 copies, 16 bytes)

    // Alice's copy moves (his backlog is not full of theirs) and reaches him before the retries back off far.
    expect(await send(alice, 'bob', 'a0')).toMatchObject({ type: 'ack' });
    await until(
      'a0 given to Bob',
      async () => {
        confirm(bob);
        for (const n of nodes) await n.clock.advance(1000);
        return given(bob);
      },
      (got) => got.includes('a0'),
    );

    // The accomplices confirm: the senders' totals on node b free, and Bob gets every acked copy, in each sender's order.
    for (const x of accomplices) confirm(x);
    const all = flood.flat().length + 1;
    const got = await until(
      `Bob given all ${all}`,
      async () => {
        for (const x of accomplices) confirm(x);
        confirm(bob);
        for (const n of nodes) await n.clock.advance(1000);
        return given(bob);
      },
      (g) => g.length >= all,
      30_000,
    );
    expect(got).toHaveLength(all);
    for (const [i, sent] of flood.entries()) expect(got.filter((p) => p.startsWith(`m${i + 1}-`))).toEqual(sent);
    confirm(bob);
    await until('his stream and counts empty', async () => [await redis.xlen(`${t.prefix}:i:bob`), await redis.hget(`${t.prefix}:q:bob`, 'n'), await redis.scard(`${t.prefix}:p:bob`)], (v) => JSON.stringify(v) === JSON.stringify([0, '0', 0]));
  });
});
