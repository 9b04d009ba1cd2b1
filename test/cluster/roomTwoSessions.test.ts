/**
 * Two live sessions of one user in one room on two nodes (README, Running a cluster, Rooms: a member's node that
 * hears another node's event about her says her entry again). The cluster keeps one session per user, but only
 * once the newer login's claim reaches Redis: one that Redis refused (here its `P:k` key of another type; in
 * production memory full, a replica after a failover, a script busy) is not sent again, and both sessions live on.
 * Before this fix each node, hearing the other's entry for her, said its own again: a ping-pong through Redis for
 * as long as both sessions lived. An event carries the epoch of its session's login, and only an older session's is
 * answered: the newer login's entry stands.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { tencentUserSig } from '../server/support';
import { REDIS_URL, heardAll, inProcessNodes, until } from './support';

describe('cluster: a user with a live session on two nodes', () => {
  const t = inProcessNodes();

  it("leaves her entry naming the newer login's node, said once each, not in turn for ever", async () => {
    const a = await t.node('a');
    const b = await t.node('b', { budgetAskMs: 1 });
    const listener = new Redis(REDIS_URL);
    const heard: string[] = [];
    try {
      await listener.subscribe(`${t.prefix}:all`);
      listener.on('message', (_channel: string, text: string) => {
        const m = JSON.parse(text) as Record<string, unknown>;
        if (m.t === 'room' && m.userID === 'alice') heard.push(`${String(m.node)} ${String(m.ev)}`);
      });
      const sig = tencentUserSig('alice'); // one userSig for both tabs: the second login passes PREPARE
      const onA = await t.open(a);
      expect(await onA.request({ type: 'login', userID: 'alice', userSig: sig })).toMatchObject({ type: 'loggedIn' });
      a.handle.grantRoom(7, ['alice', 'bob']);
      expect((await onA.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type).toBe('roomInfo');
      await until('her entry on a heard', () => heard.length, (n) => n === 1);
      await t.redis.set(`${t.prefix}:k:alice`, 'not a hash'); // node b's claim fails at its HSET
      const onB = await t.open(b);
      expect(await onB.request({ type: 'login', userID: 'alice', userSig: sig })).toMatchObject({ type: 'loggedIn' });
      await until("node b's claim refused", () => b.logs.some((l) => l.fields?.what === 'claim'), (ok) => ok);
      await until('the grant on b', async () => (await onB.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type, (x) => x === 'roomInfo');
      await until("node b's entry", () => heard.length, (n) => n >= 2);
      for (const node of [b, a, b, a]) await heardAll(node);
      expect(heard).toEqual(['a enter', 'b enter']);
      expect(JSON.parse((await t.redis.hget(`${t.prefix}:r:7`, 'alice')) ?? '{}')).toMatchObject({ node: 'b' });
    } finally {
      listener.disconnect();
    }
  }, 30_000);

  it('says her online again once when her tab on the other node goes, not for ever (presence has no such loop)', async () => {
    const a = await t.node('a');
    const b = await t.node('b', { budgetAskMs: 1 });
    const listener = new Redis(REDIS_URL);
    const heard: string[] = [];
    try {
      await listener.subscribe(`${t.prefix}:all`);
      listener.on('message', (_channel: string, text: string) => {
        const m = JSON.parse(text) as Record<string, unknown>;
        if (m.t === 'online' && m.user === 'alice') heard.push(`${String(m.node)} ${m.on ? 'on' : 'gone'}`);
      });
      const sig = tencentUserSig('alice');
      const onA = await t.open(a);
      expect(await onA.request({ type: 'login', userID: 'alice', userSig: sig })).toMatchObject({ type: 'loggedIn' });
      await until('online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'a');
      await t.redis.set(`${t.prefix}:k:alice`, 'not a hash'); // node b's claim fails: both sessions live
      const onB = await t.open(b);
      expect(await onB.request({ type: 'login', userID: 'alice', userSig: sig })).toMatchObject({ type: 'loggedIn' });
      await until('online on b', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (n) => n === 'b');
      onA.close(); // her tab on node a goes: a says her gone, b says her online again
      await until("node b's answer", () => heard.length, (n) => n >= 4);
      for (const node of [a, b, a, b]) await heardAll(node);
      expect(heard).toEqual(['a on', 'b on', 'a gone', 'b on']);
      expect(await t.redis.hget(`${t.prefix}:on`, 'alice')).toBe('b');
    } finally {
      listener.disconnect();
    }
  }, 30_000);
});
