/**
 * Per-user budgets follow the user across nodes (README, Running a cluster, Limits per user: "a client
 * cannot reset its limits by reconnecting elsewhere"; frames per user 50/s, burst 200). A node writes a
 * user's buckets to Redis once one is below half its burst, when the user's session there ends or moves
 * (taken over, handed over) and when it shuts down; and the node a login moves to asks the node holding
 * the user for its buckets as they are now (`server/cluster/budgetAsks.ts`) before the login is handled.
 * Here the clocks never move (no refill at all): 200 frames in all, however the user moves. (Found by the
 * review of 2026-12-04: a user who kept each node's bucket at half or above got a fresh half on each.)
 */
import { describe, expect, it } from 'vitest';
import { type RawClient, tencentUserSig } from '../server/support';
import { inProcessNodes, until } from './support';

/** Sends `n` pings one at a time; how many were answered (`pong`) before the first refusal. */
async function pings(client: RawClient, n: number): Promise<number> {
  for (let i = 0; i < n; i++) {
    const answer = await client.request({ type: 'ping' });
    if (answer.type !== 'pong') return i;
  }
  return n;
}

describe('the per-user frame budget across two nodes', () => {
  const t = inProcessNodes();
  const { login } = t;
  // The holder's answer is waited for 250 ms of real time by default: a test worker stalled that long
  // on a loaded machine would miss it, and the login would go on with a fresh burst.
  const node = (nodeId: string) => t.node(nodeId, { budgetAskMs: 10_000 });

  it('one node: a user that spent half its burst and reconnects has the other half, no more', async () => {
    const a = await node('a');
    const first = await login(a, 'mallory'); // 1 frame
    expect(await pings(first, 99)).toBe(99); // 100 spent, 100 left
    first.close();
    const second = await login(a, 'mallory'); // 99 left
    expect(await pings(second, 250)).toBe(99);
  });

  it('two nodes: the same, moving to the other node -> the other half, no more', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const first = await login(a, 'mallory'); // 1 frame
    expect(await pings(first, 99)).toBe(99); // 100 spent: at half, nothing written to Redis yet
    const second = await login(b, 'mallory'); // node a asked; kicks the first; 99 left
    expect(await pings(second, 250)).toBe(99);
  });

  it('two nodes: the client moves its session (a handover) -> the other half, no more', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const first = await t.open(a);
    const reply = await first.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory') }); // 1 frame
    expect(await pings(first, 99)).toBe(99);
    first.close();
    await until('detached on a', () => a.handle.metrics().detachedSessions, (n) => n === 1);
    const moved = await t.open(b);
    expect(await moved.request({ type: 'login', userID: 'mallory', userSig: tencentUserSig('mallory'), resume: reply.session })).toMatchObject({ type: 'loggedIn' });
    expect(await pings(moved, 250)).toBe(99);
  });

  it('the session ends (logout): its buckets are written to Redis at once', async () => {
    const a = await node('a');
    const first = await login(a, 'mallory'); // 1 frame
    expect(await pings(first, 98)).toBe(98);
    expect((await first.request({ type: 'logout' })).type).toBe('ack'); // 100 spent
    await until('written', () => t.redis.hget(`${t.prefix}:b:mallory`, 'frames'), (v) => v?.split(':')[0] === '100');
  });

  it('node a shuts down (its users released: nobody to ask) -> node b reads what it wrote: the other half, no more', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const first = await login(a, 'mallory');
    expect(await pings(first, 99)).toBe(99);
    await a.handle.close();
    const second = await login(b, 'mallory');
    expect(await pings(second, 250)).toBe(99);
  });
});
