/**
 * The kicked-userSig rule across nodes, with a `resume` token: a kicked tab's userSig is refused on every
 * node while the newer session lives (README, Running a cluster / Security model), whatever token its
 * login names. Only a resume of the user's session itself (the directory's token: the same client moving
 * nodes) passes with a userSig the cluster revoked (PREPARE, `server/cluster/scripts.ts`); a stale or
 * made-up token does not, on the newer session's node nor on a third node that never saw the kick.
 * (Found by the review of 2026-12-04: the gate checked the revocation only for a login naming no token.)
 */
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

describe('a kicked userSig with a made-up resume token', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;
  const oldSig = tencentUserSig('carol', 3600);
  const newSig = tencentUserSig('carol', 3599);

  it.each(['b', 'c'] as const)('comes back through node %s -> refused, the newer login stays', async (where) => {
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const tab1 = await open(a);
    expect((await tab1.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 })).type).toBe('loggedIn');
    await until('carol claimed on a', () => redis.hget(`${t.prefix}:d:carol`, 'node'), (n) => n === 'a');
    const tab2 = await open(b);
    expect((await tab2.request({ type: 'login', userID: 'carol', userSig: newSig, protocol: 1 })).type).toBe('loggedIn');
    expect(await tab1.closed).toEqual({ code: 4001, reason: 'logged in elsewhere' });
    await until('the revocation in Redis', () => redis.exists(`${t.prefix}:k:carol`), (n) => n === 1);

    // The holder of the old userSig: the same login as "without its token", plus a resume naming nothing.
    const comeback = await open(where === 'b' ? b : c);
    const answer = await comeback.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1, resume: 'AAAAAAAAAAAAAAAA.not-a-session' });
    // Had it logged in, the newer login would be kicked back (4001), which the rule exists to prevent.
    const newer = answer.type === 'loggedIn' ? await tab2.closed : (await tab2.request({ type: 'ping' })).type;
    expect({ comeback: answer.type === 'error' ? answer.code : answer.type, newer }).toEqual({ comeback: 'sessionSuperseded', newer: 'pong' });
  });
});
