/** The embedded backend's client: the protocol, the connection, the IM and room ports. */
export { embeddedBackend, type EmbeddedBackend, type EmbeddedBackendOptions } from './embeddedBackend';
export { WsConnection, type Reconnection, type WsConnectionOptions } from './WsConnection';
export { WsImPort, type GroupView, type SendReceipt } from './WsImPort';
export { WsPresence, type PresenceState, type PresenceView } from './WsPresence';
export { WsRoomPort, type RelayedData, type WsRoomPortOptions, type WsViewBinding } from './WsRoomPort';
export { ROOM_IN_USE, WsPortError } from './errors';
export {
  DefaultReconnectPolicy,
  noReconnect,
  type ReconnectContext,
  type ReconnectPolicy,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket';
export { PROTOCOL_VERSION, MAX_FRAME_BYTES, MAX_CALL_TIMEOUT_SECONDS, type ErrorCode, type JoinRule } from './protocol';
