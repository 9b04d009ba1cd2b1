/**
 * A node whose store fails while it takes copies in from a user's stream (a disk full, say): the
 * copies stay in the stream (Redis), never in neither place, and come in once the store takes them
 * again. An acknowledged message is never lost. In-process servers on one Redis (a key prefix of
 * their own); the failure is a trigger on the recipient node's SQLite file.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type RawClient, tencentUserSig, type TestServer } from '../server/support';
import { inProcessNodes, until } from './support';
import { failingInserts } from '../support/failingStore';


describe('cluster: taking a copy in when the store fails', () => {
  const t = inProcessNodes();
  const { node, open, redis } = t;

  async function login(server: TestServer, userID: string): Promise<RawClient> {
    const c = await open(server);
    expect((await c.request({ type: 'login', userID, userSig: tencentUserSig(userID), protocol: 1 })).type).toBe('loggedIn');
    return c;
  }

  it('Alice (node a) sends to Bob (node b), whose node fails to store it -> it waits in the stream and reaches Bob once the store works again, once', async () => {
    const [a, b] = [await node('a'), await node('b', { sharedDatabase: true })];
    const bob = await login(b, 'bob');
    const alice = await login(a, 'alice');
    await until('bob claimed on b', () => redis.hget(`${t.prefix}:d:bob`, 'node'), (n) => n === 'b');
    const heal = failingInserts(b.dbPath);
    expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'important', onlineUserOnly: false })).type).toBe('ack');
    await until('node b failed to take it in', () => b.logs.some((l) => l.message === 'could not commit to the store'), (failed) => failed);
    expect(await redis.xlen(`${t.prefix}:i:bob`)).toBe(1); // still there
    heal();
    await until(
      'the copy reaches Bob',
      async () => {
        await b.clock.advance(1000); // node b's next try
        return bob.frames.filter((f) => f.type === 'message' && f.payload === 'important').length;
      },
      (n) => n > 0,
    );
    await until('the stream emptied', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'message' && f.payload === 'important')).toHaveLength(1);
  });
});
