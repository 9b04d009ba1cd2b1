/**
 * Groups a user may create an hour (`--group-creates-per-hour`, 60 by default, as many at once). In a cluster each
 * group made and deleted leaves its history in Redis a week (`P:h:g:<groupID>`, cut to its deletion, for nodes away
 * meanwhile): a user creating and deleting groups in a loop, within her frames (50 a second), left up to 25 keys a
 * second for a week, about 400 bytes each (a cluster adversary's finding of 2026-12-05). Now she creates at most 60 an
 * hour, on one node or many: the budget follows her to the next node as her frames do (`ClusterBudgets`).
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes } from './support';

describe('group creations per user and hour', () => {
  const t = inProcessNodes();

  it('Mallory creates and deletes 70 groups on node a, then logs in on node b -> 60 made, the rest and the next on b refused; Redis holds 60 histories; an hour later she creates again', async () => {
    const a = await t.node('a');
    const b = await t.node('b');
    const codes: string[] = [];
    const onA = await t.login(a, 'mallory');
    for (let i = 0; i < 70; i++) {
      const made = await onA.request({ type: 'groupCreate', groupID: `g${i}`, members: [] });
      codes.push(made.type === 'error' ? String(made.code) : made.type);
      if (made.type !== 'error') expect((await onA.request({ type: 'groupDelete', groupID: `g${i}` })).type).toBe('ack');
    }
    expect(codes).toEqual([...Array<string>(60).fill('groupInfo'), ...Array<string>(10).fill('quotaExceeded')]);
    const onB = await t.login(b, 'mallory'); // takes her over from node a (its budgets asked)
    expect(await onB.request({ type: 'groupCreate', groupID: 'on-b', members: [] })).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    expect((await t.redis.keys(`${t.prefix}:h:g:*`)).length).toBe(60);
    await b.clock.advance(3_600_000); // her connection idles out meanwhile
    const later = await t.login(b, 'mallory');
    expect(await later.request({ type: 'groupCreate', groupID: 'an-hour-later', members: [] })).toMatchObject({ type: 'groupInfo' });
  });
});
