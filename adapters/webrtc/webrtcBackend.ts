/** `webrtcBackend({ url })`: the embedded backend with WebRTC media, for browsers. */
import { type EmbeddedBackend, type EmbeddedBackendOptions, embeddedBackend } from '../ws/embeddedBackend';
import { WebRtcRoomPort, type WebRtcRoomPortOptions } from './WebRtcRoomPort';

/** Options of {@link webrtcBackend}: the embedded backend's, plus the media's. */
export interface WebRtcBackendOptions extends EmbeddedBackendOptions {
  /** STUN/TURN servers; none are needed on one machine or one LAN. */
  readonly iceServers?: readonly RTCIceServer[];
  /** How long a member's media connection may stay down before it counts as gone (default 5 s). */
  readonly leaveGraceMs?: number;
  /** Browser APIs (tests); defaults to the page's own. */
  readonly environment?: WebRtcRoomPortOptions['environment'];
}

/** The embedded backend whose room sends and receives real audio and video (WebRTC mesh). */
export interface WebRtcBackend extends Omit<EmbeddedBackend, 'room'> {
  readonly room: WebRtcRoomPort;
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
  const room = new WebRtcRoomPort(base.room, {
    ...(base.clock ? { clock: base.clock } : {}),
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.leaveGraceMs === undefined ? {} : { leaveGraceMs: options.leaveGraceMs }),
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.onListenerError ? { onListenerError: options.onListenerError } : {}),
  });
  return { ...base, name: 'embedded-webrtc', room };
}
