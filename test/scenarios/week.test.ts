/**
 * "The client after a week" over the memory network: a desk phone (`desk`) and a bot (`bot`), each one
 * TRTCCalling logged in for the whole run, go through batches of calls with callers and callees never
 * seen before, every ending there is, and strangers' forged signals (`weekScenarios.ts`). What they
 * keep must not grow with the calls: once warm, a batch leaves the program's data on the heap where
 * the one before left it (`retainedData`), the same actors alive, and no event type new to the
 * machines (XState keeps a record per event type a machine was ever given).
 *
 * The heap bound is a leak's measure, not a guess: one small object kept per call over a batch's
 * calls is past it, as the end of the first test shows.
 *
 * Its length: three batches to warm up, then `WEEK_BATCHES` batches measured (1 in `npm test`; `npm run test:soak`
 * runs 8), each held to the bound on its own, then the leak's batches (one; two from `WEEK_BATCHES=2`, the length it
 * had until 2026-12-07).
 */
import { describe, expect, it } from 'vitest';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { retainedData } from '../support/retained';
import { weekBatches } from '../support/weekLength';
import { failOnCoreFaults, party, type Party } from '../support/world';
import { actorWatch } from './weekWatch';
import { round, type WeekWorld } from './weekScenarios';

const S = 1000;
const KIB = 1024;
/**
 * What a batch may move the program's data by: a record of 24 bytes kept per call (a pointer and a number) reaches
 * it; the last test's (an object naming the inviteID, for each INVITED) added 31-42 KiB a batch.
 */
const BOUND = 12 * KIB;
/** Rounds a batch: 11 calls each. */
const ROUNDS = 46;
const CALLS = ROUNDS * 11;
/** Batches measured once warm, each against {@link BOUND}; then the leak's (see the header). */
const MEASURED = weekBatches(1);
const LEAKY = Math.min(MEASURED, 2);

async function memoryWeek(): Promise<WeekWorld & { retained(): Promise<{ data: number; actors: string[]; recent: number; newTypes: string[] }>; newTypes(): string[]; dispose(): void }> {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  const watch = actorWatch();
  let line: AnyActorRef | undefined;
  const client = (userID: string, inspect?: (event: InspectionEvent) => void) =>
    party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: net.backend(), ...(inspect ? { inspect } : {}) }));
  const desk = client('desk', (event) => {
    watch.inspect(event);
    line ??= (event.actorRef as AnyActorRef).system.get('line') as AnyActorRef | undefined;
  });
  const bot = client('bot', watch.inspect);
  const peers = [client('p'), client('q'), client('r')] as const;
  const parties: Party[] = [desk, bot, ...peers];
  for (const p of parties) await p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
  await net.settle();
  for (const p of parties) p.take();
  return {
    desk,
    bot,
    peers,
    stranger: net.backend().im,
    userSig: (userID) => `sig-${userID}`,
    advance: (ms) => net.advance(ms),
    vanishedEnd: 'error',
    async vanish(_peer, userID) {
      net.im.setReachable(userID, false);
      net.rooms.setMediaConnected(userID, false);
      return async () => {
        net.im.setReachable(userID, true);
        net.rooms.setMediaConnected(userID, true);
        await net.advance(S);
      };
    },
    async retained() {
      net.im.clearLog(); // the hub's record of routing, for assertions (bounded, but up to 10,000 entries): the test's, not the clients'
      const recent = ((line?.getSnapshot() as { context?: { recent?: readonly unknown[] } } | undefined)?.context?.recent ?? []).length;
      return { data: retainedData(), actors: watch.alive(), recent, newTypes: watch.newTypes() };
    },
    /** The event types new to the machines since the last look, without the heap snapshot `retained()` takes. */
    newTypes: () => watch.newTypes(),
    dispose() {
      for (const p of parties) void p.calling.destroy();
      failOnCoreFaults();
    },
  };
}

async function batch(w: WeekWorld): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) await round(w);
}

/**
 * Three batches to warm up, then a measure after each of {@link MEASURED} more. The warm-up fills every bounded list and
 * walks every path; the measure's first use goes before the last of its batches: the batch after that use added 30-40
 * KiB whenever that was (the heap profiler's, not the client's). With two batches of warm-up (the first use after
 * one) the first measured batch moved the data by -7.4 and -5.7 KiB, against -1.4 and -2.3 with three (2026-12-07).
 */
async function measured(w: Awaited<ReturnType<typeof memoryWeek>>) {
  await batch(w);
  await batch(w);
  await w.retained();
  await batch(w);
  const measures = [await w.retained()];
  for (let i = 0; i < MEASURED; i++) {
    await batch(w);
    measures.push(await w.retained());
  }
  return measures;
}

/** Each batch's move of the program's data, in bytes (`deltas(measures)[i]`: from measure i to measure i + 1). */
const deltas = (measures: readonly { data: number }[]) => measures.slice(1).map((m, i) => m.data - measures[i]!.data);

describe('the client after a week (memory network)', () => {
  it(`batches of ${CALLS} calls with strangers, every ending, forged signals: later batches leave the heap, the actors and the event types where the first did; the same measure then sees a leak of one small record a call (an INVITED listener that keeps each inviteID)`, async () => {
    const w = await memoryWeek();
    try {
      const measures = await measured(w);
      const [first] = measures;
      // The line, its bridges and the peers' (the pool's) are all that runs between calls; no child of a call is left.
      expect(first!.actors).toEqual(['im', 'im', 'room', 'room', 'x:0', 'x:3']);
      for (const m of measures) {
        expect(m.actors).toEqual(first!.actors);
        expect(m.recent).toBe(256); // the line's tombstones at their bound
      }
      // No event type an actor never had before (see `actorWatch`).
      expect(measures.slice(1).map((m) => m.newTypes)).toEqual(measures.slice(1).map(() => []));
      // Once warm, a batch moved the data by 3.2 KiB at most, either way, over six (2026-12-06); -1.4 and -2.3 KiB in
      // two runs of one measured batch at load 7-10 (2026-12-07).
      for (const delta of deltas(measures)) expect(Math.abs(delta), `the batches' moves: ${deltas(measures).join(', ')} bytes`).toBeLessThan(BOUND);

      // The measure's own test: the same client, warm and measured quiet just now, given a leak of one small record a
      // call. (It had a world of its own, warmed up with the leak in place: five more batches and four snapshots,
      // 17.8 s, for the same two deltas over the same batches; 2026-12-06.) One leaky batch moved the data by 28-31 KiB
      // in four runs (2026-12-07), each past the bound: two from `WEEK_BATCHES=2` on.
      const kept: { inviteID: string }[] = [];
      w.desk.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void kept.push({ inviteID }));
      const leaky = [measures.at(-1)!];
      for (let i = 0; i < LEAKY; i++) {
        await batch(w);
        leaky.push(await w.retained());
      }
      for (const delta of deltas(leaky)) expect(delta, `the leaky batches' moves: ${deltas(leaky).join(', ')} bytes`).toBeGreaterThan(BOUND);
    } finally {
      w.dispose();
    }
  }, 60_000 * (3 + MEASURED + LEAKY));

  it("one round (every ending, a group call's invitees who never answer): no event type a machine is given names a user", async () => {
    const w = await memoryWeek();
    try {
      await round(w);
      const newTypes = w.newTypes(); // (a heap snapshot here, until 2026-12-07, read nothing of it)
      // XState keeps a record per event type for ever (see `actorWatch`): `xstate.done.actor.invitee:<userID>` was one per invitee.
      expect(newTypes.filter((type) => /caller|callee|ghost|stranger|desk|bot/.test(type))).toEqual([]);
      expect(newTypes.length).toBeGreaterThan(40);
    } finally {
      w.dispose();
    }
  });
});
