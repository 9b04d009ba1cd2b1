/**
 * The property test of `calling.property.test.ts` over a cluster of two nodes on the machine's Redis
 * (`clusterNetwork.ts`): the same random interleavings of API calls and clock steps, and the same invariants,
 * with every call between users on different nodes going through Redis (directory, grants and room claims
 * ordered there, offline streams, pub/sub). One device per user (cluster mode refuses many); the sockets'
 * faults, a node restarted, a node's Redis cut for a while. Once settled, two users in a call in one room
 * must also see each other there (`checkMutualPresence`: across nodes, a room event lost is a call nobody
 * hears), and two users on the two nodes can still call each other and hear each other (`probeCall.ts`);
 * once everyone logged out, neither node nor Redis holds anything of them (`leftovers`: a session, a room
 * member, a directory entry a race left behind).
 * Settling waits for Redis (no command out, every node caught up and every publication heard), so the
 * invariants never see a step half applied.
 *
 * Not replayed bit for bit: Redis answers in real time, so which of two nodes' steps it runs first, and when
 * a node's real-time heartbeat finds it back after a cut, can differ between two runs of one seed. A failure
 * prints its seed and path; replaying them runs the same commands, which usually fail the same way.
 * `CLUSTER_PROPERTY_RUNS` (default 25, about 10 s; 300 when `PROPERTY_RUNS` is set, as by `npm run test:property`;
 * either picks a new seed), `CLUSTER_PROPERTY_STEPS` (at most 40 steps a run) and `PROPERTY_SEED`, `PROPERTY_PATH` as in
 * `embedded.property.test.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterNetwork } from './clusterNetwork';
import { clusterCommandArbitraries } from './commands';
import { createSystem } from './harness';
import { checkMutualPresence } from './invariants';
import { probeCall } from './probeCall';
import { runToQuiescence } from './settle';

const HUNT = process.env.CLUSTER_PROPERTY_RUNS ?? process.env.PROPERTY_RUNS;
const RUNS = Number(process.env.CLUSTER_PROPERTY_RUNS ?? (process.env.PROPERTY_RUNS ? 300 : 25));
const FIXED_SEED = 20261206;
const SEED = Number(process.env.PROPERTY_SEED ?? (HUNT ? Math.floor(Math.random() * 2 ** 31) : FIXED_SEED));
/** Steps per run (40): a hunt may ask for longer histories. */
const STEPS = Number(process.env.CLUSTER_PROPERTY_STEPS ?? 40);
const PATH = process.env.PROPERTY_PATH;
const REPLAY_PATH = process.env.PROPERTY_REPLAY_PATH;

describe('calling over a two-node cluster: property-based signaling sequences', () => {
  it(`keeps its invariants over ${RUNS} random runs (seed ${SEED})`, async () => {
    console.log(`cluster property seed: ${SEED} (replay with PROPERTY_SEED=${SEED})`);
    await fc.assert(
      // Write-behind on in half the runs: a copy for a user on the other node then moves to its stream from memory.
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.constantFrom(0, 200), fc.commands(clusterCommandArbitraries, { maxCommands: STEPS, size: 'large', ...(REPLAY_PATH ? { replayPath: REPLAY_PATH } : {}) }), async (n, wb, cmds) => {
        const net = await clusterNetwork({ writeBehindMs: wb });
        await runToQuiescence(await createSystem(n, net), cmds, { settled: async (s) => [...checkMutualPresence(s), ...(await probeCall(s))], emptied: () => net.leftovers() });
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH, endOnFailure: true } : {}) },
    );
    expect(true).toBe(true);
  }, 600_000);
});
