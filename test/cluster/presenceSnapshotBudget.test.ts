/**
 * The presence snapshots a user may ask for (`presenceSnapshots`, 1 a second, burst 5 per user) in a cluster.
 * On one node the budget is the user's and outlives her connection (reconnecting resets nothing); in a cluster it
 * follows her to the next node as her frames, bytes and fan-out do (`ClusterBudgets`). Each node kept its own
 * before (`Presence.snapshots`): a snapshot lists up to 1,000 users of the whole cluster, and a user moving between
 * two nodes got five of them per login (a login costs one frame of her 50 a second) instead of one a second.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes } from './support';

describe('presence snapshots per user across nodes', () => {
  const t = inProcessNodes();

  it('Mallory spends her 5 snapshots on node a, then logs in on node b -> the 6th is refused there too', async () => {
    const a = await t.node('a', { presence: true });
    const b = await t.node('b', { presence: true });
    const codes: string[] = [];
    const ask = async (client: Awaited<ReturnType<typeof t.login>>) => {
      const answer = await client.request({ type: 'presenceSubscribe' });
      codes.push(answer.type === 'error' ? String(answer.code) : answer.type);
    };
    const onA = await t.login(a, 'mallory');
    for (let i = 0; i < 6; i++) await ask(onA);
    const onB = await t.login(b, 'mallory'); // takes her over from node a (its budgets asked)
    await ask(onB);
    expect(codes).toEqual(['ack', 'ack', 'ack', 'ack', 'ack', 'rateLimited', 'rateLimited']);
  });
});
