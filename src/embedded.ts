/**
 * `headless-calling/embedded`: the backend for our own signaling server (`server/`, started by
 * `npm start` or `npx headless-calling-server`).
 *
 * ```ts
 * import TRTCCalling from 'headless-calling';
 * import { embeddedBackend } from 'headless-calling/embedded';
 *
 * const calling = new TRTCCalling({ SDKAppID, backend: embeddedBackend({ url: 'ws://127.0.0.1:8080/ws' }) });
 * ```
 */
export * from '../adapters/ws/index';
/** WebRTC media in the browser: `webrtcBackend({ url, iceServers })`. */
export * from '../adapters/webrtc/index';
