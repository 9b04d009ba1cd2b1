/**
 * What a notice costs Redis when the user's stream keeps copies his node refused. A node takes in what another
 * node announces for a user it holds (`ClusterNode` 'mail' -> `StreamMailbox.takeIn`), but with no position in
 * his stream (copies stayed there, refused: a position past them would skip them) it read the whole stream
 * instead, every entry and its payload. Copies refused for their sender's sake stay there parked (the sender's
 * share of him on that node is full: he confirms nothing of it), so one sender's few large copies, parked once,
 * were read again by every message anyone sent him, a ping of a few bytes too: megabytes of Redis traffic for a
 * few bytes, at will (the README's known limit until 2026-12-05). Now, while the take-in's back-off is due, a
 * notice takes in what it announces and nothing else, the senders refused at the last read still refused.
 */
import { describe, expect, it } from 'vitest';
import { confirmGiven, countingProxies, heardAll, inProcessNodes, movesDone, payloads, sendC2C, settleMoves, until } from './support';

const CAPS = { maxBacklog: 32, maxBacklogPerSender: 4 };
const PAYLOAD = 'x'.repeat(60_000);

describe("a user's stream and the notices of his messages", () => {
  const proxy = countingProxies(); // before the nodes: closed after them
  const t = inProcessNodes();

  it("Sam's 4 copies of 60 KB wait parked in Mallory's stream (node a); 10 others send a ping each -> node a takes them in without reading Sam's again, in order; once Mallory confirms, the back-off brings Sam's, in order", async () => {
    const counted = await proxy();
    const a = await t.node('a', { redisUrl: counted.url, limits: CAPS });
    const b = await t.node('b', { limits: CAPS });
    const mallory = await t.login(a, 'mallory');
    const sam = await t.login(b, 'sam');
    const pingers = await Promise.all(Array.from({ length: 10 }, (_, i) => t.login(b, `p${i}`)));
    for (let i = 0; i < 8; i++) {
      expect(await sendC2C(sam, 'mallory', `s${i}${PAYLOAD}`)).toMatchObject({ type: 'ack' });
      await heardAll(a); // its notice, published before the ack, has reached node a ...
      await movesDone(a); // ... and been taken in (or refused)
    }
    // Sam's share of her on node a is full (4 given, unconfirmed); his other 4 wait in her stream, parked.
    await until('4 given, 4 in her stream', async () => [payloads(mallory).length, await t.redis.xlen(`${t.prefix}:i:mallory`)], ([given, waiting]) => given === 4 && waiting === 4);
    for (const n of [a, b]) await settleMoves(n);
    const before = counted.fromRedis();
    for (const [i, pinger] of pingers.entries()) {
      expect(await sendC2C(pinger, 'mallory', `t${i}`)).toMatchObject({ type: 'ack' });
      await heardAll(a);
      await movesDone(a);
    }
    await until('the 10 pings given', () => payloads(mallory).filter((p) => p.startsWith('t')).length, (n) => n === 10);
    const read = counted.fromRedis() - before;
    // Sam's 4 copies are 240 KB: read not once by the pings (each notice brings its own few bytes).
    expect({ readKB: Math.round(read / 1000), waiting: await t.redis.xlen(`${t.prefix}:i:mallory`) }).toEqual({ readKB: expect.toSatisfy((kb: number) => kb < 60), waiting: 4 });
    expect(payloads(mallory).map((p) => p.slice(0, 2))).toEqual(['s0', 's1', 's2', 's3', ...Array.from({ length: 10 }, (_, i) => `t${i}`)]);
    // She confirms what she holds: the back-off's take-in brings Sam's other 4, in his order.
    await until(
      "Sam's 8 given",
      async () => {
        confirmGiven(mallory);
        await a.clock.advance(1000);
        await settleMoves(a);
        return payloads(mallory).filter((p) => p.startsWith('s')).length;
      },
      (n) => n >= 8,
    );
    expect(payloads(mallory).filter((p) => p.startsWith('s')).map((p) => p.slice(0, 2))).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
    expect(await t.redis.xlen(`${t.prefix}:i:mallory`)).toBe(0);
  });
});
