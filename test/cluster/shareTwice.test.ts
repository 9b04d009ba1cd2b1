/**
 * A replicated change (SHARE, `replica.ts`) that Redis ran, but whose node took it as failed, runs once. Node a
 * sent carol's quit of a group; Redis ran it and every node applied it; then the group's owner (on node b)
 * invited carol again. Node a never heard Redis's answer: its connection died after Redis ran the command
 * (`gagged`: ioredis sent the command again on the new connection), or Redis stalled past the command timeout
 * and ran it late (`timed out`). Either way node a kept the change as unsent and sent it again once back on
 * Redis: the quit got a second, later version, and every node but a applied it after the invitation, which
 * node b lost (node a, which skips its own changes, kept it): the nodes disagreed for good, and so would any
 * node started later, which replays the history.
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, heardAll, inProcessNodes, until } from './support';

describe('cluster: a replicated change node a took as failed', () => {
  const t = inProcessNodes();

  it.each(['gagged', 'timed out'] as const)('(%s) is in the history once; the invitation made after it stands on every node', async (how) => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    const b = await t.node('b');
    const carol = await t.login(a, 'carol');
    const alice = await t.login(b, 'alice');
    expect(await alice.request({ type: 'groupCreate', groupID: 'grp', members: ['carol'] })).toMatchObject({ type: 'groupInfo' });
    await until('carol joins through a', async () => (await carol.request({ type: 'groupJoin', groupID: 'grp' })).type, (x) => x === 'groupInfo');
    const invited = async () => (await alice.request({ type: 'groupMembers', groupID: 'grp' })) as { members?: string[]; invited?: string[] };
    await until('carol a member on b', invited, (g) => g.members?.includes('carol') === true);

    if (how === 'gagged') pa.gag();
    else pa.hold();
    expect(await carol.request({ type: 'groupQuit', groupID: 'grp' })).toMatchObject({ type: 'ack' });
    await until('node a took its share as failed', () => a.logs.some((l) => l.fields?.what === 'share'), (ok) => ok, 10_000);
    if (how === 'timed out') pa.release(); // Redis runs it now, after node a gave up on it
    await until('the quit applied on b', invited, (g) => g.members?.includes('carol') === false);

    expect(await alice.request({ type: 'groupInvite', groupID: 'grp', members: ['carol'] })).toMatchObject({ type: 'groupInfo', invited: ['carol'] });
    const catchUps = a.handle.metrics().cluster?.catchUps ?? 0;
    pa.cut();
    pa.restore();
    await caughtUp(a, catchUps + 1); // node a sends what it kept unsent before it reads the histories
    await heardAll(b);

    const history = await t.redis.lrange(`${t.prefix}:h:g:grp`, 0, -1);
    expect(history.map((e) => (JSON.parse(e) as { op: string }).op)).toEqual(['create', 'join', 'remove', 'invite']);
    expect(await invited()).toMatchObject({ invited: ['carol'] });
  }, 30_000);
});
