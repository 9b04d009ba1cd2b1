/**
 * A node says at start which cluster it joined: the Redis it uses (without its password, as /healthz names it), the
 * prefix of its keys and its own id (a newcomer's first question, found only in /metrics before).
 */
import { describe, expect, it } from 'vitest';
import { shownUrl } from '../../server/cluster/scripts';
import { REDIS_URL, inProcessNodes } from './support';

describe('a node starting', () => {
  const t = inProcessNodes();

  it("logs its cluster beside its URL: { redis, prefix, node }, the node's id as /metrics names it", async () => {
    const a = await t.node('a');
    const line = a.logs.find((l) => l.message === 'headless-calling server listening');
    const node = /hc_cluster_node_info\{node="([^"]+)"\}/.exec(await (await fetch(a.handle.url.replace('ws://', 'http://').replace(/\/ws$/, '/metrics'))).text())?.[1];
    expect(line?.fields).toMatchObject({ cluster: { redis: shownUrl(REDIS_URL), prefix: t.prefix, node } });
    expect(node).toMatch(/./);
  });
});
