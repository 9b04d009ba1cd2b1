/**
 * A node shutting down (`close()`, SIGTERM) while Redis blips (README, Running a cluster, Operations: it "moves
 * every copy not yet confirmed to Redis, releases its users and exits"). Before 2026-12-05 its hand-back was one
 * try around every step: the connection dying under the first write skipped the rest for good, and the node left
 * its users in the directory (a login of theirs on another node asked it for their budgets, unanswered, while its
 * heartbeat lived), online on it (the presence feed and `onlineUserOnly` messages took them for online there
 * until the others counted it dead), their spending unwritten, its heartbeat and its `P:said` mark behind.
 */
import { describe, expect, it } from 'vitest';
import type { RawClient } from '../server/support';
import { inProcessNodes, until } from './support';

async function pings(client: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await client.request({ type: 'ping' })).type).toBe('pong');
}

describe('cluster: a node shutting down while Redis blips', () => {
  const t = inProcessNodes();

  it('hands everything back once Redis is back: its user released, offline, her budgets written, its heartbeat gone', async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const alice = await t.login(a, 'alice'); // 1 frame of 200
    await pings(alice, 49); // 150 left: above half, written by nobody but the shutdown
    await until('alice online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'a');
    await until('alice held by a', () => t.redis.hget(`${t.prefix}:d:alice`, 'node'), (n) => n === 'a');
    pa.hold(); // node a's commands wait
    const closed = a.handle.close();
    await until("node a's first hand-back on its way", () => pa.holding().includes(`${t.prefix}:b:alice`), (ok) => ok);
    pa.cut(); // the connection dies under it
    pa.release();
    pa.restore();
    await closed;
    expect(await t.redis.hget(`${t.prefix}:on`, 'alice')).toBeNull();
    expect(await t.redis.hget(`${t.prefix}:d:alice`, 'node')).toBeNull();
    expect(Number((await t.redis.hget(`${t.prefix}:b:alice`, 'frames'))?.split(':')[0])).toBe(150);
    expect(await t.redis.exists(`${t.prefix}:alive:a`)).toBe(0);
    expect(await t.redis.sismember(`${t.prefix}:said`, 'a')).toBe(0);
  }, 30_000);
});
