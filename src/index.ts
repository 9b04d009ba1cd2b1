/**
 * headless-calling: the TRTCCalling API over an XState v5 statechart core.
 * Backends: `headless-calling/testing` (memory); embedded and tencent come as subpaths.
 */
export { TRTCCalling, type TRTCCallingOptions } from './TRTCCalling';
export type { AnswerResult, CallResult, GroupCallResult, OfflinePushInfo } from './commands';
export { TRTCCalling as default } from './TRTCCalling';
export { EVENT, CALL_TYPE, MEASUREMENT_EVENTS, NOTICE_EVENTS, type EventName, type EventPayloads, type PublicEvent } from './events';
export { selectView, callStatusOf, type CallStatus, type CallingSnapshot, type CallView, type ParticipantView, type LineState, type CallState } from './store';
export type { LineConnection } from '../machines/lineModel';
export { CallingError, InvalidParameterError, InvalidStateError, ERROR_CODE } from './errors';
export type { Backend } from '../adapters/backend';
export type { ImPort, ImMessage, SendOptions, ConnectionState, Unsubscribe } from '../adapters/ImPort';
export { ImPortError } from '../adapters/ImPort';
export type { RoomPort, RoomEvent, EnterOptions, VoiceVolume, NetworkQuality, UserNetworkQuality } from '../adapters/RoomPort';
export { RoomPortError } from '../adapters/RoomPort';
export type { Clock } from '../adapters/clock';
export type { CallType, EndReason, WireSignal } from '../machines/types';
export { encodeSignal, decodeSignal } from '../adapters/signalingCodec';
export { lineMachine } from '../machines/lineMachine';
export { callMachine } from '../machines/callMachine';
export { inviteeMachine } from '../machines/inviteeMachine';
