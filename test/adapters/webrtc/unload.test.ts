/**
 * `webrtcBackend`'s page-close hook (`onUnload`, which the facade turns into `destroy()`): heard on
 * the environment's window, or on the browser's own when an app passes an environment without
 * one (the demo's device picker does), and not at all with `endCallOnPageHide: false`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { webrtcBackend } from '../../../adapters/webrtc/webrtcBackend';

const url = 'ws://127.0.0.1:1/ws'; // never dialled: nothing here logs in

const g = globalThis as { window?: EventTarget };

describe('webrtcBackend: the page going away', () => {
  afterEach(() => {
    delete g.window;
  });

  it('pagehide on the environment window calls the listener until it is removed', () => {
    const page = new EventTarget();
    const backend = webrtcBackend({ url, WebSocket, environment: () => ({ window: page }) });
    const heard: string[] = [];
    const off = backend.onUnload((): void => void heard.push('unload'));
    page.dispatchEvent(new Event('pagehide'));
    off();
    page.dispatchEvent(new Event('pagehide'));
    expect(heard).toEqual(['unload']);
  });

  it('an environment without a window falls back to the browser window', () => {
    g.window = new EventTarget();
    const backend = webrtcBackend({ url, WebSocket, environment: () => ({}) });
    const heard: string[] = [];
    backend.onUnload((): void => void heard.push('unload'));
    g.window.dispatchEvent(new Event('pagehide'));
    expect(heard).toEqual(['unload']);
  });

  it('endCallOnPageHide: false hears nothing', () => {
    const page = new EventTarget();
    const backend = webrtcBackend({ url, WebSocket, environment: () => ({ window: page }), endCallOnPageHide: false });
    const heard: string[] = [];
    backend.onUnload((): void => void heard.push('unload'));
    page.dispatchEvent(new Event('pagehide'));
    expect(heard).toEqual([]);
  });
});
