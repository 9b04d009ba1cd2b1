/**
 * The event emitter behind `on` / `off`. Listeners are called synchronously, in the order
 * they were added; one that throws never reaches the core: its error is reported through
 * `onError` (and an `onError` listener that throws is only counted, never re-reported).
 */
import { describeThrown } from '../adapters/bridges';
import { CallingError } from './errors';
import { EVENT, type EventName, type EventPayloads } from './events';

type Listener = (payload: never) => void;
interface Entry {
  readonly callback: Listener;
  readonly context: unknown;
}

export class SafeEmitter {
  readonly #listeners = new Map<EventName, Entry[]>();
  /** Errors thrown by onError listeners themselves (not re-reported, to avoid a loop). */
  droppedErrors = 0;
  /** Counts {@link clear}s: an emit under way stops at one (`destroy()` from a listener: nobody hears it after). */
  #cleared = 0;
  /** The `cause`s ERROR carried (see {@link SafeEmitter.#toldAlready}). */
  readonly #toldCauses = new WeakSet<object>();

  /**
   * `onCount` hears each change of an event's number of listeners (what the room measures follows it); `later`
   * tells what is told outside an emit (an async listener's rejection) as the facade tells its events.
   */
  constructor(
    private readonly onCount: (name: EventName, count: number) => void = () => undefined,
    private readonly later: (emit: () => void) => void = (emit) => emit(),
  ) {}

  /** How many listeners `name` has. */
  count(name: EventName): number {
    return this.#listeners.get(name)?.length ?? 0;
  }

  on<K extends EventName>(name: K, callback: (payload: EventPayloads[K]) => void, context?: unknown): void {
    const list = this.#listeners.get(name) ?? [];
    this.#listeners.set(name, [...list, { callback: callback as Listener, context }]);
    this.onCount(name, list.length + 1);
  }

  /**
   * Removes the listeners of `name` added with `callback` and `context`; with no context, every one
   * added with `callback`; with no callback, every one (trtc-calling-js's emitter matches by callback).
   */
  off<K extends EventName>(name: K, callback?: (payload: EventPayloads[K]) => void, context?: unknown): void {
    const list = this.#listeners.get(name) ?? [];
    // A falsy context is none, as `on()` stores it (and eventemitter3, trtc-calling-js's emitter, removes it).
    const kept = list.filter((e) => callback !== undefined && (e.callback !== callback || (Boolean(context) && e.context !== context)));
    if (kept.length === list.length) return;
    this.#listeners.set(name, kept);
    this.onCount(name, kept.length);
  }

  /** Removes every listener. */
  clear(): void {
    const names = [...this.#listeners.keys()];
    this.#cleared += 1;
    this.#listeners.clear();
    for (const name of names) this.onCount(name, 0);
  }

  emit<K extends EventName>(name: K, payload: EventPayloads[K]): void {
    const cause: unknown = name === EVENT.ERROR ? (payload as EventPayloads['onError']).cause : undefined;
    if (typeof cause === 'object' && cause !== null) this.#toldCauses.add(cause);
    // A snapshot of the list: a listener that adds or removes listeners affects the next emit; one that clears them all, this one.
    const cleared = this.#cleared;
    for (const entry of this.#listeners.get(name) ?? []) {
      if (this.#cleared !== cleared) return;
      try {
        const returned: unknown = (entry.callback as (this: unknown, p: EventPayloads[K]) => unknown).call(entry.context, payload);
        // An async listener's exception is its promise's rejection, handled (unhandled, it ended a Node app) and told as
        // one thrown; but not a rejection of this SDK's whose failure ERROR told already (a listener returning `accept()`).
        if (thenable(returned)) Promise.resolve(returned).catch((error: unknown) => this.#toldAlready(error) || this.later(() => this.#thrown(name, error, cleared)));
      } catch (error) {
        this.#thrown(name, error, cleared);
      }
    }
  }

  /** A rejection of this SDK's (a `CallingError`) whose cause an ERROR carried: told once, as the README says, not twice. */
  #toldAlready(error: unknown): boolean {
    return error instanceof CallingError && typeof error.cause === 'object' && error.cause !== null && this.#toldCauses.has(error.cause);
  }

  /** What a listener of `name` threw (or rejected with) is told through ERROR, but not after a {@link clear} (`destroy()`). */
  #thrown(name: EventName, error: unknown, cleared: number): void {
    if (name === EVENT.ERROR || this.#cleared !== cleared) this.droppedErrors += 1;
    else this.emit(EVENT.ERROR, { code: 65535, msg: `a listener of ${name} threw: ${describeThrown(error)}` });
  }
}

/** Whether a listener returned a promise (or any thenable); a `then` getter that throws makes it none. */
export function thenable(value: unknown): value is PromiseLike<unknown> {
  try {
    return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
