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

/** Loads `@statelyai/inspect` and returns the inspection observer for the given target. */
export async function statelyInspector(target: StatelyTarget): Promise<Observer<InspectionEvent>> {
  const stately = await import('@statelyai/inspect');
  switch (target.kind) {
    case 'browser':
      return stately.createBrowserInspector({
        ...(target.url ? { url: target.url } : {}),
        ...(target.iframe !== undefined ? { iframe: target.iframe } : {}),
      }).inspect;
    case 'websocket':
      return stately.createWebSocketInspector({ url: target.url }).inspect;
    case 'callback':
      return stately.createInspector({ send: (event) => target.send(event) }).inspect;
  }
}

export { statechartOf, activeIds, type Statechart, type StatechartNode, type StatechartTransition } from './statechart';
