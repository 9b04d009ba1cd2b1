/**
 * A kick whose revocation outlives the command timeout (Redis stalls past 2 s): ioredis rejects the
 * command, but it was written, and Redis may run it later. The kicked tab is told only once Redis answered
 * a revocation of node a's (bab3624), sent again until one is, not on that failure. Before, told then, it
 * came back through node b before the revocation landed, logged in, and kicked the newer login, which one
 * node never allows. The takeover's own step refuses that comeback now (hcClaim), but node a cannot know
 * it did: a kick on node a for a login on node a, whose claim stalls with it, or of a session the directory
 * did not name yet, has only node a's revocation. A tab not told comes back by itself once its pings go
 * unanswered (30 s at most): refused too. Node a reaches Redis through a proxy that holds what node a sends
 * (Redis's answers and notices still reach node a).
 */
import { describe, expect, it } from 'vitest';
import { comeBack, heldKick } from './kicks';
import { heardAll, inProcessNodes, until } from './support';

describe('cluster: a kick whose revocation timed out', () => {
  const t = inProcessNodes();

  it.each(['without its token', 'with its token'] as const)(
    "node a's writes stall past the command timeout as it kicks tab 1: tab 1 hears nothing; coming back %s through node b, it is refused; told once they land",
    async (how) => {
      const { pa, a, b, tab1, first, tab2 } = await heldKick(t);
      await until('node a gave up waiting for its revocation', () => a.logs.some((l) => l.fields?.what === 'superseded'), (ok) => ok, 10_000);
      await heardAll(a); // a later turn of node a's: had the failure told tab 1, its frames went out

      // A client told of its kick stops; one whose connection stays silent comes back by itself later. Either way:
      const told = tab1.frames.some((f) => f.type === 'kicked');
      expect({ told, ...(await comeBack(t, b, first, tab2, how)) }).toEqual({ told: false, comeback: 'sessionSuperseded', newer: 'pong' });

      pa.release();
      expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
      expect(tab1.frames.map((f) => f.type)).toContain('kicked');
      expect((await tab2.request({ type: 'ping' })).type).toBe('pong');
    },
    30_000,
  );
});
