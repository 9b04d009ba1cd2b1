/**
 * Attack: "one user fills the store, or a victim's backlog". A sender's stored copies and bytes
 * are bounded, and so is its share of any one recipient's backlog, so the others still reach the
 * victim; the quota is freed as copies are confirmed and is read again after a restart.
 * (Small limits so that the floods stay within the default frame rate; the defaults are in the
 * README's Security model and `server/limits.ts`.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type Frame, type TestServer } from '../server/support';

const limits = { maxBacklog: 60, maxBacklogPerSender: 20, maxSenderStored: 50, maxSenderStoredBytes: 64 * 1024 };

describe('the offline store has a quota per sender', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (userID: string) => {
    const client = await RawClient.login(server.handle.url, userID);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server.dispose();
  });

  const send = (from: RawClient, to: string, payload = 'x') => from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });
  const answers = (frames: Frame[]) => frames.map((f) => String(f.code ?? f.type));

  it('Mallory floods offline Bob: she fills only her share of his backlog; Alice still reaches him; his confirming frees Mallory\'s share', async () => {
    server = await testServer({ limits });
    const mallory = await login('mallory');
    const alice = await login('alice');
    const flood: Frame[] = [];
    for (let i = 0; i < 60; i++) flood.push(await send(mallory, 'bob', `m${i}`));
    expect(answers(flood)).toEqual([...Array(20).fill('ack'), ...Array(40).fill('quotaExceeded')]);
    expect(flood[20]?.message).toBe('you have as many messages waiting for bob as one sender may');
    expect(answers([await send(alice, 'bob', 'hello')])).toEqual(['ack']);
    expect(server.handle.metrics().limits).toMatchObject({ maxBacklogPerSender: 40 });
    const bob = await login('bob');
    await bob.next((f) => f.type === 'message' && f.payload === 'hello', "Alice's message");
    const got = bob.ofType('message');
    expect(got.map((f) => f.payload)).toEqual([...Array.from({ length: 20 }, (_, i) => `m${i}`), 'hello']);
    bob.send({ type: 'received', upTo: got.at(-1)?.seq });
    await bob.sync();
    expect(answers([await send(mallory, 'bob', 'again')])).toEqual(['ack']);
  });

  it('Mallory writes to many offline users: her copies and bytes are capped, whoever they are for; Alice is unaffected; the counts survive a restart', async () => {
    server = await testServer({ limits });
    const mallory = await login('mallory');
    const alice = await login('alice');
    const copies: Frame[] = [];
    for (let i = 0; i < 55; i++) copies.push(await send(mallory, `u${i}`));
    expect(answers(copies)).toEqual([...Array(50).fill('ack'), ...Array(5).fill('quotaExceeded')]);
    expect(copies[50]?.message).toBe('you have as many messages waiting for their recipients as one user may');
    expect(answers([await send(alice, 'u54')])).toEqual(['ack']);

    const eve = await login('eve'); // bytes: 8 KiB bodies, 64 KiB in all
    const big = 'y'.repeat(8 * 1024);
    const bodies: Frame[] = [];
    for (let i = 0; i < 10; i++) bodies.push(await send(eve, `v${i}`, big));
    expect(answers(bodies)).toEqual([...Array(8).fill('ack'), ...Array(2).fill('quotaExceeded')]);
    expect(server.handle.metrics().limits).toMatchObject({ maxSenderStored: 7 });

    for (const c of clients.splice(0)) c.terminate();
    await server.handle.close();
    await server.restart();
    const back = await login('mallory');
    expect(answers([await send(back, 'u99')])).toEqual(['quotaExceeded']);
    const u0 = await login('u0'); // one recipient confirms: one copy of Mallory's quota is free again
    const [message] = [await u0.next((f) => f.type === 'message', 'the stored message')];
    u0.send({ type: 'received', upTo: message?.seq });
    await u0.sync();
    expect(answers([await send(back, 'u99'), await send(back, 'u98')])).toEqual(['ack', 'quotaExceeded']);
  });
});
