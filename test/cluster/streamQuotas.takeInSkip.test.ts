/**
 * The stream quotas (their review of 2026-12-04 found what this says; fixed since): a take-in whose commit failed puts
 * `lastIn` back and asks for a drain in 1 s; a notice handled before that drain takes its own
 * (later) entries in and moves `lastIn` past the failed ones, which the drain then filters out. The
 * skipped entry is never delivered while the recipient's session lasts, and it keeps its sender's
 * share of the recipient (and the recipient's count) full in Redis meanwhile.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, until } from './support';
import { failingInserts } from '../support/failingStore';

const CAPS = { maxSenderStored: 12, maxBacklogPerSender: 2, maxBacklog: 8 };

describe('stream quotas: a take-in that failed, then a later notice', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;


  it("node b fails to store Mallory's m1; Alice's a1 comes in before the retry -> the failure forgot Bob's position, so a1's notice reads his stream from its start: m1 is not skipped", async () => {
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000, sharedDatabase: true });
    const bob = await login(b, 'bob');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const mallory = await login(a, 'mallory');
    const alice = await login(a, 'alice');
    expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a0', onlineUserOnly: false })).type).toBe('ack');
    await until('a0 given', () => payloads(bob), (p) => p.includes('a0'), 5000);

    const heal = failingInserts(b.dbPath);
    expect((await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'm1', onlineUserOnly: false })).type).toBe('ack');
    await until('node b failed to take m1 in', () => b.logs.some((l) => l.message === 'could not commit to the store'), (failed) => failed);
    heal();
    // Within the second before node b's drain: Alice's next copy, announced to b.
    expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'a1', onlineUserOnly: false })).type).toBe('ack');
    await until('a1 given', () => payloads(bob), (p) => p.includes('a1'), 5000);
    await b.clock.advance(1000); // node b's next try
    await movesDone(b);
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await until('his stream emptied', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect({ bob: payloads(bob), stream: await redis.xlen(`${t.prefix}:i:bob`), share: await redis.hget(`${t.prefix}:q:bob`, 's:mallory') }).toEqual({
      bob: ['a0', 'm1', 'a1'],
      stream: 0,
      share: null,
    });
  });
});
