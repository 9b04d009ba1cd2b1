/**
 * `BENCH_HEAP_PROF=<prefix>`: a sampling heap profile of the server under test, written to
 * `<prefix>.<pid>.heapprofile` when the bench stops it (open it in Chromium's DevTools, Memory tab).
 * It keeps what young collections did not take: the objects promoted to the old generation and
 * collected there, and those still alive at the end; what a scavenge freed is left out
 * (`BENCH_HEAP_PROF_MINOR=1` keeps it too, for every allocation). A server whose collections cost
 * it a fifth of its time (issue 14) pays for what it promotes, not for what dies young: this says
 * which allocation sites those are.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Starts sampling when `BENCH_HEAP_PROF` is set; the returned function writes the profile (nothing otherwise). */
export async function startHeapProfile(env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const prefix = env.BENCH_HEAP_PROF;
  if (!prefix) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // Node 20's types predate the two include flags; V8 11.3 takes them.
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: env.BENCH_HEAP_PROF_MINOR === '1',
  } as never);
  return async () => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown };
    writeFileSync(`${prefix}.${process.pid}.heapprofile`, JSON.stringify(profile));
    session.disconnect();
  };
}
