/**
 * `headless-calling/inspect`: wires the Stately inspector (`@statelyai/inspect`, an optional
 * peer dependency, ESM-only) to a TRTCCalling instance. Any XState inspection observer works
 * as the `inspect` option; this only saves the boilerplate of picking the right transport:
 *
 * ```ts
 * const inspect = await statelyInspector({ kind: 'browser' });   // opens the inspector window
 * const calling = new TRTCCalling({ SDKAppID, backend, inspect });
 * ```
 */
import type { InspectionEvent, Observer } from 'xstate';

export type StatelyTarget =
  /** The Stately inspector in a browser window or iframe (needs a `window`). */
  | { readonly kind: 'browser'; readonly url?: string; readonly iframe?: HTMLIFrameElement | null }
  /** A WebSocket receiver (e.g. in Node, towards a browser page that shows the statechart). */
  | { readonly kind: 'websocket'; readonly url: string }
  /** In process: every serialized inspection event goes to `send` (tests, custom UIs). */
  | { readonly kind: 'callback'; readonly send: (event: unknown) => void };

/**
 * Loads `@statelyai/inspect` and returns the inspection observer for the given target. Each event it is
 * given is made {@link serializable} first: the Stately inspector serializes events in a timer of its own,
 * where a backend's error that cannot be (a `toJSON` or getter that throws) was an uncaught exception.
 */
export async function statelyInspector(target: StatelyTarget): Promise<Observer<InspectionEvent>> {
  const stately = await import('@statelyai/inspect');
  const sanitizeEvent = (event: { type: string }) => serializable(event) as { type: string };
  switch (target.kind) {
    case 'browser':
      return stately.createBrowserInspector({
        sanitizeEvent,
        ...(target.url ? { url: target.url } : {}),
        ...(target.iframe !== undefined ? { iframe: target.iframe } : {}),
      }).inspect;
    case 'websocket':
      return stately.createWebSocketInspector({ url: target.url, sanitizeEvent }).inspect;
    case 'callback':
      return stately.createInspector({ send: (event) => guarded(() => target.send(event)) }, { sanitizeEvent }).inspect;
  }
}

/** Runs `action`; what it throws (the app's `send`, in the inspector's timer) is told on the console, not thrown. */
function guarded(action: () => void): void {
  try {
    action();
  } catch (error) {
    console.error('headless-calling: the inspector threw:', error);
  }
}

/** What a value that cannot be read or serialized becomes: a string that says why. */
function unserializable(error: unknown): string {
  try {
    return `[unserializable: ${error instanceof Error ? error.message : String(error)}]`;
  } catch {
    return '[unserializable]';
  }
}

/**
 * `value` as `JSON.stringify` would see it (`toJSON` applied, own enumerable keys; an `Error`'s `name` and
 * `message` too), each part that throws when read or serialized replaced by a string that says so, at most
 * `depth` levels deep. Functions stay (the inspector names them); the original is not touched.
 */
function serializable(value: unknown, depth = 10): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth <= 0) return '[too deep]';
  try {
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return serializable(toJSON.call(value), depth - 1);
    if (Array.isArray(value)) return value.map((item: unknown) => serializable(item, depth - 1));
    const copy: Record<string, unknown> = value instanceof Error ? { name: value.name, message: value.message } : {};
    for (const key of Object.keys(value)) {
      try {
        copy[key] = serializable((value as Record<string, unknown>)[key], depth - 1);
      } catch (error) {
        copy[key] = unserializable(error);
      }
    }
    return copy;
  } catch (error) {
    return unserializable(error);
  }
}

export { statechartOf, activeIds, type Statechart, type StatechartNode, type StatechartTransition } from './statechart';
