/**
 * The refusal log: one short line per refused frame or connection (never a stack trace), at
 * most `perSecond` lines a second. Lines over the budget are counted, and the next line that
 * gets through says how many were left out, so a flood costs the log almost nothing.
 */
import { TokenBucket } from './limits';
import type { Logger, ServerClock } from './options';

/** Longest message kept in a log line. */
const MESSAGE_CHARS = 160;

/** Rate-limited warnings. */
export class ThrottledLog {
  private readonly budget: TokenBucket;
  private skipped = 0;
  /** Lines left out so far (for the metrics). */
  suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly clock: ServerClock,
    perSecond: number,
  ) {
    this.budget = new TokenBucket(perSecond, Math.max(1, perSecond * 2), clock.now());
  }

  /** Logs a warning if the budget allows; string fields are cut short. */
  warn(message: string, fields: Record<string, unknown>): void {
    if (!this.budget.take(this.clock.now())) {
      this.skipped++;
      this.suppressed++;
      return;
    }
    const short: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) short[key] = typeof value === 'string' ? value.slice(0, MESSAGE_CHARS) : value;
    }
    if (this.skipped > 0) short.suppressed = this.skipped;
    this.skipped = 0;
    this.logger.warn(message, short);
  }
}

/** An error as one line: its message and where it was thrown, never the whole stack. */
export function describeError(error: unknown): { readonly error: string; readonly at?: string } {
  if (!(error instanceof Error)) return { error: String(error).slice(0, MESSAGE_CHARS) };
  const at = error.stack?.split('\n').find((line) => line.trim().startsWith('at '))?.trim();
  return { error: `${error.name}: ${error.message}`.slice(0, MESSAGE_CHARS), ...(at ? { at: at.slice(0, MESSAGE_CHARS) } : {}) };
}
