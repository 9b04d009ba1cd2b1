/**
 * An event recorder for tests: every public event of one TRTCCalling, in order, with its
 * payload and the clock time. Assert the whole log, so an extra event fails the test.
 * The measurements (voice volume, network quality) are left out: listening to them starts them.
 */
import { NOTICE_EVENTS, type EventName, type PublicEvent } from './events';
import type { TRTCCalling } from './TRTCCalling';
import { InvalidParameterError } from './errors';

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

/** Records `calling`'s events; `InvalidParameterError` at once when `calling` is not a `TRTCCalling` (an `on`, `off` and `clock`). */
export function captureEvents(calling: TRTCCalling): EventCapture {
  const c = calling as Partial<Record<'on' | 'off' | 'clock', unknown>> | null | undefined;
  if (typeof c?.on !== 'function' || typeof c.off !== 'function' || typeof (c.clock as { now?: unknown } | undefined)?.now !== 'function') {
    throw new InvalidParameterError('captureEvents', `calling must be a TRTCCalling (got ${String(calling)})`);
  }
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
