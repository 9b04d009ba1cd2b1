/**
 * A cluster node looks a login up in Redis before it handles it (`server/cluster/gate.ts`). Until the last session's
 * leftovers were taken up (2026-12-07), the login deadline (10 s from the connection's opening) closed a connection
 * (4003, "no login in time") whose login had come in time but whose lookup Redis had not answered yet: the deadline
 * measured the server's lateness, not the client's. Now a login received in time holds its connection while it is
 * looked up, bounded on the server's clock (`LOGIN_LOOKUP_MS` plus the budget ask's `budgetAskMs` from its receipt),
 * past which the connection is closed 1013 (try again later): a Redis that never answers holds no connection for good.
 */
import { describe, expect, it } from 'vitest';
import { LOGIN_LOOKUP_MS } from '../../server/deadlines';
import { tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

const LOGIN_DEADLINE = 10_000;
const BUDGET_ASK = 250; // budgetAskMs's default

describe('a cluster login looked up in Redis across its login deadline', () => {
  const t = inProcessNodes();

  /** Node a behind a proxy to Redis; Dave's socket opened, his login sent at 9.999 s with Redis's answers held. */
  async function loginHeldAtTheDeadline() {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const dave = await t.open(a);
    await a.clock.advance(LOGIN_DEADLINE - 1);
    pa.hold();
    const answer = dave.request({ type: 'login', userID: 'dave', userSig: tencentUserSig('dave') }).catch((e: unknown) => String(e));
    await until('the lookup is out', () => pa.holding().includes(`${t.prefix}:d:dave`), Boolean);
    return { pa, a, dave, answer };
  }

  it('Dave sends his login at 9.999 s, Redis answers its lookup after the 10 s deadline -> logged in; no login timeout counted', async () => {
    const { pa, a, dave, answer } = await loginHeldAtTheDeadline();
    await a.clock.advance(1); // the deadline: the login came before it
    pa.release();
    expect(await answer).toMatchObject({ type: 'loggedIn' });
    expect(await dave.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(a.handle.metrics().limits).toEqual({});
  });

  it('Redis does not answer the lookup -> the connection is held only to its bound on the server\'s clock: open 1 ms before it, closed 1013 at it', async () => {
    const { pa, a, dave } = await loginHeldAtTheDeadline();
    const bound = LOGIN_LOOKUP_MS + BUDGET_ASK; // from the login's receipt, at 9.999 s
    await a.clock.advance(bound - 1);
    // Open: a closed connection would have its close frame on its way; one more turn of the node's clock shows none.
    expect(a.handle.metrics().limits).toEqual({});
    await a.clock.advance(1);
    expect(await dave.closed).toEqual({ code: 1013, reason: 'the cluster store did not answer the login' });
    expect(a.handle.metrics().limits).toEqual({ loginLookupTimeout: 1 });
    pa.release();
  });

  it('the lookup fails after the deadline (Redis cut) -> the login is refused (unavailable), then the connection, past its deadline, is closed 4003', async () => {
    const { pa, a, dave, answer } = await loginHeldAtTheDeadline();
    await a.clock.advance(1);
    pa.cut();
    expect(await answer).toMatchObject({ type: 'error', code: 'unavailable' });
    pa.restore();
    expect(await dave.closed).toEqual({ code: 4003, reason: 'no login in time' });
    expect(a.handle.metrics().limits).toEqual({ loginTimeout: 1 });
  });
});
