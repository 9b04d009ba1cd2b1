/** The embedded backend's browser media: a WebRTC mesh over the server's room relay. */
export { webrtcBackend, type WebRtcBackend, type WebRtcBackendOptions } from './webrtcBackend';
export { WebRtcRoomPort, type WebRtcRoomPortOptions } from './WebRtcRoomPort';
export { MEDIA_ERROR, type MediaEnvironment, browserEnvironment } from './media';
export { type PeerMessage } from './peer';
