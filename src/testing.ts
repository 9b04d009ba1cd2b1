/**
 * `headless-calling/testing`: the deterministic memory backend and helpers, for our tests and
 * for integrators' own. `createMemoryNetwork({ clock: new SimulatedClock() })` runs whole calls
 * in virtual time; without a clock it runs in real time.
 */
export {
  createMemoryNetwork,
  SimulatedClock,
  InMemoryImHub,
  InMemoryImPort,
  InMemoryRoomHub,
  InMemoryRoomPort,
  drain,
  realClock,
  type MemoryNetwork,
  type MemoryBackendOptions,
  type MemoryNetworkOptions,
  type ImFaults,
  type ImFaultRule,
  type ImLogEntry,
  type SimulatedDevices,
  type ViewBinding,
} from '../adapters/memory';
export { captureEvents, type CapturedEvent, type EventCapture } from './capture';
