/**
 * A logout is acknowledged only once Redis has freed the userSigs its session superseded (`ended`:
 * DEL `P:k:<user>`, and the session's budgets written before it). Acked before, the kicked tab's login
 * straight after through another node could reach a Redis that had not yet run the DEL (a Redis that
 * stalls runs what two connections sent in either order), find its userSig still revoked, and be
 * refused (`sessionSuperseded`: "log in with a fresh userSig") though the user has no session left,
 * which one node never does. Node a reaches Redis through a proxy that holds what node a sends.
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';

describe('cluster: a logout is acked once Redis has freed what its session revoked', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  it("node a's writes to Redis stall as tab 2 logs out: no ack until they land; then tab 1's userSig logs in through node b", async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url });
    const b = await node('b', { budgetAskMs: 1 });
    const { oldSig, tab2 } = await t.kickedTab(a, 'carol');

    pa.hold();
    const ack = tab2.request({ type: 'logout' });
    await until('node a ended carol', () => a.handle.metrics().loggedInUsers, (n) => n === 0);
    await heardAll(a); // a later turn of node a's: whatever the logout's turn sent has gone out
    // The DEL waits in the proxy: tab 2 was told nothing yet.
    expect(tab2.frames.map((f) => f.type)).not.toContain('ack');
    expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(1);

    pa.release();
    expect((await ack).type).toBe('ack');
    expect(await redis.exists(`${t.prefix}:k:carol`)).toBe(0);
    const again = await open(b);
    const answer = await again.request({ type: 'login', userID: 'carol', userSig: oldSig, protocol: 1 });
    expect(answer.type === 'error' ? answer.code : answer.type).toBe('loggedIn');
  });
});
