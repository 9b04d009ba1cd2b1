/**
 * A group larger than the fan-out burst on a server without `--multi-device`: its messages cost their copies,
 * taken from a full burst, the rest owed (before 2026-12-06, late, cut to the burst: see groupBytes.security.test.ts). `--fanout-burst` is at least `--max-group-members`, but a group can hold more: the
 * administrator's (`createGroup` takes any list), or joins of an open group made at once on two nodes of a
 * cluster (the review of 2026-12-05). Before then only the multi-device server capped the
 * cost at the burst: on a single-device one such a group's messages cost more than any budget holds, and no
 * member could ever send to it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';

let server: TestServer;
afterEach(async () => server?.dispose());

describe('group fan-out past the burst, one device per user', () => {
  it('Alice sends to a staff group of 6 (burst 4, 5 copies): acked, then rateLimited until the burst refills and the copy owed is paid, then acked again', async () => {
    server = await testServer({ limits: { fanout: { perSecond: 4, burst: 4 }, maxGroupMembers: 4 } });
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    server.handle.createGroup('staff', users);
    const [alice, ...others] = await Promise.all(users.map((u) => RawClient.login(server.handle.url, u)));
    const send = async (payload: string) => {
      const reply = await alice!.request({ type: 'sendGroup', groupID: 'staff', payload, onlineUserOnly: true });
      return reply.type === 'ack' ? 'ack' : String(reply.code);
    };
    const answers = [await send('m1'), await send('m2')];
    await server.clock.advance(1_000); // 4 units back, but one was owed
    answers.push(await send('m3'));
    await server.clock.advance(250);
    answers.push(await send('m3'));
    for (const c of others) await c.sync();
    expect(answers).toEqual(['ack', 'rateLimited', 'rateLimited', 'ack']);
    expect(others.map((c) => c.ofType('message').map((m) => m.payload))).toEqual(others.map(() => ['m1', 'm3']));
    for (const c of [alice!, ...others]) c.terminate();
  });
});
