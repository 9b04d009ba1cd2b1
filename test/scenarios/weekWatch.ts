/**
 * What the client-after-a-week tests (`week.test.ts`, `embedded.week.test.ts`) watch through the public `inspect`
 * option: the actors alive and the event types the machines were given.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';

/**
 * What the actors of `desk` and `bot` are: every actor made, held weakly (which are alive is read at the end of a
 * batch), and every event type any of them was given. XState memoizes each machine's transitions per event type on
 * the machine's state nodes, for the life of the process: a type per peer (a child's `xstate.done.actor.<id>` whose id
 * names a user) is a record per peer kept for ever.
 */
export function actorWatch() {
  const made: WeakRef<AnyActorRef>[] = [];
  const seen = new Set<string>();
  let fresh: string[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor') made.push(new WeakRef(event.actorRef as AnyActorRef));
    if (event.type === '@xstate.event' && !seen.has(event.event.type)) {
      seen.add(event.event.type);
      fresh.push(event.event.type);
    }
  };
  /** The event types never given to an actor before, since the last call. */
  const newTypes = (): string[] => {
    const taken = fresh.sort();
    fresh = [];
    return taken;
  };
  /** The ids of the actors still running, sorted (stopped ones are pruned from the watch itself). */
  const alive = (): string[] => {
    const live = made.filter((ref) => ref.deref()?.getSnapshot().status === 'active');
    made.splice(0, made.length, ...live);
    return live.map((ref) => ref.deref()?.id ?? '').sort();
  };
  return { inspect, alive, newTypes };
}
