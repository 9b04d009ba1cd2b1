/**
 * A kick whose revocation Redis never got from node a (Redis went down with it on the way): once Redis is
 * back, the kicked tab's token and userSig are still refused on every node, as one node refuses them while
 * the newer session lives. Before, node a told the tab on the failure and nothing sent the revocation
 * again; ioredis may send a command it had written again once it reconnects (the token's revocation landed
 * that way here), but node a's catch-up then freed what the kicked session's end "freed" (`P:k` deleted):
 * the tab, coming back through node b without its token, logged in and kicked the newer login. Node a
 * reaches Redis through a proxy: held, then cut (what it held is lost with the connections), then restored.
 */
import { describe, expect, it } from 'vitest';
import { comeBack, heldKick } from './kicks';
import { caughtUp, heardAll, inProcessNodes, until } from './support';

describe('cluster: a kick whose revocation was lost with Redis', () => {
  const t = inProcessNodes();

  it.each(['without its token', 'with its token'] as const)(
    'Redis goes down as node a kicks tab 1; once it is back, tab 1 coming back %s through node b is refused, the newer login stays',
    async (how) => {
      const { pa, a, b, tab1, first, tab2 } = await heldKick(t);
      await heardAll(a); // a later turn of node a's: its revocation went out (into the proxy)
      pa.cut();
      pa.release(); // to the connections just cut: lost, as what a Redis that went down had not read
      await until('node a saw its revocation fail', () => a.logs.some((l) => l.fields?.what === 'superseded'), (ok) => ok);
      pa.restore();
      await caughtUp(a);

      expect(await comeBack(t, b, first, tab2, how)).toEqual({ comeback: 'sessionSuperseded', newer: 'pong' });
      expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
      expect(tab1.frames.map((f) => f.type)).toContain('kicked');
    },
    30_000,
  );
});
