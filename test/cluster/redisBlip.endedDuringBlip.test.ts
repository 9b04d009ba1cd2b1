/**
 * (Fixed since.) Review of 29aa8b0 ("says again what it could not"): a session that ends while its node is cut from
 * Redis frees the userSigs it superseded (`ended`: DEL `P:k:<user>`), a write Redis did not take. The
 * catch-up does not say it again: the kicked tab's userSig stays refused on every node for the key's
 * 7 days, though the session that kicked it is over (README: the rule ends with that session).
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, inProcessNodes, until } from './support';

describe('review: a session ended while its node was away', () => {
  const t = inProcessNodes();

  it('tab 2 kicked tab 1 on node a; tab 2 logs out while node a is cut -> back on Redis, tab 1 logs in again with its userSig', async () => {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const b = await t.node('b');
    const { oldSig, tab2 } = await t.kickedTab(a, 'carol');
    if (!process.env.CONTROL) proxy.cut(); // CONTROL=1: the same without the blip passes
    await until('a lost Redis', () => a.handle.metrics().cluster?.redisUp, (up) => up === (process.env.CONTROL ? 1 : 0));
    await tab2.request({ type: 'logout' });
    await until('node a holds nobody', () => a.handle.metrics().loggedInUsers, (n) => n === 0);
    proxy.restore();
    await until('a back', () => a.handle.metrics().cluster?.redisUp, (up) => up === 1, 20_000);
    if (!process.env.CONTROL) await caughtUp(a); // what it could not write, said again
    const again = await t.open(b);
    const answer = await again.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('loggedIn');
  }, 60_000);
});
