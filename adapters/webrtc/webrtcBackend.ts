/** `webrtcBackend({ url })`: the embedded backend with WebRTC media, for browsers. */
import type { Unsubscribe } from '../ImPort';
import { type EmbeddedBackend, type EmbeddedBackendOptions, embeddedBackend } from '../ws/embeddedBackend';
import { browserEnvironment } from './media';
import { WebRtcRoomPort, type WebRtcRoomPortOptions } from './WebRtcRoomPort';

/** Options of {@link webrtcBackend}: the embedded backend's, plus the media's. */
export interface WebRtcBackendOptions extends EmbeddedBackendOptions {
  /** STUN/TURN servers besides the server's (`--turn-urls`); none are needed on one machine or one LAN. */
  readonly iceServers?: readonly RTCIceServer[];
  /** `'relay'`: media only through TURN, so that no peer learns another's addresses (default `'all'`). */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Browser APIs (tests); defaults to the page's own. */
  readonly environment?: WebRtcRoomPortOptions['environment'];
  /**
   * When the page goes away (`pagehide`: closed, reloaded, navigated away), destroy the
   * `TRTCCalling` on this backend, so the others' call ends at once (default `true`).
   */
  readonly endCallOnPageHide?: boolean;
}

/** The embedded backend whose room sends and receives real audio and video (WebRTC mesh). */
export interface WebRtcBackend extends Omit<EmbeddedBackend, 'room'> {
  readonly room: WebRtcRoomPort;
  onUnload(listener: () => void): Unsubscribe;
}

/**
 * Connects one browser client to the embedded server with WebRTC media:
 *
 * ```ts
 * const calling = new TRTCCalling({ SDKAppID, backend: webrtcBackend({ url: 'ws://127.0.0.1:8080/ws' }) });
 * ```
 */
export function webrtcBackend(options: WebRtcBackendOptions): WebRtcBackend {
  const base = embeddedBackend(options);
  const environment = options.environment ?? browserEnvironment;
  const room = new WebRtcRoomPort(base.room, {
    ...(base.clock ? { clock: base.clock } : {}),
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.iceTransportPolicy ? { iceTransportPolicy: options.iceTransportPolicy } : {}),
    turn: () => base.connection.iceServers,
    environment,
    ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
  });
  const unloads = new Set<() => void>();
  return {
    ...base,
    name: 'embedded-webrtc',
    room,
    async dispose() {
      for (const off of [...unloads]) off();
      await room.dispose();
      await base.dispose();
    },
    onUnload(listener) {
      // An app's own environment (say, one that picks devices) still closes calls with the page.
      const page = environment().window ?? browserEnvironment().window;
      if (options.endCallOnPageHide === false || !page) return () => undefined;
      const onPageHide = () => listener();
      page.addEventListener('pagehide', onPageHide);
      const off = () => {
        unloads.delete(off);
        page.removeEventListener('pagehide', onPageHide);
      };
      unloads.add(off);
      return off;
    },
  };
}
