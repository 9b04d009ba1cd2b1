/** Health, Prometheus metrics and demo-mode signing over plain HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyUserSig } from '../../server/userSig';
import { RawClient, SDKAPPID, SECRET_KEY, testServer, type TestServer } from './support';

describe('http', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  it('GET /healthz answers 200 ok; unknown paths 404, other methods 405', async () => {
    server = await testServer();
    const health = await fetch(`${server.handle.httpUrl}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect((await fetch(`${server.handle.httpUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${server.handle.httpUrl}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('GET /metrics counts connections, logged-in users, messages relayed, stored, delivered and refused', async () => {
    server = await testServer();
    const alice = await RawClient.login(server.handle.url, 'alice');
    const bob = await RawClient.login(server.handle.url, 'bob');
    const stranger = await RawClient.open(server.handle.url);
    await alice.request({ type: 'sendC2C', to: 'bob', payload: 'live', onlineUserOnly: false });
    await alice.request({ type: 'sendC2C', to: 'carol', payload: 'stored', onlineUserOnly: false });
    await alice.request({ type: 'sendC2C', to: 'carol', payload: 'lost', onlineUserOnly: true });
    await stranger.request({ type: 'sendC2C', to: 'bob', payload: 'x', onlineUserOnly: false });
    const carol = await RawClient.login(server.handle.url, 'carol');
    const stored = await carol.next((f) => f.type === 'message');
    carol.send({ type: 'received', upTo: stored.seq });
    await carol.sync();
    const res = await fetch(`${server.handle.httpUrl}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const value = (line: string) => text.split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1];
    expect({
      connections: value('hc_connections'),
      users: value('hc_logged_in_users'),
      relayed: value('hc_messages_relayed_total'),
      stored: value('hc_messages_stored_total'),
      delivered: value('hc_messages_delivered_total'),
      dropped: value('hc_messages_dropped_offline_total'),
      waiting: value('hc_offline_messages'),
      refused: value('hc_messages_refused_total{code="notLoggedIn"}'),
    // Bob has not confirmed his live copy: it stays stored until he does (it used to live in memory only).
    }).toEqual({ connections: '4', users: '3', relayed: '1', stored: '1', delivered: '1', dropped: '1', waiting: '1', refused: '1' });
    expect(text).toContain('# TYPE hc_messages_relayed_total counter');
    // Write-behind is off in this harness: nothing held.
    expect([value('hc_write_behind_held'), value('hc_write_behind_held_bytes')]).toEqual(['0', '0']);
    expect(text).toContain('# TYPE hc_write_behind_held_bytes gauge');
    for (const c of [alice, bob, stranger, carol]) c.terminate();
  });

  it('with a metrics token, GET /metrics answers only its bearer (401 otherwise)', async () => {
    server = await testServer({ metricsToken: 's3cret-token' });
    const get = (authorization?: string) =>
      fetch(`${server?.handle.httpUrl}/metrics`, authorization === undefined ? {} : { headers: { authorization } });
    const statuses = [(await get()).status, (await get('Bearer wrong')).status, (await get('Basic s3cret-token')).status];
    expect(statuses).toEqual([401, 401, 401]);
    const ok = await get('Bearer s3cret-token');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('hc_connections 0');
    expect((await fetch(`${server.handle.httpUrl}/healthz`)).status).toBe(200);
  });

  it('GET /usersig is off unless demo signing is enabled, and then signs for anyone, loudly', async () => {
    server = await testServer();
    expect((await fetch(`${server.handle.httpUrl}/usersig?userID=alice`)).status).toBe(404);
    await server.dispose();
    server = await testServer({ demoSigning: true });
    expect(server.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining('DEMO SIGNING IS ON'),
    ]);
    const res = await fetch(`${server.handle.httpUrl}/usersig?userID=alice`);
    const body = (await res.json()) as { sdkAppID: number; userID: string; userSig: string };
    expect(body).toMatchObject({ sdkAppID: SDKAPPID, userID: 'alice' });
    expect(verifyUserSig({ sdkAppID: SDKAPPID, secretKey: SECRET_KEY }, 'alice', body.userSig, server.clock.now())).toMatchObject({ ok: true });
    expect(server.logs.at(-1)).toMatchObject({ level: 'warn', message: 'demo signing: issued a userSig', fields: { userID: 'alice' } });
    expect((await fetch(`${server.handle.httpUrl}/usersig?userID=bad%20id`)).status).toBe(400);
    const client = await RawClient.open(server.handle.url);
    expect((await client.request({ type: 'login', userID: 'alice', userSig: body.userSig })).type).toBe('loggedIn');
    client.terminate();
  });
});
