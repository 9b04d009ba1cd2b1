/**
 * Two live processes given one `--node-id` (a misconfiguration: a deploy script reusing an id). A node starting takes
 * in what Redis holds for its id, as a restart after a crash must (roomNodeRestart.test.ts): its earlier run's room
 * members, to leave once the room grace has passed unless their users entered again. A second live process with the
 * same id took the first one's live members in that way, and its grace made them leave everywhere but on the first:
 * Bob (node b) hears Alice leave, node b and Redis forget her, node a still holds her (it.fails: 2026-12-06).
 */
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes } from './support';

const GRACE_MS = 10_000; // roomGraceMs, the default

const memberIDs = (answer: Record<string, unknown>): string[] => ((answer.members ?? []) as { userID: string }[]).map((m) => m.userID).sort();

describe('cluster: two processes given one node id', () => {
  const t = inProcessNodes();

  it.fails('Alice (node a) and Bob (node b) in room 7; a second process starts with node a\'s id, its grace passes -> Bob hears nothing, Redis keeps Alice', async () => {
    const { b, alice, bob } = await t.inRoom7();
    const before = bob.frames.length;
    const second = await t.node('a');
    await second.clock.advance(GRACE_MS);
    await heardAll(b);
    await bob.sync();
    expect({
      heard: bob.frames.slice(before).filter((f) => f.type === 'userLeft' || f.type === 'userEntered').map((f) => `${String(f.type)} ${String(f.userID)}`),
      atB: memberIDs(await bob.request({ type: 'roomMembers', roomID: 7 })),
      atA: memberIDs(await alice.request({ type: 'roomMembers', roomID: 7 })),
      redis: (await t.redis.hkeys(`${t.prefix}:r:7`)).sort(),
    }).toEqual({ heard: [], atB: ['alice', 'bob'], atA: ['alice', 'bob'], redis: ['alice', 'bob'] });
  });
});
