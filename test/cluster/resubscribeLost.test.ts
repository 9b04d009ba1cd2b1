/**
 * A node's subscription renewed after it lost Redis, and lost again before Redis answered. ioredis renews a
 * subscriber's channels by itself on reconnecting (`autoResubscribe`), with a SUBSCRIBE whose failure nobody
 * hears (redis/ioredis#2187): its rejection was unhandled, which ends a Node process. A node that lost Redis,
 * got it back and lost it again (a flapping link) died; one stopped while renewing (SIGTERM after an outage) left
 * with an error. CI saw it once in healthz.security.test.ts (2026-12-06). The node renews its subscription
 * itself (`Rejoin`), so ioredis's is turned off; these tests fail with it on.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from './support';
import { watchEachTest } from '../support/processWatch';

describe('cluster: a subscription renewal that Redis never answers', () => {
  const t = inProcessNodes();
  const unhandled = watchEachTest();

  /** Node a (Bob on it), through a proxy, lost Redis and got it back; its new SUBSCRIBE went out, its answer is held. */
  async function renewing() {
    const proxy = await t.proxy();
    const a = await t.node('a', { redisUrl: proxy.url });
    const bob = await t.login(a, 'bob');
    const health = async () => (await fetch(`${a.handle.httpUrl}/healthz`)).status;
    const before = proxy.subscribes();
    proxy.deafen(); // what Redis tells the subscribed connections is held from here on
    proxy.cut();
    await until('node a to see Redis gone', health, (s) => s === 503);
    proxy.restore();
    await until('a new SUBSCRIBE', () => proxy.subscribes(), (n) => n > before);
    return { proxy, a, bob, health };
  }

  /** Lets the rejections of a failed command run their course (handlers, then the unhandled-rejection check). */
  const settled = () => new Promise((r) => setTimeout(r, 20));

  it('the node stopped meanwhile (SIGTERM after an outage): it closes, nothing is left unhandled', async () => {
    const { a } = await renewing();
    await a.handle.close();
    await settled();
    expect(unhandled).toEqual([]);
  }, 30_000);

  it('Redis lost again meanwhile, then back: the node renews its subscription by itself and hears what is sent to it', async () => {
    const { proxy, a, bob, health } = await renewing();
    const b = await t.node('b');
    const alice = await t.login(b, 'alice');
    const catchUps = () => a.handle.metrics().cluster?.catchUps ?? 0;
    const caughtUp = catchUps();
    proxy.cut();
    await until('node a to see Redis gone again', health, (s) => s === 503);
    proxy.hear();
    proxy.restore();
    await until('node a back on Redis', health, (s) => s === 200);
    await until('node a caught up', catchUps, (n) => n > caughtUp);
    // Sent now, Bob's message reaches node a only through its channel (its stream's notice): renewed, or lost.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'after', onlineUserOnly: true })).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message' && f.payload === 'after', "alice's message on a");
    await settled();
    expect(unhandled).toEqual([]);
  }, 30_000);
});
