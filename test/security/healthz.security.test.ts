/**
 * Attack: read the server's secrets off its health check. `GET /healthz` answers anyone (a load
 * balancer checks it, and it faces the same internet as `/ws`). A cluster node that lost Redis
 * said why, naming the `--redis` URL as given: with its password (`redis://user:password@host`),
 * the key to every user's sessions, messages and revocations in the cluster.
 */
import { describe, expect, it } from 'vitest';
import { inProcessNodes, until } from '../cluster/support';

describe('the health check says what is wrong, never a secret', () => {
  const t = inProcessNodes();

  it('a node whose Redis URL carries a password loses Redis: /healthz is 503 and names Redis without the password', async () => {
    const proxy = await t.proxy();
    // Redis here has no password: its default user takes any (ACL `nopass`), so the URL may carry one.
    const withPassword = proxy.url.replace('redis://', 'redis://default:hunter2-s3cret@');
    const node = await t.node('a', { redisUrl: withPassword });
    const health = async () => {
      const res = await fetch(`${node.handle.httpUrl}/healthz`);
      return { status: res.status, body: await res.text() };
    };
    expect(await health()).toEqual({ status: 200, body: '{"status":"ok"}' });
    proxy.cut();
    const down = await until('healthz to say 503', health, (h) => h.status === 503);
    expect(down.body).not.toContain('hunter2');
    expect(JSON.parse(down.body)).toEqual({ status: 'unavailable', error: `Redis unreachable (${proxy.url})` });
  });

  it('the same with the password in the query (ioredis takes ?username=&password= as options): named without the query', async () => {
    const proxy = await t.proxy();
    const withPassword = `${proxy.url}/0?username=default&password=hunter2-s3cret`;
    const node = await t.node('a', { redisUrl: withPassword });
    const health = async () => {
      const res = await fetch(`${node.handle.httpUrl}/healthz`);
      return { status: res.status, body: await res.text() };
    };
    expect(await health()).toEqual({ status: 200, body: '{"status":"ok"}' });
    proxy.cut();
    const down = await until('healthz to say 503', health, (h) => h.status === 503);
    expect(down.body).not.toContain('hunter2');
    expect(JSON.parse(down.body)).toEqual({ status: 'unavailable', error: `Redis unreachable (${proxy.url}/0)` });
  });
});
