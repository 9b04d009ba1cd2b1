/**
 * What a node shutting down hands back to Redis (`ClusterNode.close`): the copies it stored for others, its users'
 * buckets, its users (the directory's entries naming it), who is online on it, its heartbeat and its `P:said`
 * mark. Left behind, they make the other nodes wait or misroute: a login of one of its users asks it for budgets
 * nobody answers (up to `budgetAskMs`, while its heartbeat lives), the presence feed and `onlineUserOnly` messages
 * take its users for online on it until the others count it dead (its heartbeat's 3.5 s, then the room grace), a
 * user's spending there is forgotten. The record of the changes Redis ran for this process (`P:ran`) goes with the
 * heartbeat, once nothing it sent is out (`Replica.idle`): the process sends none again (kept, each start of a node
 * left a key for a week). Each step runs on its own, and one that fails (a Redis blip: the connection
 * died under it) runs again once Redis is back, within {@link HAND_BACK_MS}; every step is safe twice. Before
 * 2026-12-05 one failure skipped every step after it, for good.
 */
import type { Redis } from 'ioredis';

/** How long a node shutting down keeps trying what failed (real time, as Redis's reconnection runs). */
export const HAND_BACK_MS = 5000;
/** The pause between two rounds: a step that failed with Redis up is not tried again in a loop. */
const PAUSE_MS = 100;

/** One part of what is handed back: `run` does what is left of it, and throws while anything is. */
export interface HandBack {
  readonly what: string;
  run(): Promise<void>;
}

/**
 * Runs every step, then again those that failed as Redis comes back, until none is left or `boundMs` passed (a step
 * under way then is left to itself, not waited for); answers what is left.
 */
export async function handBack(redis: Redis, steps: readonly HandBack[], boundMs: number): Promise<{ what: string; error: unknown }[]> {
  let over = false;
  let ended: () => void = () => undefined;
  const bound = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      over = true;
      resolve();
    }, boundMs);
    timer.unref();
    ended = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  let left = [...steps];
  let failed: { step: HandBack; error: unknown }[] = [];
  try {
    for (;;) {
      failed = [];
      for (const step of left) {
        // Past the bound, a step under way is not waited for (a stalled Redis answers each command only at its 2 s
        // timeout: before 2026-12-05 the first round ran whole, four such steps, 8 s), nor is the next one started.
        // Only a node whose start failed (a bound of 0) tries each step once whatever it takes.
        if (over && boundMs > 0) {
          failed.push({ step, error: new Error(`${step.what}: not tried within ${boundMs} ms`) });
          continue;
        }
        const tried = step.run().then(() => null, (error: unknown) => ({ error }));
        const outcome = boundMs > 0 ? await Promise.race([tried, bound.then(() => ({ error: new Error(`${step.what}: not done within ${boundMs} ms`) }))]) : await tried;
        if (outcome) failed.push({ step, error: outcome.error });
      }
      left = failed.map((f) => f.step);
      if (left.length === 0 || over) break;
      await Promise.race([back(redis), bound]);
      if (over) break;
    }
  } finally {
    ended();
  }
  return failed.map(({ step, error }) => ({ what: step.what, error }));
}

/** Runs `each` for every item of `items` at once (one socket: they go out together); those done leave it; throws if any failed. */
export async function settleEach<T>(items: Set<T>, each: (item: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled([...items].map(async (item) => (await each(item), items.delete(item))));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Throws when a step's part was not done (`what` says which). */
export function done(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what}: not done`);
}

/** Settles after a pause, once Redis is ready again. */
async function back(redis: Redis): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS).unref());
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}
