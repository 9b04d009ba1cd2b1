/**
 * A replicated change whose SHARE timed out while node a's connection to Redis lived on (Redis stalled past the
 * 2 s command timeout, then ran it): node a kept it unsent, and sent unsent changes only once back from losing
 * Redis, which never came. Every later SHARE then named that change as the oldest node a may still send (the
 * floor of P:ran:<node>:<start>), so Redis trimmed nothing and kept one number per change node a made, for good.
 * Sent again once the timeout passed (Redis runs it after the first try: answered {0, 0}), it is answered, and
 * the set holds what is still open.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';

describe('cluster: a SHARE past the command timeout, the connection alive', () => {
  const t = inProcessNodes();

  it('is answered without a reconnect: P:ran keeps no number per later change', async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    pa.hold();
    a.handle.grantRoom(100, ['carol']);
    await until('node a took its share as failed', () => a.logs.some((l) => l.fields?.what === 'share'), (ok) => ok, 10_000);
    pa.release(); // Redis runs it now; the connection never died
    const ran = async () => {
      const [key] = await t.redis.keys(`${t.prefix}:ran:a:*`);
      return key === undefined ? -1 : t.redis.zcard(key);
    };
    let n = 0;
    const made = await until(
      'the later changes trim P:ran',
      async () => {
        a.handle.grantRoom(100 + ++n, ['carol']);
        return ran();
      },
      (size) => size === 1,
      8_000,
    );
    expect(made).toBe(1);
    // Node a made its first change once: every node, and the history, have it with one version.
    expect((await t.redis.lrange(`${t.prefix}:h:r:100`, 0, -1)).length).toBe(1);
    expect(a.handle.metrics().cluster?.catchUps ?? 0).toBe(0);
  }, 30_000);
});
