/**
 * "The client after a week" over the embedded backend, against the real server in this process (the
 * lock-step world, `embeddedWorld.ts`): the rounds of `weekScenarios.ts`, a desk phone and a bot logged in
 * throughout. What the embedded client adds to the memory one is its connection's state (the inbox's ids
 * and receipts, the requests in flight, the room's relays handed early and forgotten invitations, its
 * members): a batch leaves the actors alive and the event types the machines were given as the one before
 * did, and the program's data on the heap within a bound (the server, in this process, is measured too).
 *
 * Its length: three batches to warm up, then `WEEK_BATCHES` batches measured (1 in `npm test`, `npm run test:soak`
 * runs 8; 2 until 2026-12-07), each against 48 KiB and all of them against 24 KiB a batch (see the bound's comment).
 */
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID, makeEmbeddedWorld, tencentUserSig, type SteppedSocket } from '../support/embeddedWorld';
import { retainedData } from '../support/retained';
import { weekBatches } from '../support/weekLength';
import { failOnCoreFaults, party, type Party } from '../support/world';
import { actorWatch } from './weekWatch';
import { round, type WeekWorld } from './weekScenarios';

const S = 1000;
const KIB = 1024;
const ROUNDS = 24;
/**
 * The userSigs' lifetime: a year. Each is stamped with the real time and the world's clock runs ahead of it (ring
 * timeouts, vanished peers): with the world's one-day userSigs, `npm run test:soak` (eight measured batches) had Desk
 * kicked out (`userSigExpired`) in one of them (2026-12-07).
 */
const SIG_SECONDS = 365 * 86_400;
/** Batches measured once warm (see the header). */
const MEASURED = weekBatches(1);
/**
 * What a measured batch may move the program's data by, either way (see below), and all of them together: 24 KiB a
 * batch, never less than the one batch's bound, the noise of one measure to the next being the same however many
 * batches lie between them.
 */
const BOUND = 48 * KIB;
const SPAN_BOUND = Math.max(2, MEASURED) * 24 * KIB;

async function embeddedWeek() {
  const world = makeEmbeddedWorld();
  const watch = actorWatch();
  /** Each pool party's socket of now; while it is away (vanished), every socket it opens is silent from the start. */
  const sockets = new Map<Party, { now: SteppedSocket | null; away: boolean }>();
  const client = (userID: string, inspect?: (event: InspectionEvent) => void) => {
    const mine = { now: null as SteppedSocket | null, away: false };
    const { net } = world;
    const WebSocket = class extends net.WebSocket {
      constructor(url: string) {
        super(url);
        mine.now = this;
        if (mine.away) net.silent.add(this);
      }
    };
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ WebSocket }), ...(inspect ? { inspect } : {}) }));
    sockets.set(p, mine);
    return p;
  };
  const desk = client('desk', watch.inspect);
  const bot = client('bot', watch.inspect);
  const peers = [client('p'), client('q'), client('r')] as const;
  const parties: Party[] = [desk, bot, ...peers];
  for (const p of parties) await p.calling.login({ userID: p.id, userSig: tencentUserSig(p.id, SIG_SECONDS) });
  await world.settle();
  for (const p of parties) p.take();
  const stranger = world.backend().im;
  const w: WeekWorld & { retained(): Promise<{ data: number; actors: string[]; newTypes: string[] }>; dispose(): Promise<void> } = {
    desk,
    bot,
    peers,
    stranger,
    userSig: (userID) => tencentUserSig(userID, SIG_SECONDS),
    advance: (ms) => world.advance(ms),
    vanishedEnd: 'hangup',
    // Its process gone: nothing more from it, not even a reconnection, until it comes back (a new process).
    async vanish(peer) {
      const mine = sockets.get(peer);
      if (!mine?.now) throw new Error(`${peer.id} has no socket`);
      mine.away = true;
      world.net.silent.add(mine.now);
      await world.advance(90 * S);
      return async () => {
        mine.away = false;
        world.net.silent.clear();
        await world.advance(90 * S);
        peer.take();
      };
    },
    async retained() {
      world.net.forgetCarried(); // the world's record of its steps and connections: the test's, not the clients'
      return { data: retainedData(), actors: watch.alive(), newTypes: watch.newTypes() };
    },
    async dispose() {
      await world.dispose();
      failOnCoreFaults();
    },
  };
  return w;
}

describe('the client after a week (embedded server)', () => {
  // Three batches warm up: the inbox's ids of messages seen (at most 1,024) are full only after the third.
  it(`batches of ${ROUNDS * 11} calls with strangers over the real server: later batches leave the actors, the event types and the heap where the first did`, async () => {
    const w = await embeddedWeek();
    try {
      const batch = async () => {
        for (let i = 0; i < ROUNDS; i++) await round(w);
      };
      await batch();
      await batch();
      await w.retained(); // (see week.test.ts: the measure's first use)
      await batch();
      const first = await w.retained();
      // A measure after each batch. Without them (`npm run test:soak`, 2026-12-07) eight batches moved the data by
      // +456 KiB, measured after each by -2 to +11 KiB from the first: what the measure forgets or prunes of the
      // world's own records (`retained()`) piled up in between. Not looked into further.
      const measures = [first];
      for (let i = 0; i < MEASURED; i++) {
        await batch();
        measures.push(await w.retained());
      }
      const last = measures.at(-1)!;
      const moves = measures.slice(1).map((m, i) => m.data - measures[i]!.data);
      expect(first.actors).toEqual(['im', 'im', 'room', 'room', 'x:0', 'x:3']);
      for (const m of measures) expect(m.actors).toEqual(first.actors);
      expect(measures.slice(1).map((m) => m.newTypes)).toEqual(measures.slice(1).map(() => []));
      // Two batches moved the data by 11 KiB at most, either way, in three runs (the server's state is in it too; 12 KiB
      // in one on 2026-12-07); the inbox's ids of messages seen kept without its bound (1,024) added 150 KiB
      // (2026-12-06). A shorter warm-up does not get there: with the inboxes filled beforehand by 2,200 messages from a
      // stranger and the first measure after 48 rounds, the data grew by 81 KiB over the next two (2026-12-07). Measured
      // after every half batch (12 rounds) past the warm-up, the data moved by -18 to +28 KiB from one measure to the
      // next and settled by round 84 (2026-12-07): one batch is held to the bound of two, 48 KiB, which the inbox's
      // leak still passes (its bound removed, the data grew by 103 KiB over one batch, 2026-12-07).
      for (const move of moves) expect(Math.abs(move), `the batches moved the data by ${moves.join(', ')} bytes`).toBeLessThan(BOUND);
      expect(Math.abs(last.data - first.data), `${MEASURED} batches moved the data by ${last.data - first.data} bytes`).toBeLessThan(SPAN_BOUND);
    } finally {
      await w.dispose();
    }
    // A hang detector, not a speed bound: its time is its frames (~11,600 steps of the lock-step network a batch,
    // each real loopback I/O): five batches took 55 s alone, 177 s at load average 12-17, over 6 min in a whole
    // `npm test` at 13-16.
  }, 120_000 * (3 + MEASURED));
});
