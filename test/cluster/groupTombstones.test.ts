/**
 * (Fixed since: a deleted group keeps no history, and a node reading the histories drops what Redis holds none
 * of; groupsAway.test.ts.)
 *
 * What one user's group changes leave in Redis: a deleted group's history is cut to its deletion and kept
 * a week (`TOMBSTONE_MS`, replica.ts), whoever deleted it and however often. One node keeps nothing of a
 * deleted group (`SqliteGroupStore.delete` drops its rows), and a user owns at most `maxGroupsPerUser` (20)
 * groups at once; but creating and deleting a group frees that place at once, and the tombstone stays. So a
 * logged-in user cycling groupCreate / groupDelete under fresh IDs, at her 50 frames a second, leaves 25 keys
 * a second in the shared Redis for a week (about 2 million a day, each read again by every node that starts
 * or catches up), as rooms did before 2026-12-04 (one key per room cycled, kept two days).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/limits';
import { inProcessNodes, until } from './support';

describe("a user's deleted groups in Redis", () => {
  const t = inProcessNodes();

  it('Mallory creates and deletes 60 groups on node a -> Redis keeps no more group histories than the 20 groups she may own', async () => {
    const a = await t.node('a');
    const mallory = await t.login(a, 'mallory');
    let changes = 0;
    for (let i = 0; i < 60; i++) {
      const groupID = `junk-${i}-${'x'.repeat(48)}`;
      const made = await mallory.request({ type: 'groupCreate', groupID, members: [] });
      expect(made.type).toBe('groupInfo');
      expect((await mallory.request({ type: 'groupDelete', groupID })).type).toBe('ack');
      changes += 2;
    }
    // Every change she made has reached Redis (its version taken in the step that wrote its history).
    await until('her changes in Redis', async () => Number(await t.redis.get(`${t.prefix}:ver`)), (v) => v >= changes);
    const histories = await t.redis.keys(`${t.prefix}:h:g:*`);
    const ttl = histories[0] === undefined ? -2 : await t.redis.pttl(histories[0]);
    // None of them is a group anyone holds: 60 tombstones, each kept a week (`ttl` shows it).
    expect({ histories: histories.length, ttlDays: Math.round(ttl / 86_400_000) }).toEqual({
      histories: expect.toSatisfy((n: number) => n <= DEFAULT_LIMITS.maxGroupsPerUser),
      ttlDays: expect.anything(),
    });
  });
});
