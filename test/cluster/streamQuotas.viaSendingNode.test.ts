/**
 * The review of 4c5d921 (2026-12-04; fixed since): the victim attack it fixed, done on the sending node instead. A sender's node
 * learns its share of a recipient's stream only from its own moves: a sender whose share of Bob's stream
 * is full of parked copies (moved from another node) logs in on node a, whose cache knows nothing, and
 * sends there. Its copies are acked and wait on node a, counted in Bob's backlog there; the stream refuses
 * them for as long as the parked copies stay (their totals on Bob's node full: until they expire), and
 * every other sender on node a is refused `maxBacklog` for Bob all that time. One node would have refused
 * the mallories (their share of Bob, 2 each, is full) and let Alice through.
 */
import { describe, expect, it } from 'vitest';
import type { RawClient, TestServer } from '../server/support';
import { inProcessNodes, sendC2C, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 4, maxBacklogPerSender: 2, maxBacklog: 4 };
const TTL_MS = 600_000;

describe('cluster: the victim attack via the sending node', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  const send = sendC2C;
  /** Pipelined sends: every frame written before any answer is read. */
  const burst = async (from: RawClient, to: string, payloads: string[]) => {
    const rids = payloads.map((payload, i) => {
      const rid = 9000 + i;
      from.send({ type: 'sendC2C', to, payload, onlineUserOnly: false, rid });
      return rid;
    });
    return until('burst answered', () => rids.map((rid) => from.frames.find((f) => f.rid === rid)), (a) => a.every((f) => f !== undefined));
  };

  it("senders whose share of Bob's stream is parked full log in on node a and send there: Alice on node a is refused for as long as their copies live", async () => {
    const opts = { limits: CAPS, offlineTtlMs: TTL_MS };
    const [a, b, c] = [await node('a', opts), await node('b', opts), await node('c', opts)];
    const nodes: TestServer[] = [a, b, c];
    const settle = async () => {
      for (const n of nodes) await settleMoves(n);
    };
    const others = [await login(b, 'bob'), await login(b, 'x1'), await login(b, 'x2')];
    const alice = await login(a, 'alice');
    // On node c: their totals on node b full (accomplices there confirm nothing), then their share of Bob's stream (parked).
    const onC = [await login(c, 'm1'), await login(c, 'm2')];
    for (const [i, m] of onC.entries()) {
      for (const x of ['x1', 'x2']) for (let k = 0; k < 2; k++) expect(await send(m, x, `m${i + 1}-${x}-${k}`)).toMatchObject({ type: 'ack' });
    }
    await settle();
    // (A send may be refused once on the holdings node c last learned, before node b took their copies in: sent again.)
    for (const [i, m] of onC.entries()) for (let k = 0; k < 2; k++) await until('to bob', () => send(m, 'bob', `m${i + 1}-bob-${k}`), (f) => f.type === 'ack');
    await settle();
    await until('their shares parked in his stream', () => redis.scard(`${t.prefix}:p:bob`), (n) => n === 4);

    // They log in on node a (taking their sessions over) and send Bob two more each, pipelined.
    const mallories = [await login(a, 'm1'), await login(a, 'm2')];
    for (const [i, m] of mallories.entries()) {
      // (Node a acks both: it never learned her share; one node would refuse both.)
      await burst(m, 'bob', [2, 3].map((k) => `m${i + 1}-bob-${k}`));
    }
    await settle();

    // Alice's copy, much later (their copies live 10 minutes; the stream's retries ran many times).
    for (let s = 0; s < 40; s++) {
      for (const cl of [...others, alice, ...mallories]) cl.send({ type: 'ping', rid: 50_000 + s });
      for (const n of nodes) await n.clock.advance(7_500);
      await settle();
    }
    // Their extra copies went in parked (up to one share more each), not waiting on node a in Bob's backlog there.
    expect(a.handle.metrics().cluster?.strandedUsers).toBe(0);
    expect(await redis.scard(`${t.prefix}:p:bob`)).toBe(8);
    const answer = await send(alice, 'bob', 'a0');
    // It was { type: 'error', code: 'quotaExceeded', message: 'bob has as many messages waiting as it may' }.
    expect(answer).toMatchObject({ type: 'ack' });
    await until('a0 given to Bob', async () => {
      for (const n of nodes) await n.clock.advance(1000);
      return others[0]?.frames.some((f) => f.payload === 'a0');
    }, (ok) => ok === true);
  });
});
