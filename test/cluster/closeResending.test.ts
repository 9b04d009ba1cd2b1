/**
 * A node closing deleted the record of the changes Redis ran for it (`P:ran:<node>:<start>`, the dedup of a change
 * sent again) with its heartbeat, while it could still be sending unanswered changes again: its catch-up's or its
 * flush's resends went on after `close()`. A change Redis had run, its answer lost, sent again after the delete was
 * run again at a later version (the "quit undoes a later invitation" bug `P:ran` exists to prevent), and the
 * resend made the key again for a week (the review of the cluster after a week, 2026-12-06). A node closing now
 * sends nothing again, and deletes the key once nothing it sent is out.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';

const GROUPS = 10;

describe('cluster: a node closing while it sends its changes again', () => {
  const t = inProcessNodes();

  it(`Alice makes ${GROUPS} groups on node a, Redis runs them but its answers wait past the timeout; node a closes while it sends them again -> each is in Redis once`, async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const alice = await t.login(a, 'alice');
    pa.hold(); // what node a sends waits: each SHARE times out (2 s), and is sent again (1 s later), in order
    for (let i = 0; i < GROUPS; i++) {
      expect(await alice.request({ type: 'groupCreate', groupID: `g${i}`, members: ['carol'] })).toMatchObject({ type: 'groupInfo' });
    }
    const sent = (group: string) => pa.holding().split(`"groupID":"${group}"`).length - 1;
    await until('the first sent again', () => sent('g0'), (n) => n === 2, 10_000);
    const closed = a.handle.close(); // sends again no more (its first resend is out), then deletes P:ran
    pa.release(); // Redis runs every SHARE, then the resend (answered: ran already), then the close's steps
    await closed;
    const versions: number[][] = [];
    for (let i = 0; i < GROUPS; i++) versions.push((await t.redis.lrange(`${t.prefix}:h:g:g${i}`, 0, -1)).map((e) => (JSON.parse(e) as { v: number }).v));
    expect(versions.map((v) => v.length)).toEqual(Array<number>(GROUPS).fill(1));
    expect(await t.redis.keys(`${t.prefix}:ran:*`)).toEqual([]);
  }, 30_000);
});
