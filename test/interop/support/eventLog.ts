/**
 * A party's event log: each event of `names` as its listener got it, the payload copied at that moment (Tencent's
 * clients hand out live arrays of their own, an invite's list shortened later as others answer), and `take()` of
 * those since the last take. The one way every kind of party (official, TUICallEngine 3.1.7, call-engine-js 3.3.4)
 * records what it tells its app.
 */
import type { Ev } from './interopWorld';

export function recordEvents(on: (name: string, listener: (payload: unknown) => void) => void, names: Iterable<string>): () => Ev[] {
  let events: Ev[] = [];
  for (const name of new Set(names)) on(name, (payload) => events.push({ name, payload: structuredClone(payload) }));
  return () => {
    const taken = events;
    events = [];
    return taken;
  };
}
