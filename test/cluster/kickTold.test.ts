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
import { comeBack, heldKick } from './kicks';
import { heardAll, inProcessNodes } from './support';

describe('cluster: a kicked tab is told once Redis holds its revocation', () => {
  const t = inProcessNodes();
  const { redis } = t;

  it.each(['without its token', 'with its token'] as const)(
    "node a's writes to Redis stall as it kicks tab 1: tab 1 hears nothing until they land; then, coming back %s through node b, it is refused",
    async (how) => {
      const closes: string[] = [];
      const { pa, a, b, tab1, first, tab2 } = await heldKick(t, { tap: (e: TapEvent) => void (e.type === 'close' && closes.push(`${e.conn} by ${e.by}`)) });
      await heardAll(a); // a later turn of node a's: whatever the kick's turn sent has gone out
      // Node a's revocation waits in the proxy: tab 1 was told nothing, its socket not closed. The takeover revoked it already.
      expect(closes).toEqual([]);
      expect(tab1.open).toBe(true);
      expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(1);

      pa.release();
      expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
      expect(tab1.frames.map((f) => f.type)).toContain('kicked');
      expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(1);
      expect(await comeBack(t, b, first, tab2, how)).toEqual({ comeback: 'sessionSuperseded', newer: 'pong' });
    },
  );
});
