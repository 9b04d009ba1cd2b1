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
import { importPeer } from '../adapters/optionalPeer';
import { toldOnce } from './toldOnce';

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
  checkTarget(target);
  const stately = await importPeer('@statelyai/inspect', 'statelyInspector', () => import('@statelyai/inspect'));
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
      return stately.createInspector({ send: toldOnce((event) => target.send(event)) }, { sanitizeEvent }).inspect;
  }
}

/**
 * A target that is not one: a `TypeError` naming what is wrong, before anything loads. Unchecked, an unknown `kind`
 * (`'Browser'`, a JavaScript app's typo) returned no observer and the client ran uninspected without a word, and a
 * `websocket` target without its `url` failed inside the Stately inspector as `Invalid URL: undefined`.
 */
function checkTarget(target: StatelyTarget): void {
  const t = target as Partial<Record<'kind' | 'url' | 'send', unknown>> | null;
  if (typeof t !== 'object' || t === null) throw new TypeError(`statelyInspector: the target must be an object ({ kind: 'browser' | 'websocket' | 'callback', ... }), got ${String(t)}`);
  const protocol = (value: string) => {
    try {
      return new URL(value).protocol;
    } catch {
      return '';
    }
  };
  const url = (scheme: 'ws' | 'http') => {
    if (typeof t.url !== 'string' || ![`${scheme}:`, `${scheme}s:`].includes(protocol(t.url))) {
      throw new TypeError(`statelyInspector: { kind: '${String(t.kind)}' } needs url to be a ${scheme}:// or ${scheme}s:// URL, got ${JSON.stringify(t.url) ?? String(t.url)}`);
    }
  };
  switch (t.kind) {
    case 'browser':
      // Without one the Stately inspector logged "Window does not exist" and inspected nothing.
      if (t.url !== undefined) url('http');
      if (typeof window === 'undefined') throw new TypeError(`statelyInspector: { kind: 'browser' } needs a browser page's window; elsewhere (Node) use { kind: 'websocket', url } or { kind: 'callback', send }`);
      return;
    case 'websocket':
      return url('ws');
    case 'callback':
      if (typeof t.send !== 'function') throw new TypeError(`statelyInspector: { kind: 'callback' } needs send to be a function, got ${typeof t.send}`);
      return;
    default:
      throw new TypeError(`statelyInspector: kind must be 'browser', 'websocket' or 'callback', got ${JSON.stringify(t.kind) ?? String(t.kind)}`);
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

/** One walk of {@link serializable}: the parts being copied (a way back to one is a cycle), and those copied already. */
interface Walk {
  readonly ancestors: Set<object>;
  readonly copies: WeakMap<object, { readonly depth: number; readonly copy: unknown }>;
}

/**
 * `value` as `JSON.stringify` would see it (`toJSON` applied, own enumerable keys; an `Error`'s `name` and
 * `message` too), each part that throws when read or serialized replaced by a string that says so, at most
 * `depth` levels deep. Functions stay (the inspector names them); the original is not touched. A way back to a
 * part being copied is `'[Circular]'`, as the Stately inspector's own serializer writes it, and a part met again
 * is the copy made of it the first time: copied down every way back to `depth`, one backend error referring to its
 * SDK client (whose modules refer back to it) made megabytes of every event that carried it.
 */
function serializable(value: unknown, depth = 10, walk: Walk = { ancestors: new Set(), copies: new WeakMap() }): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (walk.ancestors.has(value)) return '[Circular]';
  const known = walk.copies.get(value);
  if (known && known.depth >= depth) return known.copy;
  if (depth <= 0) return '[too deep]';
  walk.ancestors.add(value);
  try {
    const copy = copyOf(value, depth, walk);
    walk.copies.set(value, { depth, copy });
    return copy;
  } catch (error) {
    return unserializable(error);
  } finally {
    walk.ancestors.delete(value);
  }
}

/** {@link serializable}'s copy of one object (what its `toJSON` returns, an array's items, or its keys). */
function copyOf(value: object, depth: number, walk: Walk): unknown {
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  const json: unknown = typeof toJSON === 'function' ? toJSON.call(value) : value;
  if (json !== value) return serializable(json, depth - 1, walk);
  if (Array.isArray(value)) return value.map((item: unknown) => serializable(item, depth - 1, walk));
  const copy: Record<string, unknown> = value instanceof Error ? { name: value.name, message: value.message } : {};
  for (const key of Object.keys(value)) {
    try {
      copy[key] = serializable((value as Record<string, unknown>)[key], depth - 1, walk);
    } catch (error) {
      copy[key] = unserializable(error);
    }
  }
  return copy;
}

export { statechartOf, activeIds, type Statechart, type StatechartNode, type StatechartTransition } from './statechart';
