/**
 * An event recorder for tests: every public event of one TRTCCalling, in order, with its
 * payload and the clock time. Assert the whole log, so an extra event fails the test.
 * The measurements (voice volume, network quality) are left out: listening to them starts them.
 */
import { NOTICE_EVENTS, type EventName, type PublicEvent } from './events';
import type { TRTCCalling } from './TRTCCalling';

export type CapturedEvent = PublicEvent & { readonly at: number };

export interface EventCapture {
  /** Everything recorded so far, oldest first. */
  readonly log: readonly CapturedEvent[];
  /** Event names only, oldest first. */
  names(): EventName[];
  /** Returns the log and starts a new one. */
  take(): CapturedEvent[];
  /** Stops recording. */
  stop(): void;
}

const NAMES = NOTICE_EVENTS;

export function captureEvents(calling: TRTCCalling): EventCapture {
  let log: CapturedEvent[] = [];
  const listeners = NAMES.map((name) => {
    const listener = (payload: unknown) => {
      log.push({ name, payload, at: calling.clock.now() } as CapturedEvent);
    };
    calling.on(name, listener);
    return () => calling.off(name, listener);
  });
  return {
    get log() {
      return log;
    },
    names: () => log.map((e) => e.name),
    take() {
      const taken = log;
      log = [];
      return taken;
    },
    stop: () => listeners.forEach((off) => off()),
  };
}
