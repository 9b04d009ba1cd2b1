/**
 * What a message to a user held on no node costs Redis when copies for him wait on the sending node. Every
 * message routed to a user with no session on its node, `onlineUserOnly` ones included (stored nowhere, counted
 * in no quota), starts a move of what that node stores for him (`HubCluster.absent` -> `StreamMailbox.forward`),
 * and a move offers his stored copies to his stream again, a page of up to 64 with their payloads (`forwardPages`
 * -> DELIVER), however recently the stream refused them: copies stranded there (his stream's cap is full) are sent
 * to Redis again for each such message. So a user with copies stranded for Bob on her node (up to her share of
 * him there, 4 MiB) makes the node send them all to Redis for each `onlineUserOnly` frame of a few bytes she sends
 * him, at her 50 frames a second, none of them stored or counted. The stranded copies' own retry is the back-off's
 * (1 s, doubling up to 30 s). Fixed since: an `onlineUserOnly` message starts no move, and until the back-off's try a
 * move offers none of the copies of the senders the stream refused (none at all once the recipient's cap was reached).
 */
import { describe, expect, it } from 'vitest';
import { countingProxies, confirmGiven, inProcessNodes, movesDone, payloads, sendC2C, settleMoves, until } from './support';

const CAPS = { maxBacklog: 2, maxBacklogPerSender: 2 };
const PAYLOAD = 'x'.repeat(60_000);

describe('messages to an absent user and the copies stranded for him', () => {
  const proxy = countingProxies(); // before the nodes: closed after them
  const t = inProcessNodes();

  it("Bob's stream is full; 2 copies of Mallory's (60 KB) wait on node a; she sends him 10 onlineUserOnly pings -> node a does not send her copies to Redis 10 times", async () => {
    const counted = await proxy();
    const a = await t.node('a', { redisUrl: counted.url, limits: CAPS });
    const b = await t.node('b', { limits: CAPS });
    // Bob is offline everywhere; his stream is full (his cap, 2) with Carol's copies.
    const carol = await t.login(b, 'carol');
    for (const text of ['c1', 'c2']) expect(await sendC2C(carol, 'bob', text)).toMatchObject({ type: 'ack' });
    expect(await t.redis.xlen(`${t.prefix}:i:bob`)).toBe(2);
    // Mallory's two copies are acked and wait on node a (stranded): her share of Bob there is full.
    const mallory = await t.login(a, 'mallory');
    for (let i = 0; i < 2; i++) expect(await sendC2C(mallory, 'bob', `${i}${PAYLOAD}`)).toMatchObject({ type: 'ack' });
    await settleMoves(a);
    expect({ stranded: a.handle.metrics().cluster?.strandedUsers, inStream: await t.redis.xlen(`${t.prefix}:i:bob`) }).toEqual({ stranded: 1, inStream: 2 });
    const before = counted.toRedis();
    for (let i = 0; i < 10; i++) {
      expect(await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'ping', onlineUserOnly: true })).toMatchObject({ type: 'ack' });
    }
    await movesDone(a);
    const sent = counted.toRedis() - before;
    // Her two copies are 120 KB: not sent again for each ping (their retry is the back-off's).
    expect({ sentKB: Math.round(sent / 1000), inStream: await t.redis.xlen(`${t.prefix}:i:bob`) }).toEqual({ sentKB: expect.toSatisfy((kb: number) => kb < 120), inStream: 2 });
  });

  it("the same, Bob a member of Mallory's group; she sends it 10 messages (his copy dropped: his backlog on node a is full) -> node a does not send her copies to Redis 10 times", async () => {
    const counted = await proxy();
    const a = await t.node('a', { redisUrl: counted.url, limits: CAPS });
    const b = await t.node('b', { limits: CAPS });
    const mallory = await t.login(a, 'mallory');
    const bob = await t.login(b, 'bob');
    expect(await mallory.request({ type: 'groupCreate', groupID: 'team', members: ['bob'] })).toMatchObject({ type: 'groupInfo' });
    await until('bob joined', async () => (await bob.request({ type: 'groupJoin', groupID: 'team' })).type, (type) => type === 'groupInfo');
    await until('mallory sees bob a member', async () => JSON.stringify(await mallory.request({ type: 'groupMembers', groupID: 'team' })), (s) => s.includes('"bob"'));
    expect(await bob.request({ type: 'logout' })).toMatchObject({ type: 'ack' });
    const carol = await t.login(b, 'carol');
    for (const text of ['c1', 'c2']) expect(await sendC2C(carol, 'bob', text)).toMatchObject({ type: 'ack' });
    for (let i = 0; i < 2; i++) expect(await sendC2C(mallory, 'bob', `${i}${PAYLOAD}`)).toMatchObject({ type: 'ack' });
    await settleMoves(a);
    expect({ stranded: a.handle.metrics().cluster?.strandedUsers, inStream: await t.redis.xlen(`${t.prefix}:i:bob`) }).toEqual({ stranded: 1, inStream: 2 });
    const before = counted.toRedis();
    for (let i = 0; i < 10; i++) {
      expect(await mallory.request({ type: 'sendGroup', groupID: 'team', payload: 'ping', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    }
    await movesDone(a);
    const sent = counted.toRedis() - before;
    expect({ sentKB: Math.round(sent / 1000), inStream: await t.redis.xlen(`${t.prefix}:i:bob`) }).toEqual({ sentKB: expect.toSatisfy((kb: number) => kb < 120), inStream: 2 });
    // Their retry is the back-off's: once Bob logs in (node b) and takes Carol's in, Mallory's come, in order.
    const back = await t.login(b, 'bob');
    await until(
      "Mallory's two given",
      async () => {
        confirmGiven(back);
        for (const n of [a, b]) {
          await n.clock.advance(1000);
          await settleMoves(n);
        }
        return payloads(back).map((p) => p.slice(0, 2));
      },
      (got) => got.length >= 4,
    );
    expect(payloads(back).map((p) => p.slice(0, 2))).toEqual(['c1', 'c2', '0x', '1x']);
  });
});
