/**
 * The review of 4c5d921 (2026-12-04; fixed since): `SenderQuotas.full` now adds the sender's share of the recipient's stream as its node
 * last learned it. A C2C send refused on a stale share is refused (the client knows, and the refusal reads it
 * again); but a group message skips a member whose share is "full" silently: the sender is acked and that
 * member never gets the copy. So a copy is lost whenever the cache is stale (the member took the copies in
 * on his node since), where one node (or the code before) would have stored it.
 */
import { describe, expect, it } from 'vitest';
import { confirmGiven, inProcessNodes, payloads, settleMoves, until } from './support';

const CAPS = { maxBacklogPerSender: 1, maxBacklog: 4 };
const TTL_MS = 600_000;

describe('cluster: a group copy and a stale cached share', () => {
  const t = inProcessNodes();
  const { node, login } = t;
  const given = payloads;
  const confirm = confirmGiven;

  it("Bob took Alice's C2C copy in and confirmed it: her next group message still reaches him", async () => {
    const [a, b] = [await node('a', { limits: CAPS, offlineTtlMs: TTL_MS }), await node('b', { limits: CAPS, offlineTtlMs: TTL_MS })];
    const alice = await login(a, 'alice');
    const bob = await login(b, 'bob');
    expect(await alice.request({ type: 'groupCreate', groupID: 'team', members: ['bob'] })).toMatchObject({ type: 'groupInfo' });
    await until('bob joined', async () => (await bob.request({ type: 'groupJoin', groupID: 'team' })).type, (type) => type === 'groupInfo');
    await until('alice sees bob a member', async () => JSON.stringify(await alice.request({ type: 'groupMembers', groupID: 'team' })), (s) => s.includes('"bob"') && s.includes('members'));

    // One C2C copy: it moves through Bob's stream (node a learns her share of it: 1, her cap) and node b takes it in.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'c0', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    await until('c0 given', () => given(bob), (g) => g.includes('c0'));
    confirm(bob);
    for (const n of [a, b]) await settleMoves(n);

    // Her share of his stream is 0 now; her group message is acked...
    expect(await alice.request({ type: 'sendGroup', groupID: 'team', payload: 'g0', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    // ...and must reach him.
    await until(
      'g0 given to Bob',
      async () => {
        for (const n of [a, b]) {
          await n.clock.advance(1000);
          await settleMoves(n);
        }
        return given(bob);
      },
      (g) => g.includes('g0'),
      3000,
    );
  });
});
