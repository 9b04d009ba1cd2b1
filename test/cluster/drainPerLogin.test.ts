/**
 * What a login costs Redis when the user's stream keeps copies his node refuses. Every login handled on a node
 * (a new connection, or a login again on the same one, which only renews the session) takes in what waits in
 * the user's stream (`ClusterNode.loggedIn` -> `StreamMailbox.drain`), and a take-in reads the stream from its
 * start, every entry and its payload, whatever was read before (`drainNow`): copies the node refused stay there
 * (his backlog on the node is full: he confirms nothing), and each login reads them all again. So a user whose
 * stream holds his cap (1,000 copies, 16 MiB) plus parked copies, filled once by an accomplice, makes his node
 * read it all from Redis for each login frame he sends on his one connection (two of his 50 frames a second):
 * megabytes of Redis traffic and JSON parsing for a frame of a few hundred bytes, at will. One node pages a
 * login's backlog from SQLite into his window (16 at a time), however often he logs in. Fixed since: a login again
 * on the same connection takes nothing in, and no login does while the take-in's back-off is due (`StreamMailbox.loggedIn`).
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { countingProxies, confirmGiven, heardAll, inProcessNodes, movesDone, payloads, sendC2C, settleMoves, until } from './support';

const CAPS = { maxBacklog: 4, maxBacklogPerSender: 4 };
const PAYLOAD = 'x'.repeat(60_000);

describe("a user's logins and his stream", () => {
  const proxy = countingProxies(); // before the nodes: closed after them
  const t = inProcessNodes();

  it('Mallory (node a, confirming nothing) has 4 copies of 60 KB waiting in her stream, then logs in again 10 times -> node a does not read them 10 times', async () => {
    const counted = await proxy();
    const a = await t.node('a', { redisUrl: counted.url, limits: CAPS });
    const b = await t.node('b', { limits: CAPS });
    const mallory = await t.login(a, 'mallory');
    const sam = await t.login(b, 'sam'); // her accomplice
    for (let i = 0; i < 8; i++) {
      expect(await sendC2C(sam, 'mallory', `${i}${PAYLOAD}`)).toMatchObject({ type: 'ack' });
      await heardAll(a); // its notice, published before the ack, has reached node a ...
      await movesDone(a); // ... and been taken in (or refused)
    }
    // Her backlog on node a is full (4, unconfirmed); the other 4 wait in her stream, refused there.
    await until('4 given, 4 in her stream', async () => [payloads(mallory).length, await t.redis.xlen(`${t.prefix}:i:mallory`)], ([given, waiting]) => given === 4 && waiting === 4);
    for (const n of [a, b]) await settleMoves(n);
    const before = counted.fromRedis();
    for (let i = 0; i < 10; i++) {
      expect((await mallory.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory'), protocol: 1 })).type).toBe('loggedIn');
    }
    await movesDone(a);
    const read = counted.fromRedis() - before;
    // Her 4 copies are 240 KB: read once at most (the next try of the refused copies is the back-off's, not hers).
    expect({ readKB: Math.round(read / 1000), waiting: await t.redis.xlen(`${t.prefix}:i:mallory`) }).toEqual({ readKB: expect.toSatisfy((kb: number) => kb < 240), waiting: 4 });
  });

  it('the same, Mallory reconnects 10 times, resuming her session on a new connection each time -> node a does not read them 10 times; once she confirms, the back-off brings them, in order', async () => {
    const counted = await proxy();
    const a = await t.node('a', { redisUrl: counted.url, limits: CAPS });
    const b = await t.node('b', { limits: CAPS });
    let mallory = await t.login(a, 'mallory');
    const token = String(mallory.frames.find((f) => f.type === 'loggedIn')?.session);
    const sam = await t.login(b, 'sam');
    for (let i = 0; i < 8; i++) {
      expect(await sendC2C(sam, 'mallory', `${i}${PAYLOAD}`)).toMatchObject({ type: 'ack' });
      await heardAll(a);
      await movesDone(a);
    }
    await until('4 given, 4 in her stream', async () => [payloads(mallory).length, await t.redis.xlen(`${t.prefix}:i:mallory`)], ([given, waiting]) => given === 4 && waiting === 4);
    for (const n of [a, b]) await settleMoves(n);
    const before = counted.fromRedis();
    for (let i = 0; i < 10; i++) {
      const next = await t.open(a);
      expect(await next.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory'), resume: token, protocol: 1 })).toMatchObject({ type: 'loggedIn', resumed: true });
      await mallory.closed; // replaced by the resume
      mallory = next;
    }
    await movesDone(a);
    const read = counted.fromRedis() - before;
    expect({ readKB: Math.round(read / 1000), waiting: await t.redis.xlen(`${t.prefix}:i:mallory`) }).toEqual({ readKB: expect.toSatisfy((kb: number) => kb < 240), waiting: 4 });
    // She confirms what she holds: the back-off's take-in (not a login) brings the other 4, after them.
    const last = mallory;
    await until(
      'all 8 given',
      async () => {
        confirmGiven(last);
        await a.clock.advance(1000);
        await settleMoves(a);
        return payloads(last).map((p) => p[0]);
      },
      (got) => got.length >= 8,
    );
    expect(payloads(last).map((p) => p[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });
});
