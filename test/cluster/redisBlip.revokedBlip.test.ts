/**
 * (Fixed since.) Review of 29aa8b0: RELEASE now deletes `P:k:<user>` for a user released as a dead node's. But a node
 * counted dead may be only cut from Redis (README: "a node the others counted dead while its clients
 * stayed connected to it"): its session lives on, claimed again at the catch-up, yet the userSig it
 * kicked logs in again on another node (and kicks it), against the kicked-userSig rule.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';

describe('review: the kicked-userSig rule across a node counted dead', () => {
  const t = inProcessNodes();
  const nodeOf = (user: string) => t.redis.hget(`${t.prefix}:d:${user}`, 'node');

  it("tab 2 kicked tab 1 on node a; node a is cut until node b counts it dead, then comes back with tab 2 -> tab 1's userSig is still refused on node b", async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const { oldSig, tab2 } = await t.kickedTab(a, 'carol');
    const dave = await t.login(b, 'dave');
    await until('b sees carol online (on a)', () => t.redis.hget(`${t.prefix}:on`, 'carol'), (n) => n === 'a');
    proxy.cut();
    await until("a's heartbeat gone", () => t.redis.exists(`${t.prefix}:alive:a`), (n) => n === 0, 10_000);
    await until(
      'b released carol',
      async () => {
        await dave.request({ type: 'ping' });
        await b.clock.advance(5_000);
        return nodeOf('carol');
      },
      (n) => n === null,
      20_000,
    );
    proxy.restore();
    await until('carol claimed on a again', () => nodeOf('carol'), (n) => n === 'a', 20_000);
    expect(await tab2.request({ type: 'ping' })).toMatchObject({ type: 'pong' }); // the newer session lives
    const again = await t.open(b);
    const answer = await again.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('sessionSuperseded');
  }, 60_000);
});
