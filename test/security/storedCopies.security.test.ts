/**
 * Attack: "the store fills with copies, not bytes" (the server after a week, 2026-12-05). The store's
 * only bound in all was its payload bytes (`--max-store-bytes`, 1 GiB); a copy costs the server some
 * 300 bytes of memory whatever its payload (its recipient's backlog and its sender's share of it are
 * counted in memory, beside its row), and waits a week for a recipient who never comes. Senders, each
 * within their own quota (10,000 copies), stored one-byte messages to as many distinct users as they
 * liked: 2.8 MiB of memory per account, a week long, and 1,000 accounts took 2.8 GiB while the bytes
 * bound saw 10 MB. Now copies are bounded in all too (`--max-stored`), refused `quotaExceeded` past it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIB, memoryInUse } from './support';
import { RawClient, testServer, type TestServer } from '../server/support';

/** Mallory's accounts and the one-byte messages each stores, a distinct recipient each (within every quota of hers). */
const ACCOUNTS = 4;
const EACH = 2500;

describe('stored copies in all', () => {
  let server: TestServer;
  afterEach(() => server.dispose());

  /** Each account sends `EACH` one-byte messages, 50 a second (its rate), to users who never come; returns the acks. */
  async function flood(accounts: RawClient[]): Promise<number> {
    let rid = 10;
    for (let sent = 0; sent < EACH; sent += 50) {
      for (const [k, client] of accounts.entries()) {
        for (let i = 0; i < 50; i++) client.send({ type: 'sendC2C', rid: ++rid, to: `ghost${k}x${sent + i}`, payload: 'x', onlineUserOnly: false });
      }
      await Promise.all(accounts.map((client) => client.sync()));
      await server.clock.advance(1100);
    }
    return accounts.reduce((n, client) => n + client.ofType('ack').length, 0);
  }

  it('Mallory stores 2,500 one-byte messages from each of 4 accounts to 10,000 users who never come; the server takes 10,000: about 300 bytes of memory each', async () => {
    server = await testServer();
    const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => RawClient.login(server.handle.url, `mallory${i}`, { lean: true })));
    const before = await memoryInUse();
    expect(await flood(accounts)).toBe(ACCOUNTS * EACH);
    for (const client of accounts) client.frames.length = 0;
    const perCopy = ((await memoryInUse()) - before) / server.handle.metrics().storedNow;
    // What --max-stored's default (1,000,000) stands for: at most some 400 MiB of the server's memory.
    expect(perCopy * 1_000_000).toBeLessThan(400 * MIB);
    for (const client of accounts) client.terminate();
  });

  it('--max-stored 6,000: the rest of her messages are refused (quotaExceeded, maxStored); once Bob confirms his, Alice can leave him one again', async () => {
    server = await testServer({ limits: { maxStored: 6000 } });
    const url = server.handle.url;
    const alice = await RawClient.login(url, 'alice');
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'before', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => RawClient.login(url, `mallory${i}`, { lean: true })));
    expect(await flood(accounts)).toBe(5999);
    expect(server.handle.metrics()).toMatchObject({ storedNow: 6000, limits: { maxStored: ACCOUNTS * EACH - 5999 } });
    const refused = accounts.flatMap((client) => client.ofType('error'));
    expect(new Set(refused.map((e) => `${String(e.code)}: ${String(e.message)}`))).toEqual(new Set(['quotaExceeded: the message store holds as many messages as it may']));
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'after', onlineUserOnly: false })).toMatchObject({ type: 'error', code: 'quotaExceeded' });
    const bob = await RawClient.login(url, 'bob');
    const message = await bob.next((f) => f.type === 'message');
    bob.send({ type: 'received', upTo: message.seq });
    await bob.sync();
    bob.terminate();
    await bob.closed;
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'after', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    for (const client of [alice, ...accounts]) client.terminate();
  });
});
