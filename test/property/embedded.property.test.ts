/**
 * The property test of `calling.property.test.ts` over the embedded backend: the same random
 * interleavings of API calls and clock steps, and the same invariants, with every signal going
 * through the real server and its WebSocket client (not the memory hub), in virtual time. No IM
 * faults (the socket delivers in order): the server's and the sockets' instead (`commands.ts`),
 * and write-behind on in half the runs. Many devices: the lock-step network lets the answers of
 * two devices of one user cross at the server only when one is written before the other is
 * handled, and random steps all but never have two of them ringing, so `crossedAnswers` rings both
 * and has each accept, reject or answer busy, in one turn or the second as the first one's frame
 * goes out (`answerEverywhere` does it to whatever rings): the room's one device and the one
 * answer per user are decided there; or has one of them answer alone, on an invitation with no
 * timeout, so that the other, unless told, rings on until the end (`checkToldElsewhere`). The
 * memory runs (`calling.property.test.ts`) race them too. `EMBEDDED_PROPERTY_RUNS` (default 25; 300 when
 * `PROPERTY_RUNS` is set, as by `npm run test:property`) and `PROPERTY_SEED` replay a run;
 * `PROPERTY_PATH` (fast-check's `path` of a failure, with its seed) replays just that one
 * (`PROPERTY_REPLAY_PATH`, the counterexample's `replayPath`, too for a shrunk one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddedCommandArbitraries } from './commands';
import { embeddedNetwork } from './embeddedNetwork';
import { createSystem } from './harness';
import { runToQuiescence } from './settle';

const RUNS = Number(process.env.EMBEDDED_PROPERTY_RUNS ?? (process.env.PROPERTY_RUNS ? 300 : 25));
const FIXED_SEED = 20261205;
const SEED = Number(process.env.PROPERTY_SEED ?? (process.env.PROPERTY_RUNS ? Math.floor(Math.random() * 2 ** 31) : FIXED_SEED));
/** fast-check's `path` of a failure (with its PROPERTY_SEED): replays that one run and its shrinking, not the runs before it. */
const PATH = process.env.PROPERTY_PATH;
/** The counterexample's `replayPath` (printed after its commands): the commands a shrunk failure ran, needed to replay one. */
const REPLAY_PATH = process.env.PROPERTY_REPLAY_PATH;

describe('calling over the embedded server: property-based signaling sequences', () => {
  it(`keeps its invariants over ${RUNS} random runs (seed ${SEED})`, async () => {
    console.log(`embedded property seed: ${SEED} (replay with PROPERTY_SEED=${SEED})`);
    // Write-behind on (the server's default, 200 ms) in half the runs: a send's ack then waits for its receipts.
    const writeBehindMs = fc.constantFrom(0, 200);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), writeBehindMs, fc.commands(embeddedCommandArbitraries, { maxCommands: 40, size: 'large', ...(REPLAY_PATH ? { replayPath: REPLAY_PATH } : {}) }), async (n, wb, cmds) => {
        await runToQuiescence(await createSystem(n, embeddedNetwork({ writeBehindMs: wb })), cmds);
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH, endOnFailure: true } : {}) },
    );
    expect(true).toBe(true);
  }, 600_000);
});
