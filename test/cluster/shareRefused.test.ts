/**
 * A replicated change that Redis answers with a script error (here its room's history key holds a string, so the
 * SHARE's RPUSH fails with WRONGTYPE): sent again, it cannot be taken. Before 2026-12-05 it was sent again a second
 * later and answered "ran already" (the script had recorded its number before it failed), so it went silently: no
 * error, nothing counted, the other nodes never had it. (A SHARE failing before that step, memory full say, was
 * sent again every second, a warning each time.) Now it is not sent again: logged as an error once, counted in
 * `hc_cluster_shares_dropped_total`, and its number leaves `P:ran`'s floor (the later changes trim it).
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';

describe('cluster: a SHARE Redis refuses with a script error', () => {
  const t = inProcessNodes();

  it('is dropped once, told: an error logged, counted, not sent again, and the later changes go on', async () => {
    const a = await t.node('a');
    const b = await t.node('b');
    await t.redis.set(`${t.prefix}:h:r:100`, 'not a list');
    a.handle.grantRoom(100, ['carol']);
    await until('counted', () => a.handle.metrics().cluster?.sharesDropped, (n) => n === 1);
    a.handle.grantRoom(101, ['carol']); // a later change of node a reaches node b
    await until('room 101 on node b', () => t.redis.exists(`${t.prefix}:h:r:101`), (n) => n === 1);
    const ran = async () => t.redis.zrange((await t.redis.keys(`${t.prefix}:ran:a:*`))[0] as string, 0, -1);
    expect(await ran()).toEqual(['2']); // the refused change's number holds no floor
    const logged = a.logs.filter((l) => l.level === 'error' || l.fields?.what === 'share');
    expect(logged.map((l) => [l.level, l.message, l.fields?.op])).toEqual([['error', 'cluster: Redis refused a replicated change for good: the other nodes will not have it', 'admit']]);
    expect(b.handle.metrics().cluster?.sharesDropped).toBe(0);
  }, 30_000);

  it('takes no version: P:ver stays at the last change published, so no recheck waits for one that never comes', async () => {
    const a = await t.node('a');
    a.handle.grantRoom(99, ['carol']);
    await until('room 99 shared', () => t.redis.exists(`${t.prefix}:h:r:99`), (n) => n === 1);
    const made = await t.redis.get(`${t.prefix}:ver`);
    await t.redis.set(`${t.prefix}:h:r:100`, 'not a list');
    a.handle.grantRoom(100, ['carol']);
    await until('counted', () => a.handle.metrics().cluster?.sharesDropped, (n) => n === 1);
    // Before, SHARE took its version (INCR) and failed at the RPUSH after it: a version no node would ever see, so a
    // refusal decided again (README: it waits until the node has seen P:ver) waited its whole second until a later
    // change was made, on every node.
    expect(await t.redis.get(`${t.prefix}:ver`)).toBe(made);
  }, 30_000);
});
