/**
 * A kicked tab is told of its kick only once Redis holds its revocation (its token and its userSig
 * refused on every node). Told before, as CI saw once under load, its login straight back through
 * another node could reach a Redis that had not yet run the revocation (both were waiting for it),
 * find nothing revoked, and kick the newer login back. Node a reaches Redis through a proxy that
 * holds what node a sends (a Redis that stalls): Redis's answers and notices still reach node a.
 * Since the takeover's own step revokes the session it overrides (`hcClaim`), the revocation is in
 * Redis before node a hears of the kick; node a's own (`hcSupersede`) is what tab 1 waits for.
 */
import { describe, expect, it } from 'vitest';
import type { TapEvent } from '../../server/options';
import { tencentUserSig } from '../server/support';
import { heardAll, inProcessNodes, until } from './support';

describe('cluster: a kicked tab is told once Redis holds its revocation', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;
  const oldSig = tencentUserSig('carol', 3600);
  const newSig = tencentUserSig('carol', 3599);

  it.each(['without its token', 'with its token'] as const)(
    "node a's writes to Redis stall as it kicks tab 1: tab 1 hears nothing until they land; then, coming back %s through node b, it is refused",
    async (how) => {
      const pa = await t.proxy();
      const closes: string[] = [];
      const a = await node('a', { redisUrl: pa.url, tap: (e: TapEvent) => void (e.type === 'close' && closes.push(`${e.conn} by ${e.by}`)) });
      // Node b does not wait long for node a's budgets (its answer is held too): the stall stays short.
      const b = await node('b', { budgetAskMs: 1 });
      const tab1 = await open(a);
      const first = await tab1.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
      expect(first.type).toBe('loggedIn');
      await until('carol claimed on a', () => redis.hget(`${t.prefix}:d:carol`, 'node'), (n) => n === 'a');

      pa.hold();
      const tab2 = await open(b);
      expect((await tab2.request({ type: 'login', userID: 'carol', userSig: newSig, protocol: 1 })).type).toBe('loggedIn');
      await until('node a let carol go', () => a.handle.metrics().cluster?.takeovers, (n) => n === 1);
      await heardAll(a); // a later turn of node a's: whatever the kick's turn sent has gone out
      // Node a's revocation waits in the proxy: tab 1 was told nothing, its socket not closed. The takeover revoked it already.
      expect(closes).toEqual([]);
      expect(tab1.open).toBe(true);
      expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(1);

      pa.release();
      expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
      expect(tab1.frames.map((f) => f.type)).toContain('kicked');
      expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(1);
      const comeback = await open(b);
      const login = { type: 'login', userID: 'carol', userSig: oldSig, protocol: 1, ...(how === 'with its token' ? { resume: first.session } : {}) };
      const answer = await comeback.request(login);
      expect(answer.type === 'error' ? answer.code : answer.type).toBe('sessionSuperseded');
      expect((await tab2.request({ type: 'ping' })).type).toBe('pong');
    },
  );
});
