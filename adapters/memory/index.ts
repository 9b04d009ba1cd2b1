/** The memory backend: deterministic, clock-driven IM and room hubs with fault knobs. */
export { SimulatedClock, DEFAULT_IDLE_LIMIT_MS } from './SimulatedClock';
export { drain } from './drain';
export {
  DEFAULT_LOG_LIMIT,
  InMemoryImHub,
  InMemoryImPort,
  type ImEnvelopeInfo,
  type ImFate,
  type ImFateReason,
  type ImFaultRule,
  type ImFaults,
  type ImHubOptions,
  type ImLogEntry,
  type ImRuleAction,
} from './InMemoryImHub';
export {
  InMemoryRoomHub,
  InMemoryRoomPort,
  type RoomHubOptions,
  type SimulatedDevices,
  type ViewBinding,
} from './InMemoryRoomHub';
export { DEFAULT_OFFLINE_TTL_MS } from './offlineStore';
export { createMemoryNetwork, type MemoryBackendOptions, type MemoryNetwork, type MemoryNetworkOptions } from './network';
export { realClock } from '../clock';
