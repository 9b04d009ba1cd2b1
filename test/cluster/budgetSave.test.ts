/**
 * A user's buckets written to Redis (README, Running a cluster, Limits per user: "the emptier bucket winning")
 * when the write goes wrong. Before 2026-12-05 a node took a user off its dirty list as it sent the write, so a
 * write that failed (the connection died under it, a timeout) was never sent again; and a write was an HSET, so
 * one that reached Redis late (held on a stalled socket, or run after its timeout) put back the tokens that the
 * node the user had moved to had spent since. The clocks never move here: no refill, every token counts.
 */
import { describe, expect, it } from 'vitest';
import type { RawClient } from '../server/support';
import { caughtUp, inProcessNodes, until } from './support';

/** Sends `n` pings one at a time; all must be answered. */
async function pings(client: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await client.request({ type: 'ping' })).type).toBe('pong');
}

describe("cluster: a user's buckets written to Redis", () => {
  const t = inProcessNodes();
  const frames = () => t.redis.hget(`${t.prefix}:b:mallory`, 'frames');
  const tokens = (stored: string | null) => (stored === null ? null : Number(stored.split(':')[0]));

  it('a write lost with its connection is written again once Redis is back', async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const mallory = await t.login(a, 'mallory'); // 1 frame of 200
    pa.hold(); // node a's commands wait
    await pings(mallory, 110); // 89 left: under half, written behind
    await until("node a's write on its way", () => pa.holding().includes(`${t.prefix}:b:mallory`), (ok) => ok);
    const catchUps = a.handle.metrics().cluster?.catchUps ?? 0;
    pa.cut(); // the connection dies: Redis never read the write
    pa.release();
    pa.restore();
    await caughtUp(a, catchUps + 1);
    expect(tokens(await until('written again', frames, (v) => v !== null))).toBe(89);
  }, 30_000);

  it('a write of node a that lands after node b (where Mallory went) wrote hers keeps the emptier: b`s', async () => {
    const pa = await t.proxy();
    // Node a's answer to b's ask is held with the rest of its commands: b goes on with what Redis holds.
    const a = await t.node('a', { redisUrl: pa.url, budgetAskMs: 50 });
    const b = await t.node('b', { budgetAskMs: 50 });
    const onA = await t.login(a, 'mallory'); // 1 frame of 200
    await pings(onA, 109); // 90 left: written
    expect(tokens(await until('node a wrote 90', frames, (v) => tokens(v) === 90))).toBe(90);
    pa.hold(); // node a's socket stalls
    await pings(onA, 10); // 80 left: written behind, held
    await until("node a's write of 80 on its way", () => pa.holding().includes(`${t.prefix}:b:mallory`), (ok) => ok);
    const onB = await t.login(b, 'mallory'); // seeded with Redis's 90, its login 1 frame: 89
    await pings(onB, 50); // 39 left
    // Node b's last write (it may write an earlier state first, 72 say, and 39 after it: wait for the last one).
    const written = tokens(await until('node b wrote hers', frames, (v) => tokens(v) === 39));
    pa.release(); // Redis runs node a's write now, then what node a sends after it
    a.handle.grantRoom(555, ['carol']);
    await until("node a's later command ran", () => t.redis.exists(`${t.prefix}:h:r:555`), (n) => n === 1);
    expect(tokens(await frames())).toBe(written);
  }, 30_000);
});
